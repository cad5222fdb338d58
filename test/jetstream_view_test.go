package test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// TestIssue6538StreamView is the reported scenario with its reported viewer:
// an interest stream, a durable consumer with max_deliver 1 that NAKs the
// only message, then `nats stream view` (an ephemeral ordered AckNone
// consumer). The message must stay, readable by MSG.GET and direct get.
// nats-server 2.10.25 deleted it; 2.15.2 keeps it, so this also runs against
// nats-server. The CLI needs a terminal for paging, so it runs under script(1).
func TestIssue6538StreamView(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "V", Subjects: []string{"v.>"}, Retention: jetstream.InterestPolicy,
		AllowDirect: true})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "v.a", 1)
	if err := fetchOne(t, c).Nak(); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	view, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmdline := natsCLI(t) + " --server " + s.URL + " stream view V 5"
	out, err := exec.CommandContext(view, scriptBin, "-qfec", cmdline, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("nats stream view: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Subject: v.a") {
		t.Fatalf("nats stream view did not show the message:\n%s", out)
	}

	if n := streamMsgs(t, st); n != 1 {
		t.Fatalf("after nats stream view: %d messages, want the NAKed message kept", n)
	}
	// allow_direct: nats.go reads these through DIRECT.GET.
	if m, err := st.GetMsg(ctx(t), 1); err != nil || m.Subject != "v.a" {
		t.Fatalf("direct get seq 1: %v %+v", err, m)
	}
	if m, err := st.GetLastMsgForSubject(ctx(t), "v.a"); err != nil || m.Sequence != 1 {
		t.Fatalf("direct get last for v.a: %v %+v", err, m)
	}
	// And through the MSG.GET API.
	r, err := nc.Request("$JS.API.STREAM.MSG.GET.V", []byte(`{"seq":1}`), 5*time.Second)
	if err != nil || !strings.Contains(string(r.Data), `"subject":"v.a"`) {
		t.Fatalf("MSG.GET 1: %v %s", err, r.Data)
	}
	if servertest.External() {
		return
	}
	if p := parkedList(t, nc, "V", "C", ""); len(p.Parked) != 1 || p.Parked[0] != 1 {
		t.Fatalf("parked list %s", p.raw)
	}
}
