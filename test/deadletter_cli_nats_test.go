package test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// TestDeadLetterNatsCLI: the unmodified nats CLI creates a dead-letter
// stream and a consumer with dead-letter settings through --metadata,
// shows them, and an edit that round-trips the config keeps them.
func TestDeadLetterNatsCLI(t *testing.T) {
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	s := jsServer(t)
	must := func(out, want string) {
		t.Helper()
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	cli(t, s, "stream", "add", "ORD", "--subjects", "ord.>", "--storage", "file", "--defaults")
	cli(t, s, "stream", "add", "DLQ", "--subjects", "$DLQ.>", "--storage", "file", "--metadata", "holdfast.dlq.accept=*", "--defaults")
	must(cli(t, s, "consumer", "add", "ORD", "C", "--pull", "--defaults", "--ack", "explicit", "--max-deliver", "1",
		"--metadata", "holdfast.dlq.stream=DLQ", "--metadata", "holdfast.dlq.on=max_deliveries,terminated"), "Name: C")
	info := cli(t, s, "consumer", "info", "ORD", "C")
	must(info, "holdfast.dlq.stream: DLQ")
	must(info, "holdfast.dlq.subject_prefix: $DLQ.ORD.C")
	cli(t, s, "consumer", "edit", "ORD", "C", "--description", "edited", "-f")
	nc, js := jsConnect(t, s)
	ci := consumerDLQInfo(t, nc, "ORD", "C")
	if dl := ci.Config.DeadLetter; dl == nil || dl.Stream != "DLQ" || strings.Join(dl.On, ",") != "max_deliveries,terminated" {
		t.Fatalf("after nats consumer edit: %s", ci.raw)
	}
	// A consumer without the keys is an ordinary consumer.
	cli(t, s, "consumer", "add", "ORD", "PLAIN", "--pull", "--defaults", "--ack", "explicit")
	if ci := consumerDLQInfo(t, nc, "ORD", "PLAIN"); ci.Config.DeadLetter != nil {
		t.Fatalf("plain consumer: %s", ci.raw)
	}

	// A dead letter made through the CLI's own ack commands.
	cli(t, s, "pub", "ord.new", "order 1", "--jetstream")
	st, err := js.Stream(ctx(t), "ORD")
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Consumer(ctx(t), "C")
	if err != nil {
		t.Fatal(err)
	}
	moved, err := nc.SubscribeSync("$HF.EVENT.ADVISORY.DLQ.MOVED.ORD.C")
	if err != nil {
		t.Fatal(err)
	}
	flushed(t, nc)
	if err := fetchOne(t, c).Term(); err != nil {
		t.Fatal(err)
	}
	nextAdvisory(t, moved)
	must(cli(t, s, "stream", "get", "DLQ", "1"), "Holdfast-Dlq-Reason: terminated")
	must(cli(t, s, "stream", "info", "DLQ"), "Messages: 1")
}

// TestDeadLetterStreamView: viewing the source the way `nats stream view`
// does (an ordered, AckNone consumer) while a dead letter waits for its
// stream removes nothing; the move then happens once.
func TestDeadLetterStreamView(t *testing.T) {
	d := newDLQSetup(t, jetstream.InterestPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	if err := d.js.DeleteStream(ctx(t), "DLQ"); err != nil {
		t.Fatal(err)
	}
	failed := d.watch(t, "FAILED")
	publishN(t, d.js, "orders.a", 2)
	if err := fetchOne(t, d.c).Nak(); err != nil {
		t.Fatal(err)
	}
	nextAdvisory(t, failed)
	if n := viewAll(t, d.src); n != 2 {
		t.Fatalf("view saw %d messages, want 2", n)
	}
	if n := streamMsgs(t, d.src); n != 2 {
		t.Fatalf("source has %d messages after the view, want 2", n)
	}
	moved := d.watch(t, "MOVED")
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 {
		t.Fatalf("moved %+v", a)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages", n)
	}
	if n := streamMsgs(t, d.src); n != 1 {
		t.Fatalf("source has %d messages, want only the undelivered one", n)
	}
}
