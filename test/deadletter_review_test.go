package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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
