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
	users := &Config{Users: []User{{Name: "alice", Password: "pw"}, {Name: "bob", Password: string(hash)}, {Name: "sys", Password: "sp", System: true}}}
	token := &Config{Token: "tok"}
	tests := []struct {
		name     string
		cfg      *Config
		cr       Credentials
		wantUser string
		wantOK   bool
		wantSys  bool
	}{
		{"no auth configured", nil, Credentials{}, "", true, false},
		{"empty config", &Config{}, Credentials{User: "x"}, "", true, false},
		{"user ok", users, Credentials{User: "alice", Pass: "pw"}, "alice", true, false},
		{"user wrong pass", users, Credentials{User: "alice", Pass: "nope"}, "", false, false},
		{"unknown user", users, Credentials{User: "carol", Pass: "pw"}, "", false, false},
		{"no credentials", users, Credentials{}, "", false, false},
		{"bcrypt ok", users, Credentials{User: "bob", Pass: "s3cret"}, "bob", true, false},
		{"bcrypt wrong", users, Credentials{User: "bob", Pass: "S3cret"}, "", false, false},
		{"token ok", token, Credentials{Token: "tok"}, "", true, false},
		{"token wrong", token, Credentials{Token: "tok2"}, "", false, false},
		{"token missing", token, Credentials{User: "tok"}, "", false, false},
		{"system user", users, Credentials{User: "sys", Pass: "sp"}, "sys", true, true},
		{"system user wrong pass", users, Credentials{User: "sys", Pass: "pw"}, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := tt.cfg.Authenticate(tt.cr)
			if id.Name != tt.wantUser || ok != tt.wantOK || id.System != tt.wantSys {
				t.Fatalf("Authenticate(%+v) = %+v, %v; want %q (system %v), %v", tt.cr, id, ok, tt.wantUser, tt.wantSys, tt.wantOK)
			}
		})
	}
}
