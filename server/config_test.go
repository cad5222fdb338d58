package server

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/auth"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "holdfast.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFile(t *testing.T) {
	t.Setenv("HF_TEST_TOKEN", "from-env")
	p := writeConfig(t, `
# a nats-server style file
server_name: edge-1
host = 127.0.0.1
port 4333
http_port: 8333
max_payload: 2MB
ping_interval: "30s"
ping_max: 3
write_deadline: 5s
jetstream {
  store_dir: /var/lib/holdfast
  max_memory_store: 1GB
  max_file_store: 10GB
  sync_interval: 2m
  domain: hub
}
authorization {
  token: $HF_TEST_TOKEN
  users: [
    {user: alice, password: pw1}
    {user: bob, password: "pw2"}
  ]
  timeout: 1.5
}
`)
	o, err := ConfigFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		ConfigFile: p, ServerName: "edge-1", Host: "127.0.0.1", Port: 4333, HTTPPort: 8333,
		MaxPayload: 2 << 20, PingInterval: 30 * time.Second, MaxPingsOut: 3, WriteDeadline: 5 * time.Second,
		JetStream: true, StoreDir: "/var/lib/holdfast", MaxMemoryStore: 1 << 30, MaxFileStore: 10 << 30,
		SyncInterval: 2 * time.Minute, Domain: "hub", Token: "from-env",
		Users:       []auth.User{{Name: "alice", Password: "pw1"}, {Name: "bob", Password: "pw2"}},
		AuthTimeout: 1500 * time.Millisecond,
	}
	if !reflect.DeepEqual(*o, want) {
		t.Fatalf("options\n got %+v\nwant %+v", *o, want)
	}
}

func TestConfigSyncIntervalAlways(t *testing.T) {
	o, err := ConfigFile(writeConfig(t, "jetstream: { sync_interval: always }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !o.JetStream || o.SyncInterval != 0 {
		t.Fatalf("jetstream %v sync_interval %v, want enabled and 0 (always)", o.JetStream, o.SyncInterval)
	}
}

func TestConfigListenAndSingleUser(t *testing.T) {
	o, err := ConfigFile(writeConfig(t, "listen: 127.0.0.2:5222\nauthorization { user: u, password: p }\njetstream: enabled\n"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Host != "127.0.0.2" || o.Port != 5222 || o.Username != "u" || o.Password != "p" || !o.JetStream {
		t.Fatalf("got %+v", *o)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unknown top-level key", "port: 1\nprot: 2\n", `holdfast.conf:2: unknown configuration key "prot"`},
		{"unknown jetstream key", "jetstream {\n  store: /x\n  max_files: 1\n}\n", `holdfast.conf:3: unknown configuration key "max_files"`},
		{"unknown authorization key", "authorization {\n  tokens: x\n}\n", `holdfast.conf:2: unknown configuration key "tokens"`},
		{"unknown users key", "authorization {\n users: [ {user: a, pwd: b} ]\n}\n", `unknown configuration key "pwd" in users`},
		{"port not a number", "port: abc\n", `holdfast.conf:1:7: conf: wrong value type: want integer, have string "abc" (key "port")`},
		{"bad duration", "ping_interval: soon\n", `invalid duration`},
		{"bad sync interval", "jetstream { sync_interval: -1s }\n", `sync_interval must be positive`},
		{"bad jetstream value", "jetstream: maybe\n", `want enabled, disabled or a block`},
		{"syntax error", "port: {\n", `holdfast.conf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFile(writeConfig(t, tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestConfigSystemAccount(t *testing.T) {
	tests := []struct {
		name, text string
		wantSys    string
		wantUsers  []auth.User
		wantErr    string
	}{
		{"named", `
accounts { SYS: { users: [{user: admin, password: pw}] } }
system_account: SYS
authorization { users: [{user: app, password: app}] }`, "SYS", []auth.User{{Name: "admin", Password: "pw"}}, ""},
		{"default $SYS", `accounts { "$SYS": { users: [{user: admin, password: pw}] } }`,
			DefaultSystemAccount, []auth.User{{Name: "admin", Password: "pw"}}, ""},
		{"other account", `
accounts { APP: { users: [{user: a, password: b}] }, SYS: { users: [] } }
system_account: SYS`, "", nil, `account "APP": holdfast has a single client account`},
		{"unknown key", `accounts { SYS: { jetstream: enabled } }
system_account: SYS`, "", nil, `unknown configuration key "jetstream" in account "SYS"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ConfigFile(writeConfig(t, tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o.setDefaults()
			if o.SystemAccount != tt.wantSys || !reflect.DeepEqual(o.SystemUsers, tt.wantUsers) {
				t.Fatalf("system account %q users %+v, want %q %+v", o.SystemAccount, o.SystemUsers, tt.wantSys, tt.wantUsers)
			}
			for _, u := range o.authConfig().Users {
				if u.System != (u.Name == "admin") {
					t.Errorf("user %s: system %v", u.Name, u.System)
				}
			}
		})
	}
}
