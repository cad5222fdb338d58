package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/holdfast-mq/holdfast/server"
)

func TestFlagsOverrideConfigFile(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "h.conf")
	if err := os.WriteFile(cfg, []byte("port: 5000\nserver_name: fromfile\nhttp_port: 8000\njetstream { store_dir: /from/file }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		check func(o *server.Options) bool
	}{
		{"file only", []string{"-c", cfg}, func(o *server.Options) bool {
			return o.Port == 5000 && o.ServerName == "fromfile" && o.StoreDir == "/from/file" && o.JetStream
		}},
		{"short flags win", []string{"-c", cfg, "-p", "6000", "-n", "flag", "-sd", "/from/flag", "-m", "9000"}, func(o *server.Options) bool {
			return o.Port == 6000 && o.ServerName == "flag" && o.StoreDir == "/from/flag" && o.HTTPPort == 9000
		}},
		{"long flags", []string{"--config", cfg, "--port", "7000", "--addr", "127.0.0.1", "--store_dir", "/s", "--jetstream"}, func(o *server.Options) bool {
			return o.Port == 7000 && o.Host == "127.0.0.1" && o.StoreDir == "/s" && o.JetStream
		}},
		{"auth flags", []string{"--user", "u", "--pass", "p", "--auth", "t"}, func(o *server.Options) bool {
			return o.Username == "u" && o.Password == "p" && o.Token == "t"
		}},
		{"debug and trace", []string{"-DV"}, func(o *server.Options) bool { return o.Debug && o.Trace }},
		{"debug only", []string{"-D"}, func(o *server.Options) bool { return o.Debug && !o.Trace }},
		{"trace only", []string{"-V"}, func(o *server.Options) bool { return o.Trace && !o.Debug }},
		{"log and max payload", []string{"-l", "/tmp/x.log", "--max_payload", "2048", "-js"}, func(o *server.Options) bool {
			return o.LogFile == "/tmp/x.log" && o.MaxPayload == 2048 && o.JetStream
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFlags(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			o, err := f.options()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(o) {
				t.Fatalf("options %+v", *o)
			}
		})
	}
}

func TestRunVersionHelpAndErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-v"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "holdfast version") {
		t.Fatalf("-v: code %d, out %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "-store_dir") {
		t.Fatalf("-h: code %d, usage %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"--no_such_flag"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown flag: code %d", code)
	}
	bad := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(bad, []byte("porty: 1\n"), 0o600)
	errOut.Reset()
	if code := run([]string{"-c", bad}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), `unknown configuration key "porty"`) {
		t.Fatalf("bad config: code %d, stderr %q", code, errOut.String())
	}
}
