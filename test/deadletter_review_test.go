package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// dlqPendingWithOther is an interest stream with consumers C (dead letters
// to DLQ, which is full with discard new) and OTHER; message 1 is a recorded
// dead letter of C, waiting for room in DLQ, and delivered to OTHER (m).
func dlqPendingWithOther(t *testing.T) (d *dlqSetup, m jetstream.Msg) {
	t.Helper()
	d = newDLQSetup(t, jetstream.InterestPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute, FilterSubject: "orders.>"})
	other, err := d.src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "OTHER",
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	full := dlqStreamConfig("DLQ")
	full.MaxMsgs, full.Discard = 1, jetstream.DiscardNew
	if d.dlq, err = d.js.UpdateStream(ctx(t), full); err != nil {
		t.Fatal(err)
	}
	publishN(t, d.js, "$DLQ.fill", 1)
	failed := d.watch(t, "FAILED")
	publishN(t, d.js, "orders.a", 1)
	if err := fetchOne(t, d.c).Nak(); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, failed); a.StreamSeq != 1 {
		t.Fatalf("failed advisory %+v", a)
	}
	return d, fetchOne(t, other)
}

// TestDeadLetterDeleteConsumerReleases: deleting a consumer drops the dead
// letters it has not copied yet, and the interest stream releases them like
// its other messages, even though a dead letter does not hold the ack floor.
func TestDeadLetterDeleteConsumerReleases(t *testing.T) {
	d, m := dlqPendingWithOther(t)
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, d.src); n != 1 {
		t.Fatalf("source has %d messages, want 1 (held for the dead letter)", n)
	}
	if err := d.src.DeleteConsumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("source keeps %d messages after the consumer holding the dead letter was deleted", n)
	}
}

// TestDeadLetterFilterChangeKeeps: a recorded dead letter stays in the
// interest stream after its consumer's filter stops matching it, until the
// copy is durable: it is never lost from the source before its copy exists.
func TestDeadLetterFilterChangeKeeps(t *testing.T) {
	d, m := dlqPendingWithOther(t)
	cfg := d.c.CachedInfo().Config
	cfg.FilterSubject = "orders.b"
	if _, err := d.src.UpdateConsumer(ctx(t), cfg); err != nil {
		t.Fatal(err)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.src.GetMsg(ctx(t), 1); err != nil {
		t.Fatalf("dead letter's source message removed before its copy: %v", err)
	}
	moved := d.watch(t, "MOVED")
	if err := d.dlq.Purge(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 {
		t.Fatalf("moved advisory %+v", a)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages, want 1", n)
	}
}

// TestDeadLetterConfigRemovedWhilePending: removing dead_letter from a
// consumer does not strand the dead letters it already recorded: they are
// still copied, once, to the stream they were decided for, and released.
func TestDeadLetterConfigRemovedWhilePending(t *testing.T) {
	d, m := dlqPendingWithOther(t)
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	r := request(t, d.nc, "$JS.API.CONSUMER.CREATE.ORDERS.C", `{"stream_name":"ORDERS","action":"update","config":{"durable_name":"C",
		"ack_policy":"explicit","max_deliver":1,"ack_wait":60000000000,"filter_subject":"orders.>","dead_letter":{}}}`)
	wantOK(t, r)
	if ci := consumerDLQInfo(t, d.nc, "ORDERS", "C"); ci.Config.DeadLetter != nil || ci.NumDeadLetterPending != 1 {
		t.Fatalf("consumer info after removal %s", ci.raw)
	}
	moved := d.watch(t, "MOVED")
	if err := d.dlq.Purge(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.DeadLetterStream != "DLQ" {
		t.Fatalf("moved advisory %+v", a)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages, want 1", n)
	}
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("source keeps %d messages after the move", n)
	}
	if ci := consumerDLQInfo(t, d.nc, "ORDERS", "C"); ci.NumDeadLetterPending != 0 {
		t.Fatalf("consumer info after the move %s", ci.raw)
	}
}

// TestDeadLetterHeldFromLimits: a max_deliveries dead letter waiting for its
// copy is kept back from max_msgs even though the consumer does not
// dead-letter for maxlen; once the copy is durable, the limit removes it.
func TestDeadLetterHeldFromLimits(t *testing.T) {
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	d := &dlqSetup{s: jsServer(t)}
	d.connect(t)
	d.src = createStream(t, d.js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Storage: jetstream.FileStorage, MaxMsgs: 2})
	full := dlqStreamConfig("DLQ")
	full.MaxMsgs, full.Discard = 1, jetstream.DiscardNew
	d.dlq = createStream(t, d.js, full)
	publishN(t, d.js, "$DLQ.fill", 1)
	var err error
	d.c, err = d.src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "DLQ"}})
	if err != nil {
		t.Fatal(err)
	}
	failed := d.watch(t, "FAILED")
	publishN(t, d.js, "orders.a", 1)
	if err := fetchOne(t, d.c).Nak(); err != nil {
		t.Fatal(err)
	}
	nextAdvisory(t, failed)
	publishN(t, d.js, "orders.b", 2) // max_msgs 2 would drop seq 1
	if _, err := d.src.GetMsg(ctx(t), 1); err != nil {
		t.Fatalf("max_msgs removed the dead letter's source message before its copy: %v", err)
	}
	moved := d.watch(t, "MOVED")
	if err := d.dlq.Purge(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.Reason != "max_deliveries" {
		t.Fatalf("moved advisory %+v", a)
	}
	info, err := d.src.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || info.State.FirstSeq != 2 {
		t.Fatalf("after the copy the limit applies again: %+v", info.State)
	}
}
