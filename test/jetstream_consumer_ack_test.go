package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fetchOne fetches one message or fails.
func fetchOne(t *testing.T, c jetstream.Consumer) jetstream.Msg {
	t.Helper()
	m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("next: %v", err)
	}
	return m
}

// fetchN fetches exactly n messages in one Fetch or fails.
func fetchN(t *testing.T, c jetstream.Consumer, n int) []jetstream.Msg {
	t.Helper()
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	if len(msgs) != n {
		t.Fatalf("fetched %d messages, want %d", len(msgs), n)
	}
	return msgs
}

func meta(t *testing.T, m jetstream.Msg) *jetstream.MsgMetadata {
	t.Helper()
	md, err := m.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func TestConsumerAckKinds(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 4)
	// max_ack_pending 1 makes the redelivery after a NAK deterministic:
	// nats-server handles acks and pull requests on different goroutines.
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: time.Minute, MaxAckPending: 1})
	if err != nil {
		t.Fatal(err)
	}
	naks, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.S.C")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C")
	if err != nil {
		t.Fatal(err)
	}
	// NAK: redelivered at once with delivery count 2.
	m := fetchOne(t, c)
	if err := m.Nak(); err != nil {
		t.Fatal(err)
	}
	m = fetchOne(t, c)
	if md := meta(t, m); md.Sequence.Stream != 1 || md.NumDelivered != 2 || md.Sequence.Consumer != 2 {
		t.Fatalf("after nak: %+v", md)
	}
	adv := next(t, naks)
	var nak struct {
		Type       string `json:"type"`
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(adv.Data, &nak); err != nil || nak.Type != "io.nats.jetstream.advisory.v1.nak" || nak.StreamSeq != 1 || nak.Deliveries != 1 {
		t.Fatalf("nak advisory %s", adv.Data)
	}
	// +WPI then ack.
	if err := m.InProgress(); err != nil {
		t.Fatal(err)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// NAK with delay: the next message comes first.
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: time.Minute, MaxAckPending: 10}); err != nil {
		t.Fatal(err)
	}
	m = fetchOne(t, c)
	if err := m.NakWithDelay(time.Hour); err != nil {
		t.Fatal(err)
	}
	m = fetchOne(t, c)
	if md := meta(t, m); md.Sequence.Stream != 3 {
		t.Fatalf("after delayed nak got stream seq %d", md.Sequence.Stream)
	}
	if err := m.TermWithReason("bad"); err != nil {
		t.Fatal(err)
	}
	adv = next(t, terms)
	var term struct {
		Reason    string `json:"reason"`
		StreamSeq uint64 `json:"stream_seq"`
	}
	if err := json.Unmarshal(adv.Data, &term); err != nil || term.Reason != "bad" || term.StreamSeq != 3 {
		t.Fatalf("term advisory %s", adv.Data)
	}
	// Ack sync of an already-terminated message still gets a reply.
	if _, err := nc.Request(m.Reply(), []byte("+ACK"), 5*time.Second); err != nil {
		t.Fatalf("ack sync of terminated message: %v", err)
	}
	ci := consumerInfo(t, c)
	if ci.NumAckPending != 1 || ci.AckFloor.Stream != 1 || ci.Delivered.Stream != 3 || ci.NumPending != 1 || ci.NumRedelivered != 0 {
		t.Fatalf("info: %+v %+v ack pending %d pending %d redelivered %d", ci.Delivered, ci.AckFloor, ci.NumAckPending, ci.NumPending, ci.NumRedelivered)
	}
}

func TestConsumerAckAll(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 5)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckAllPolicy})
	if err != nil {
		t.Fatal(err)
	}
	msgs := fetchN(t, c, 5)
	if err := msgs[3].DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	ci := consumerInfo(t, c)
	if ci.AckFloor.Stream != 4 || ci.NumAckPending != 1 {
		t.Fatalf("ack floor %+v ack pending %d", ci.AckFloor, ci.NumAckPending)
	}
}

func TestConsumerRedeliveryAndMaxDeliver(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	adv, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C")
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "s.a", 1)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 100 * time.Millisecond, MaxDeliver: 2})
	if err != nil {
		t.Fatal(err)
	}
	m := fetchOne(t, c)
	if md := meta(t, m); md.NumDelivered != 1 {
		t.Fatalf("first delivery %+v", md)
	}
	m = fetchOne(t, c) // after the ack wait, without an ack
	if md := meta(t, m); md.NumDelivered != 2 || md.Sequence.Consumer != 2 || md.Sequence.Stream != 1 {
		t.Fatalf("redelivery %+v", md)
	}
	if _, err := c.Next(jetstream.FetchMaxWait(300 * time.Millisecond)); err == nil {
		t.Fatal("delivered past max_deliver")
	}
	a := next(t, adv)
	var md struct {
		Type       string `json:"type"`
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(a.Data, &md); err != nil || md.Type != "io.nats.jetstream.advisory.v1.max_deliver" || md.StreamSeq != 1 || md.Deliveries != 2 {
		t.Fatalf("advisory %s", a.Data)
	}
	ci := consumerInfo(t, c)
	if ci.NumAckPending != 0 || ci.Delivered.Consumer != 2 {
		t.Fatalf("info %+v ack pending %d", ci.Delivered, ci.NumAckPending)
	}
	_ = nats.ErrTimeout
}

// TestConsumerPendingDeleted: a pending message deleted from the stream is
// terminated with an advisory and no longer counts as ack pending; a purge
// does the same for everything it removes.
func TestConsumerPendingDeleted(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 4)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	terms, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C")
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(3, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	if err := st.DeleteMsg(ctx(t), 2); err != nil {
		t.Fatal(err)
	}
	a := next(t, terms)
	var ev struct {
		StreamSeq uint64 `json:"stream_seq"`
		Reason    string `json:"reason"`
	}
	if err := json.Unmarshal(a.Data, &ev); err != nil || ev.StreamSeq != 2 || ev.Reason != "Unacknowledged message was deleted" {
		t.Fatalf("advisory %s", a.Data)
	}
	if ci := consumerInfo(t, c); ci.NumAckPending != 2 || ci.AckFloor.Stream != 0 {
		t.Fatalf("after delete: ack pending %d floor %+v", ci.NumAckPending, ci.AckFloor)
	}
}

// TestConsumerAckSampling: sample_freq 100% publishes one ack metric per ack.
func TestConsumerAckSampling(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "SMP", Subjects: []string{"smp"}})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "S", AckPolicy: jetstream.AckExplicitPolicy, SampleFrequency: "100%"})
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := nc.SubscribeSync("$JS.EVENT.METRIC.CONSUMER.ACK.SMP.S")
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "smp", 1)
	if err := fetchOne(t, c).DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Type       string `json:"type"`
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
		AckTime    int64  `json:"ack_time"`
	}
	if err := json.Unmarshal(next(t, metrics).Data, &ev); err != nil || ev.Type != "io.nats.jetstream.metric.v1.consumer_ack" ||
		ev.StreamSeq != 1 || ev.Deliveries != 1 || ev.AckTime <= 0 {
		t.Fatalf("metric %+v %v", ev, err)
	}
}

// TestConsumerPurgeMovesConsumer: a purge past a consumer's position moves
// its delivered and ack floor to the purge point (RETENTION.md §6.1).
func TestConsumerPurgeMovesConsumer(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 10)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(3, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	if err := st.Purge(ctx(t), jetstream.WithPurgeSequence(6)); err != nil {
		t.Fatal(err)
	}
	// The consumer applies the purge on its goroutine: the next pull comes after it.
	m := fetchOne(t, c)
	if seq := meta(t, m).Sequence; seq.Stream != 6 || seq.Consumer != 4 {
		t.Fatalf("after purge delivered %+v", seq)
	}
	ci := consumerInfo(t, c)
	if ci.AckFloor.Stream != 5 || ci.AckFloor.Consumer != 3 || ci.NumAckPending != 1 || ci.NumPending != 4 {
		t.Fatalf("after purge: floor %+v ack pending %d pending %d", ci.AckFloor, ci.NumAckPending, ci.NumPending)
	}
}

// TestConsumerAckFloorFilterGaps: a consumer filtered on p.b gets stream
// sequences 2, 4, 6. Its ack floor moves only when the lowest pending
// message is acknowledged, never on a delivery; the values are nats-server
// 2.15.2's (holdfast used to report floor 1/0 right after the fetch).
func TestConsumerAckFloorFilterGaps(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "P", Subjects: []string{"p.>"}})
	c, err := st.CreateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "D", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: "p.b"})
	if err != nil {
		t.Fatal(err)
	}
	publishEach(t, js, 4, "p.a", "p.b")
	type floors struct{ delivered, floor jetstream.SequenceInfo }
	check := func(step string, want floors, ackPending int) {
		t.Helper()
		ci, err := c.Info(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		got := floors{jetstream.SequenceInfo{Stream: ci.Delivered.Stream, Consumer: ci.Delivered.Consumer},
			jetstream.SequenceInfo{Stream: ci.AckFloor.Stream, Consumer: ci.AckFloor.Consumer}}
		if got != want || ci.NumAckPending != ackPending {
			t.Fatalf("%s: delivered %+v floor %+v ack pending %d; want %+v %+v %d", step,
				got.delivered, got.floor, ci.NumAckPending, want.delivered, want.floor, ackPending)
		}
	}
	seq := func(stream, consumer uint64) jetstream.SequenceInfo {
		return jetstream.SequenceInfo{Stream: stream, Consumer: consumer}
	}
	doubleAck := func(m jetstream.Msg) {
		t.Helper()
		if err := m.DoubleAck(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	ms := fetchN(t, c, 3)
	check("fetched 2,4,6", floors{seq(6, 3), seq(0, 0)}, 3)
	doubleAck(ms[1])
	check("acked 4", floors{seq(6, 3), seq(0, 0)}, 2)
	doubleAck(ms[0])
	check("acked 2", floors{seq(6, 3), seq(5, 2)}, 1)
	doubleAck(ms[2])
	check("acked 6", floors{seq(6, 3), seq(6, 3)}, 0)
	fetchN(t, c, 1)
	check("fetched 8", floors{seq(8, 4), seq(6, 3)}, 1)
}
