package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// TestConsumerParkedSurvivesFilterUpdate: a parked message keeps its
// consumer's interest after that consumer's filter changes so that it no
// longer matches the message (issue 6: parked state survives consumer config
// updates). Another consumer's ack must not remove it; deleting the consumer
// that parked it does.
func TestConsumerParkedSurvivesFilterUpdate(t *testing.T) {
	if servertest.External() {
		t.Skip("parked messages holding interest is holdfast's rule (docs/retention.md)")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}, Retention: jetstream.InterestPolicy})
	parker, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute, FilterSubject: "pk.a"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "D", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: time.Minute, FilterSubject: "pk.>"})
	if err != nil {
		t.Fatal(err)
	}
	parkPKA(t, nc, js, parker)

	// The parking consumer now wants only pk.b.
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute, FilterSubject: "pk.b"}); err != nil {
		t.Fatal(err)
	}
	if err := fetchOne(t, other).DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 1 {
		t.Fatalf("after the other consumer's ack: %d messages, want the parked one kept", n)
	}
	wantParked(t, nc, 1)

	if err := st.DeleteConsumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 0 {
		t.Fatalf("after deleting the parking consumer: %d messages", n)
	}
}

// TestConsumerParkedRemovedByLimits: a stream limit removes a parked message
// like any other (issue 6: limits win over parked interest), and the
// consumer's parked list forgets it.
func TestConsumerParkedRemovedByLimits(t *testing.T) {
	if servertest.External() {
		t.Skip("the parked list is holdfast's")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}, Retention: jetstream.InterestPolicy,
		MaxMsgs: 2})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	parkPKA(t, nc, js, c)
	publishN(t, js, "pk.a", 2) // max_msgs 2: the parked message is the oldest
	if _, err := st.GetMsg(ctx(t), 1); err == nil {
		t.Fatal("max_msgs did not remove the parked message")
	}
	wantParked(t, nc)
	if n := streamMsgs(t, st); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

// TestConsumerParkedSurvivesFilteredPurge: a purge with a subject filter that
// covers a consumer's (new) filter moves the consumer past the purged
// messages, but a message it parked under its old filter still exists, so
// the move must not drop it (RETENTION.md §6.1 and issue 6).
func TestConsumerParkedSurvivesFilteredPurge(t *testing.T) {
	if servertest.External() {
		t.Skip("parked messages holding interest is holdfast's rule (docs/retention.md)")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}, Retention: jetstream.InterestPolicy})
	cfg := jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute,
		FilterSubject: "pk.a"}
	parker, err := st.CreateOrUpdateConsumer(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	parkPKA(t, nc, js, parker)

	cfg.FilterSubject = "pk.b"
	if _, err := st.CreateOrUpdateConsumer(ctx(t), cfg); err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "pk.b", 2)
	if err := st.Purge(ctx(t), jetstream.WithPurgeSubject("pk.b")); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 1 {
		t.Fatalf("after the purge of pk.b: %d messages, want the parked pk.a kept", n)
	}
	wantParked(t, nc, 1)
}

// parkPKA publishes one message on pk.a as stream sequence 1 and NAKs it on
// parker, whose max_deliver is 1, so that parker parks it.
func parkPKA(t *testing.T, nc *nats.Conn, js jetstream.JetStream, parker jetstream.Consumer) {
	t.Helper()
	publishN(t, js, "pk.a", 1)
	if err := fetchOne(t, parker).Nak(); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	wantParked(t, nc, 1)
}
