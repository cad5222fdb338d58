package auth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestAuthenticate(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := &Config{Users: []User{{Name: "alice", Password: "pw"}, {Name: "bob", Password: string(hash)}}}
	token := &Config{Token: "tok"}
	tests := []struct {
		name     string
		cfg      *Config
		cr       Credentials
		wantUser string
		wantOK   bool
	}{
		{"no auth configured", nil, Credentials{}, "", true},
		{"empty config", &Config{}, Credentials{User: "x"}, "", true},
		{"user ok", users, Credentials{User: "alice", Pass: "pw"}, "alice", true},
		{"user wrong pass", users, Credentials{User: "alice", Pass: "nope"}, "", false},
		{"unknown user", users, Credentials{User: "carol", Pass: "pw"}, "", false},
		{"no credentials", users, Credentials{}, "", false},
		{"bcrypt ok", users, Credentials{User: "bob", Pass: "s3cret"}, "bob", true},
		{"bcrypt wrong", users, Credentials{User: "bob", Pass: "S3cret"}, "", false},
		{"token ok", token, Credentials{Token: "tok"}, "", true},
		{"token wrong", token, Credentials{Token: "tok2"}, "", false},
		{"token missing", token, Credentials{User: "tok"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, ok := tt.cfg.Authenticate(tt.cr)
			if user != tt.wantUser || ok != tt.wantOK {
				t.Fatalf("Authenticate(%+v) = %q, %v; want %q, %v", tt.cr, user, ok, tt.wantUser, tt.wantOK)
			}
		})
	}
}
