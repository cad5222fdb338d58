package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsumerCLI scripts the nats CLI's consumer commands and the
// commands that read through consumers (kv history and ls, object ls and
// get). stream view needs a terminal and is covered by TestConsumerIssue6538.
func TestConsumerCLI(t *testing.T) {
	s := jsServer(t)
	must := func(out, want string) {
		t.Helper()
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	cli(t, s, "stream", "add", "ORD", "--subjects", "ord.>", "--storage", "file", "--defaults")
	cli(t, s, "pub", "ord.new", "order {{Count}}", "--count", "3", "--jetstream")
	must(cli(t, s, "consumer", "add", "ORD", "PULL", "--pull", "--defaults", "--ack", "explicit", "--filter", "ord.>"), "Name: PULL")
	must(cli(t, s, "consumer", "info", "ORD", "PULL"), "Unprocessed Messages: 3")
	must(cli(t, s, "consumer", "ls", "ORD"), "PULL")
	must(cli(t, s, "consumer", "next", "ORD", "PULL", "--count", "2"), "order 2")
	must(cli(t, s, "consumer", "info", "ORD", "PULL"), "Unprocessed Messages: 1")
	must(cli(t, s, "consumer", "edit", "ORD", "PULL", "--description", "edited", "-f"), "edited")
	cli(t, s, "consumer", "rm", "ORD", "PULL", "-f")
	must(cli(t, s, "consumer", "ls", "ORD"), "No Consumers defined")

	cli(t, s, "kv", "add", "cfg", "--history", "5")
	cli(t, s, "kv", "put", "cfg", "color", "blue")
	cli(t, s, "kv", "put", "cfg", "color", "red")
	must(cli(t, s, "kv", "history", "cfg", "color"), "blue")
	must(cli(t, s, "kv", "ls", "cfg"), "color")

	cli(t, s, "object", "add", "files")
	file := filepath.Join(t.TempDir(), "hello.txt")
	data := strings.Repeat("hello ", 50000)
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, s, "object", "put", "files", file, "--name", "hello.txt", "-f")
	must(cli(t, s, "object", "ls", "files"), "hello.txt")
	out := filepath.Join(t.TempDir(), "out.txt")
	cli(t, s, "object", "get", "files", "hello.txt", "--output", out, "-f")
	got, err := os.ReadFile(out)
	if err != nil || string(got) != data {
		t.Fatalf("object get: %d bytes, %v", len(got), err)
	}
}
