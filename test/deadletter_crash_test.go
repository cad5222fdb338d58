package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// TestDeadLetterCrash kills the server with SIGKILL between the steps of a
// dead letter's move (HOLDFAST_FAILPOINTS, cmd/holdfast/failpoint.go): once
// the decision is durable but nothing is copied ("dlq.recorded"), and once
// the copy is durable but the consumer has not recorded it ("dlq.copied").
// After a restart on the same store there is exactly one dead letter, the
// work-queue source no longer has the message, and nothing is redelivered.
func TestDeadLetterCrash(t *testing.T) {
	if servertest.External() {
		t.Skip("runs the holdfast binary")
	}
	if testing.Short() {
		t.Skip("builds and runs the holdfast binary")
	}
	bin := buildHoldfast(t)
	for _, point := range []string{"dlq.recorded", "dlq.copied"} {
		t.Run(point, func(t *testing.T) { deadLetterCrash(t, bin, point) })
	}
}

func deadLetterCrash(t *testing.T, bin, point string) {
	storeDir := t.TempDir()
	p := startHoldfast(t, bin, storeDir, "HOLDFAST_FAILPOINTS="+point)
	nc, js := crashConnect(t, p)
	createStream(t, js, dlqStreamConfig("DLQ"))
	src := createStream(t, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage})
	c, err := src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "DLQ"}})
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "orders.a", 3)
	if err := fetchOne(t, c).Nak(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not reach failpoint %s", point)
	}
	nc.Close()

	p = startHoldfast(t, bin, storeDir)
	nc, js = crashConnect(t, p)
	moved, err := nc.SubscribeSync("$HF.EVENT.ADVISORY.DLQ.MOVED.ORDERS.C")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// The move may finish before the subscription: then INFO says so.
	if ci := consumerDLQInfo(t, nc, "ORDERS", "C"); ci.NumDeadLetterPending != 0 {
		if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.DeadLetterSeq != 1 {
			t.Fatalf("moved advisory %+v", a)
		}
	}
	dlq, err := js.Stream(ctx(t), "DLQ")
	if err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages after %s, want 1", n, point)
	}
	got, err := dlq.GetMsg(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Holdfast-Dlq-Sequence") != "1" || got.Header.Get("Holdfast-Dlq-Reason") != "max_deliveries" {
		t.Fatalf("dead letter headers %v", got.Header)
	}
	src, err = js.Stream(ctx(t), "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, src); n != 2 {
		t.Fatalf("work queue has %d messages, want the 2 never delivered", n)
	}
	if c, err = src.Consumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint64{2, 3} {
		m := fetchOne(t, c)
		if md := meta(t, m); md.Sequence.Stream != want {
			t.Fatalf("delivered stream seq %d, want %d", md.Sequence.Stream, want)
		}
		if err := m.DoubleAck(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	noNext(t, c)
}

func crashConnect(t *testing.T, p *proc) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(p.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}
