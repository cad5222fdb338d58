// Package auth decides who a connection is from the credentials in its CONNECT.
// It is pure: no sockets, no goroutines. Connections (package conn) ask it and
// send -ERR 'Authorization Violation' themselves.
//
// Supported: one token (nats-server "authorization { token }"), and users with
// passwords ("authorization { user, password }" or a users list). Passwords that
// start with "$2" are bcrypt hashes, as nats-server accepts.
//
// Users of the system account (nats-server "accounts { SYS: { users } }" with
// "system_account: SYS") authenticate like any user; their Identity says
// System, and only they reach the server's $SYS services (SystemSubject).
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
	System   bool   // a user of the system account
}

// Identity is who a connection proved to be.
type Identity struct {
	Name   string // the user name; empty for token or no auth
	System bool   // a system-account user
}

// SystemPrefix starts the subjects of the system account's services and
// events. The server answers requests there only from system users, and
// messages there never cross between system and other users, as if the
// system account were a separate account (nats-server's account isolation).
const SystemPrefix = "$SYS."

// SystemSubject reports whether subj is in the system account's namespace.
func SystemSubject(subj string) bool { return strings.HasPrefix(subj, SystemPrefix) }

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

// Authenticate returns who the credentials prove to be and whether they are
// accepted.
func (c *Config) Authenticate(cr Credentials) (Identity, bool) {
	if !c.Required() {
		return Identity{}, true
	}
	if c.Token != "" && cr.Token != "" && secretEqual(c.Token, cr.Token) {
		return Identity{}, true
	}
	for _, u := range c.Users {
		if u.Name == cr.User && passwordOK(u.Password, cr.Pass) {
			return Identity{Name: u.Name, System: u.System}, true
		}
	}
	return Identity{}, false
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
