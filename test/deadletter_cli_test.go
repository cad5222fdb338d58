package test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// holdfastDLQ runs `holdfast dlq <args> -s <url>` and returns its output.
func holdfastDLQ(t *testing.T, bin, url string, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"dlq"}, args...), "-s", url, "--timeout", "10s")...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("holdfast dlq %v: %v", args, err)
	}
	if code != wantCode {
		t.Fatalf("holdfast dlq %v: exit %d, want %d\n%s", args, code, wantCode, out)
	}
	return string(out)
}

func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output does not match %q:\n%s", p, out)
		}
	}
}

// TestDeadLetterCLI drives `holdfast dlq` as a user would, against a
// running server: parked, move, ls, show, state, redrive with a dry run,
// and the task commands.
func TestDeadLetterCLI(t *testing.T) {
	cc := jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1,
		AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "none"}}
	d := newDLQSetup(t, jetstream.LimitsPolicy, cc)
	bin := buildHoldfast(t)
	url := d.s.URL
	parkTwo(t, d)

	wantLines(t, holdfastDLQ(t, bin, url, 0, "parked", "ORDERS", "C"), `(?m)^1$`, `(?m)^2$`, `2 parked`)
	wantLines(t, holdfastDLQ(t, bin, url, 1, "move", "ORDERS", "C", "--all"), `has no dead-letter stream \(error 19011\)`)
	wantLines(t, holdfastDLQ(t, bin, url, 2, "move", "ORDERS", "C"), `give --all or sequences`)

	cc.Metadata = map[string]string{"holdfast.dlq.stream": "DLQ"}
	if _, err := d.src.CreateOrUpdateConsumer(ctx(t), cc); err != nil {
		t.Fatal(err)
	}
	moved := d.watch(t, "MOVED")
	wantLines(t, holdfastDLQ(t, bin, url, 0, "move", "ORDERS", "C", "1", "2", "9"), `moving 2 to DLQ: \[1 2\]`, `not parked: \[9\]`)
	nextAdvisory(t, moved)
	nextAdvisory(t, moved)

	out := holdfastDLQ(t, bin, url, 0, "ls", "DLQ")
	wantLines(t, out, `SEQ\s+TIME\s+REASON`, `(?m)^1\s+\S+\s+manual\s+ORDERS\s+C\s+1\s+1\s+orders\.a$`,
		`(?m)^2\s+\S+\s+manual\s+ORDERS\s+C\s+2\s+1\s+orders\.a$`, `2 dead letters`)
	wantLines(t, holdfastDLQ(t, bin, url, 0, "ls", "DLQ", "--from", "2"), `1 dead letters`)
	out = holdfastDLQ(t, bin, url, 0, "show", "DLQ", "2")
	wantLines(t, out, `Subject: \$DLQ\.ORDERS\.C\.orders\.a`, `Holdfast-Dlq-Reason: manual`, `Holdfast-Dlq-Sequence: 2`, `Data \(2 bytes\):\nm2`)
	wantLines(t, holdfastDLQ(t, bin, url, 1, "show", "DLQ", "7"), `no message found \(error 10037\)`)
	wantLines(t, holdfastDLQ(t, bin, url, 0, "state", "ORDERS", "C", "1"), `"state": "acked"`, `"exists": true`)

	wantLines(t, holdfastDLQ(t, bin, url, 0, "redrive", "DLQ", "--dry-run", "--seq-from", "2"),
		`dry run on DLQ up to 2: 1 matched, 1 skipped`, `sequences: \[2\]`)
	finished := watchRedrive(t, d.nc, "FINISHED")
	out = holdfastDLQ(t, bin, url, 0, "redrive", "DLQ", "--mode", "reopen", "--copy", "--reason", "manual")
	wantLines(t, out, `Task: \S+`, `Mode: reopen \(copy\)`)
	id := regexp.MustCompile(`Task: (\S+)`).FindStringSubmatch(out)[1]
	if task := nextRedrive(t, finished, id); task.Done != 2 {
		t.Fatalf("task %+v", task)
	}
	wantLines(t, holdfastDLQ(t, bin, url, 0, "redrive", "info", id), `State: finished`, `Done: 2`, `Progress: 2 of 2`)
	wantLines(t, holdfastDLQ(t, bin, url, 0, "redrive", "ls"), id+`\s+DLQ\s+finished\s+reopen\s+2\s+2\s+0\s+0`)
	wantLines(t, holdfastDLQ(t, bin, url, 1, "redrive", "pause", id), `is finished \(error 19022\)`)
	wantLines(t, holdfastDLQ(t, bin, url, 1, "redrive", "cancel", "nope"), `redrive task not found \(error 19021\)`)
	wantLines(t, holdfastDLQ(t, bin, url, 2, "nonsense"), `unknown command`)
	if out := holdfastDLQ(t, bin, url, 0, "--help"); !strings.Contains(out, "redrive ls") {
		t.Fatalf("help: %s", out)
	}
	// The reopened messages come back with their delivery count reset.
	if md, _ := fetchOne(t, d.c).Metadata(); md.Sequence.Stream != 1 || md.NumDelivered != 1 {
		t.Fatalf("delivery %+v", md)
	}
}
