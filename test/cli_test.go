package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// natsCLI finds the nats CLI that `make tools` installs into .tools, or the
// one named by HOLDFAST_NATS_CLI. Without it the CLI tests are skipped on a
// developer machine; under CI (which runs make check, installing it first)
// a missing CLI fails the test.
func natsCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HOLDFAST_NATS_CLI"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", ".tools", "nats")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("nats CLI not installed at %s: run make tools", p)
		}
		t.Skipf("nats CLI not installed at %s: run make tools", p)
	}
	return p
}

// needInProcess skips tests that need the in-process server's hooks.
func needInProcess(t *testing.T) {
	t.Helper()
	if servertest.External() {
		t.Skip("needs the in-process server to know when the CLI subscribed")
	}
}

// cli runs the nats CLI against s and returns its combined output.
func cli(t *testing.T, s *servertest.Server, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, natsCLI(t), append([]string{"--server", s.URL}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nats %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startCLI starts a long-running nats CLI command; wait returns its output
// and fails the test if it exited with an error.
func startCLI(t *testing.T, s *servertest.Server, args ...string) (wait func() string) {
	t.Helper()
	waitErr := startCLIErr(t, s, args...)
	return func() string {
		t.Helper()
		out, err := waitErr()
		if err != nil {
			t.Fatalf("nats %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
}

// startCLIErr is startCLI for commands whose exit status is not meaningful.
func startCLIErr(t *testing.T, s *servertest.Server, args ...string) (wait func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	cmd := exec.CommandContext(ctx, natsCLI(t), append([]string{"--server", s.URL}, args...)...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	return func() (string, error) {
		defer cancel()
		err := cmd.Wait()
		return out.String(), err
	}
}

// waitInterest waits until the in-process server has a subscriber on subj.
func waitInterest(t *testing.T, s *servertest.Server, subj string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := s.Srv.WaitForInterest(ctx, subj); err != nil {
		t.Fatalf("no subscriber on %q: %v", subj, err)
	}
}

func TestCLIPubSub(t *testing.T) {
	needInProcess(t)
	s := servertest.New(t)
	wait := startCLI(t, s, "sub", "cli.greet", "--count", "2", "--raw")
	waitInterest(t, s, "cli.greet")
	cli(t, s, "pub", "cli.greet", "hello")
	cli(t, s, "pub", "cli.greet", "again")
	if out := wait(); !strings.Contains(out, "hello") || !strings.Contains(out, "again") {
		t.Fatalf("nats sub output: %q", out)
	}
}

func TestCLIRequestReply(t *testing.T) {
	needInProcess(t)
	s := servertest.New(t)
	// nats reply --count exits with status 1 after draining, against
	// nats-server 2.15.2 too, so only its output is checked.
	wait := startCLIErr(t, s, "reply", "cli.svc", "pong", "--count", "1")
	waitInterest(t, s, "cli.svc")
	if out := cli(t, s, "req", "cli.svc", "ping", "--raw"); strings.TrimSpace(out) != "pong" {
		t.Fatalf("nats req output: %q", out)
	}
	if out, _ := wait(); !strings.Contains(out, `Received on subject "cli.svc"`) {
		t.Fatalf("nats reply output: %q", out)
	}
	// Nobody listening: the CLI reports no responders.
	out, _ := exec.Command(natsCLI(t), "--server", s.URL, "req", "cli.none", "x").CombinedOutput()
	if !strings.Contains(string(out), "No responders") {
		t.Fatalf("request without responders: %q", out)
	}
}

func TestCLIBench(t *testing.T) {
	needInProcess(t)
	s := servertest.New(t)
	wait := startCLI(t, s, "bench", "sub", "cli.bench", "--msgs", "20000", "--no-progress")
	waitInterest(t, s, "cli.bench")
	pubOut := cli(t, s, "bench", "pub", "cli.bench", "--msgs", "20000", "--size", "128", "--no-progress")
	subOut := wait()
	if !strings.Contains(pubOut, "publisher stats") || !strings.Contains(pubOut, "msgs/sec") {
		t.Fatalf("nats bench pub output: %q", pubOut)
	}
	// bench sub prints its stats only after receiving all 20000 messages.
	if !strings.Contains(subOut, "subscriber stats") {
		t.Fatalf("nats bench sub did not receive its 20000 messages: %q", subOut)
	}
}
