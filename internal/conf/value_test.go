package conf

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// sample is a realistic nats-server configuration.
const sample = `# holdfast node
server_name: "hf-1"
port: 4222
http_port: 8222
max_payload: 1MB
max_connections: 64K
ping_interval: "2m"
write_deadline: "10s"

jetstream {
  store_dir: /var/lib/holdfast/js
  max_memory_store: 1GB
  max_file_store: 10GB
  sync_interval: always
}

authorization {
  user: admin
  password: "s3cr3t#not-a-comment"
  token: $2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sW3Sf.xUqJm
  timeout: 2
}
`

func TestSample(t *testing.T) {
	m, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	mustStr := func(v Value) string {
		t.Helper()
		s, err := v.Str()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	mustInt := func(v Value) int64 {
		t.Helper()
		n, err := v.Int()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	mustDur := func(v Value) time.Duration {
		t.Helper()
		d, err := v.Duration()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	js, err := m["jetstream"].Map()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := m["authorization"].Map()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"server_name", mustStr(m["server_name"]), "hf-1"},
		{"port", mustInt(m["port"]), int64(4222)},
		{"http_port", mustInt(m["http_port"]), int64(8222)},
		{"max_payload", mustInt(m["max_payload"]), int64(1 << 20)},
		{"max_connections", mustInt(m["max_connections"]), int64(64000)},
		{"ping_interval", mustDur(m["ping_interval"]), 2 * time.Minute},
		{"write_deadline", mustDur(m["write_deadline"]), 10 * time.Second},
		{"store_dir", mustStr(js["store_dir"]), "/var/lib/holdfast/js"},
		{"max_memory_store", mustInt(js["max_memory_store"]), int64(1 << 30)},
		{"max_file_store", mustInt(js["max_file_store"]), int64(10 << 30)},
		{"sync_interval", mustStr(js["sync_interval"]), "always"},
		{"user", mustStr(auth["user"]), "admin"},
		{"password", mustStr(auth["password"]), "s3cr3t#not-a-comment"},
		{"token", mustStr(auth["token"]), "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sW3Sf.xUqJm"},
		{"timeout", mustDur(auth["timeout"]), 2 * time.Second},
		{"max_file_store line", js["max_file_store"].Line, 13},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	if got := strings.Join(m.Keys(), ","); got != "authorization,http_port,jetstream,max_connections,max_payload,ping_interval,port,server_name,write_deadline" {
		t.Errorf("Keys = %s", got)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{`"2m"`, 2 * time.Minute},
		{`"1h30m"`, 90 * time.Minute},
		{"250ms", 250 * time.Millisecond},
		{"10s", 10 * time.Second},
		{"5", 5 * time.Second},
		{"2m", 2 * time.Minute}, // nats-server would read 2,000,000 seconds
		{"0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := Parse("d: " + tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m["d"].Duration()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, in := range []string{`"soon"`, "1G", "true", "1.5", "[1]", "99999999999999"} {
		t.Run("bad "+in, func(t *testing.T) {
			m, err := Parse("\nd: " + in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m["d"].Duration()
			if err == nil || !strings.HasPrefix(err.Error(), "2:4: ") {
				t.Errorf("err = %v, want an error at 2:4", err)
			}
		})
	}
}

func TestAccessorErrors(t *testing.T) {
	m, err := Parse("s: x\nn: 1\nf: 1.5\nb: on\nm {}\na: []")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		pos  string
	}{
		{"Str of int", func() error { _, err := m["n"].Str(); return err }, "2:4"},
		{"Int of string", func() error { _, err := m["s"].Int(); return err }, "1:4"},
		{"Int of float", func() error { _, err := m["f"].Int(); return err }, "3:4"},
		{"Float of bool", func() error { _, err := m["b"].Float(); return err }, "4:4"},
		{"Bool of string", func() error { _, err := m["s"].Bool(); return err }, "1:4"},
		{"Map of array", func() error { _, err := m["a"].Map(); return err }, "6:4"},
		{"Array of map", func() error { _, err := m["m"].Array(); return err }, "5:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrType) {
				t.Fatalf("err = %v, want ErrType", err)
			}
			if !strings.HasPrefix(err.Error(), tt.pos+": ") {
				t.Errorf("err = %q, want position %s", err, tt.pos)
			}
		})
	}
	t.Run("ok", func(t *testing.T) {
		if f, err := m["n"].Float(); err != nil || f != 1 {
			t.Errorf("Float of int = %v, %v", f, err)
		}
		if b, err := m["b"].Bool(); err != nil || !b {
			t.Errorf("Bool = %v, %v", b, err)
		}
	})
}

func TestSyntaxErrorText(t *testing.T) {
	tests := []struct {
		err  *SyntaxError
		want string
	}{
		{&SyntaxError{Line: 3, Col: 2, Msg: "bad"}, "3:2: bad"},
		{&SyntaxError{File: "a.conf", Line: 3, Col: 2, Msg: "bad"}, "a.conf:3:2: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDocExample parses the syntax example in doc.go, so it stays true.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "//\t# a comment") {
			in = true
		}
		if in {
			if !strings.HasPrefix(l, "//\t") {
				break
			}
			lines = append(lines, strings.TrimPrefix(l, "//\t"))
		}
	}
	if len(lines) < 10 {
		t.Fatalf("example not found in doc.go (%d lines)", len(lines))
	}
	t.Setenv("PASS", "pw")
	t.Chdir(writeFiles(t, map[string]string{"auth.conf": "authorization { token: t }"}))
	m, err := Parse(strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m), 18; got != want {
		t.Errorf("got %d keys %v, want %d", got, m.Keys(), want)
	}
	if s, _ := m["greeting"].Str(); s != "tab\there A \"q\" \\" {
		t.Errorf("greeting = %q", s)
	}
	if n, _ := m["max_file_store"].Int(); n != 10<<30 {
		t.Errorf("max_file_store = %d", n)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(sample)))
	for b.Loop() {
		if _, err := Parse(sample); err != nil {
			b.Fatal(err)
		}
	}
}
