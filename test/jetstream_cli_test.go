package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJetStreamCLI scripts the nats CLI commands that need only streams:
// stream add/edit/info/ls/report/get/purge/rm, pub --jetstream, kv
// add/put/get/del/ls and object add/put. Commands that read through a
// consumer (stream view, kv history/watch, object get/ls) wait for the
// consumer issue.
func TestJetStreamCLI(t *testing.T) {
	s := jsServer(t)
	must := func(out, want string) {
		t.Helper()
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	must(cli(t, s, "stream", "add", "ORD", "--subjects", "ord.>", "--storage", "file", "--defaults"), "Subjects: ord.>")
	must(cli(t, s, "pub", "ord.new", "order {{Count}}", "--count", "3", "--jetstream"), "Stored in Stream: ORD Sequence: 3")
	must(cli(t, s, "stream", "info", "ORD"), "Messages: 3")
	must(cli(t, s, "stream", "edit", "ORD", "--max-msgs", "100", "-f"), "Maximum Messages: 100")
	must(cli(t, s, "stream", "ls"), "ORD")
	must(cli(t, s, "stream", "report"), "ORD")
	must(cli(t, s, "stream", "get", "ORD", "2"), "order 2")
	must(cli(t, s, "stream", "purge", "ORD", "-f"), "Messages: 0")
	cli(t, s, "stream", "rm", "ORD", "-f")
	must(cli(t, s, "stream", "ls"), "No Streams defined")

	cli(t, s, "kv", "add", "cfg")
	cli(t, s, "kv", "put", "cfg", "color", "blue")
	must(cli(t, s, "kv", "get", "cfg", "color", "--raw"), "blue")
	cli(t, s, "kv", "del", "cfg", "color", "-f")
	must(cli(t, s, "kv", "ls"), "cfg")

	cli(t, s, "object", "add", "files")
	file := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(file, []byte(strings.Repeat("hello ", 50000)), 0o600); err != nil {
		t.Fatal(err)
	}
	must(cli(t, s, "object", "put", "files", file, "--name", "hello.txt", "-f"), "hello.txt")
	must(cli(t, s, "object", "info", "files", "hello.txt"), "Size: 293 KiB")
}
