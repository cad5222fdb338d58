// Package auth decides who a connection is from the credentials in its CONNECT.
// It is pure: no sockets, no goroutines. Connections (package conn) ask it and
// send -ERR 'Authorization Violation' themselves.
//
// Supported: one token (nats-server "authorization { token }"), and users with
// passwords ("authorization { user, password }" or a users list). Passwords that
// start with "$2" are bcrypt hashes, as nats-server accepts.
package auth

import (
	"crypto/subtle"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// User is one configured user.
type User struct {
	Name     string
	Password string // plain text, or a bcrypt hash starting with "$2"
}

// Config is the authorization configuration. The zero value allows everyone.
type Config struct {
	Token string
	Users []User
}

// Credentials are what a client presented in CONNECT.
type Credentials struct {
	User, Pass, Token string
}

// Required reports whether clients must authenticate.
func (c *Config) Required() bool {
	return c != nil && (c.Token != "" || len(c.Users) > 0)
}

// Authenticate returns the user name the credentials prove (empty for token or
// no auth) and whether they are accepted.
func (c *Config) Authenticate(cr Credentials) (string, bool) {
	if !c.Required() {
		return "", true
	}
	if c.Token != "" && cr.Token != "" && secretEqual(c.Token, cr.Token) {
		return "", true
	}
	for _, u := range c.Users {
		if u.Name == cr.User && passwordOK(u.Password, cr.Pass) {
			return u.Name, true
		}
	}
	return "", false
}

func passwordOK(want, got string) bool {
	if strings.HasPrefix(want, "$2") {
		return bcrypt.CompareHashAndPassword([]byte(want), []byte(got)) == nil
	}
	return secretEqual(want, got)
}

func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
