package conf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeFiles creates files (name -> content) under a fresh temp dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestInclude(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  obj
	}{
		{"unquoted", map[string]string{
			"main.conf": "port: 1\ninclude auth.conf\n",
			"auth.conf": "authorization { token: t }\n",
		}, obj{"port": int64(1), "authorization": obj{"token": "t"}}},
		{"double quoted dot slash", map[string]string{
			"main.conf": `include "./auth.conf"`,
			"auth.conf": "a: 1",
		}, obj{"a": int64(1)}},
		{"single quoted", map[string]string{
			"main.conf": `include 'auth.conf'; b: 2`,
			"auth.conf": "a: 1",
		}, obj{"a": int64(1), "b": int64(2)}},
		{"inside block", map[string]string{
			"main.conf":  "authorization {\n  include users.conf\n  timeout: 2\n}",
			"users.conf": "users: [{user: a}]",
		}, obj{"authorization": obj{"users": arr{obj{"user": "a"}}, "timeout": int64(2)}}},
		{"relative to including file", map[string]string{
			"main.conf":         "include sub/a.conf",
			"sub/a.conf":        "a: 1\ninclude deeper/b.conf",
			"sub/deeper/b.conf": "b: 2",
		}, obj{"a": int64(1), "b": int64(2)}},
		{"later key overrides include", map[string]string{
			"main.conf": "include x.conf\nport: 2",
			"x.conf":    "port: 1",
		}, obj{"port": int64(2)}},
		{"include overrides earlier key", map[string]string{
			"main.conf": "port: 2\ninclude x.conf",
			"x.conf":    "port: 1",
		}, obj{"port": int64(1)}},
		{"included keys are variables", map[string]string{
			"main.conf": "include vars.conf\nauthorization { token: $TOKEN }",
			"vars.conf": "TOKEN: s3",
		}, obj{"TOKEN": "s3", "authorization": obj{"token": "s3"}}},
		{"same file twice is not a cycle", map[string]string{
			"main.conf": "a { include x.conf }\nb { include x.conf }",
			"x.conf":    "v: 1",
		}, obj{"a": obj{"v": int64(1)}, "b": obj{"v": int64(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			m, err := ParseFile(filepath.Join(dir, "main.conf"))
			if err != nil {
				t.Fatal(err)
			}
			if got := plain(m); !reflect.DeepEqual(got, any(tt.want)) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestIncludePositions(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.conf":  "port: 1\ninclude sub/x.conf",
		"sub/x.conf": "\n  y: 2",
	})
	m, err := ParseFile(filepath.Join(dir, "main.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "sub", "x.conf") + ":2:6"
	if got := m["y"].Pos(); got != want {
		t.Errorf("Pos = %s, want %s", got, want)
	}
	if got, want := m["port"].Pos(), filepath.Join(dir, "main.conf")+":1:7"; got != want {
		t.Errorf("Pos = %s, want %s", got, want)
	}
}

func TestIncludeErrors(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string // error is reported in this file
		line     int
		is       error
		msg      string
	}{
		{"self cycle", map[string]string{"main.conf": "a: 1\ninclude main.conf"},
			"main.conf", 2, ErrIncludeCycle, "main.conf -> "},
		{"two file cycle", map[string]string{
			"main.conf": "include a.conf",
			"a.conf":    "x: 1\n\ninclude main.conf",
		}, "a.conf", 3, ErrIncludeCycle, "include cycle"},
		{"missing", map[string]string{"main.conf": "\ninclude nope.conf"},
			"main.conf", 2, fs.ErrNotExist, "nope.conf"},
		{"error inside include", map[string]string{
			"main.conf": "include bad.conf",
			"bad.conf":  "a: 1\nb: [\n",
		}, "bad.conf", 2, nil, "not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, err := ParseFile(filepath.Join(dir, "main.conf"))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.File != filepath.Join(dir, tt.wantFile) || se.Line != tt.line {
				t.Errorf("error at %s:%d, want %s:%d (%v)", se.File, se.Line, tt.wantFile, tt.line, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), tt.wantFile) {
				t.Errorf("err = %q, want it to contain %q and the file name", err, tt.msg)
			}
		})
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "none.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestIncludeFromParse(t *testing.T) {
	dir := writeFiles(t, map[string]string{"x.conf": "a: 1"})
	t.Chdir(dir)
	m, err := Parse("include x.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := m["a"].Pos(); got != "x.conf:1:4" {
		t.Errorf("Pos = %s, want x.conf:1:4", got)
	}
}

func TestIncludeNeedsFileName(t *testing.T) {
	for _, in := range []string{"include {a: 1}", "x: 1\ninclude [a]"} {
		t.Run(in, func(t *testing.T) {
			_, err := Parse(in)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, "file name") {
				t.Fatalf("err = %v, want a file name error", err)
			}
		})
	}
}
