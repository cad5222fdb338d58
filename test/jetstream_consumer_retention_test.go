package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func streamMsgs(t *testing.T, st jetstream.Stream) uint64 {
	t.Helper()
	si, err := st.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return si.State.Msgs
}

// viewAll reads the stream with an ordered consumer, as `nats stream view` does.
func viewAll(t *testing.T, st jetstream.Stream) int {
	t.Helper()
	oc, err := st.OrderedConsumer(ctx(t), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := oc.FetchNoWait(100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range batch.Messages() {
		n++
	}
	return n
}

// parkOne publishes one message to an interest stream whose durable C has
// max_deliver 1, NAKs it and waits for the MAX_DELIVERIES advisory.
func parkOne(t *testing.T, nc *nats.Conn, js jetstream.JetStream, storage jetstream.StorageType) (jetstream.Stream, jetstream.Consumer, jetstream.Msg) {
	t.Helper()
	st := createStream(t, js, jetstream.StreamConfig{Name: "IMD", Subjects: []string{"imd.>"}, Retention: jetstream.InterestPolicy, Storage: storage})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	adv, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.IMD.C")
	if err != nil {
		t.Fatal(err)
	}
	defer adv.Unsubscribe()
	publishN(t, js, "imd.a", 1)
	m := fetchOne(t, c)
	if err := m.Nak(); err != nil {
		t.Fatal(err)
	}
	// nats-server notices max deliveries on the next delivery attempt.
	if _, err := c.Next(jetstream.FetchMaxWait(500 * time.Millisecond)); err == nil {
		t.Fatal("delivered past max_deliver")
	}
	a := next(t, adv)
	var ev struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(a.Data, &ev); err != nil || ev.StreamSeq != 1 || ev.Deliveries != 1 {
		t.Fatalf("advisory %s", a.Data)
	}
	return st, c, m
}

// TestConsumerIssue6538 is nats-server #6538: a message that reached
// max_deliver on an interest stream stays when the stream is viewed, when
// another consumer acks it, until its consumer acks it or goes away.
func TestConsumerIssue6538(t *testing.T) {
	for _, storage := range []jetstream.StorageType{jetstream.FileStorage, jetstream.MemoryStorage} {
		t.Run(storage.String(), func(t *testing.T) {
			s := jsServer(t)
			nc, js := jsConnect(t, s)
			st, _, m := parkOne(t, nc, js, storage)
			if n := viewAll(t, st); n != 1 {
				t.Fatalf("view saw %d messages", n)
			}
			if n := streamMsgs(t, st); n != 1 {
				t.Fatalf("after view: %d messages, want the parked one kept", n)
			}
			// Legacy ordered push view.
			ljs, _ := nc.JetStream()
			sub, err := ljs.SubscribeSync("imd.>", nats.OrderedConsumer())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sub.NextMsg(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			_ = sub.Unsubscribe()
			if n := streamMsgs(t, st); n != 1 {
				t.Fatalf("after legacy view: %d messages", n)
			}
			// A second consumer consumes and acks it: still kept for C.
			d, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "D", AckPolicy: jetstream.AckExplicitPolicy})
			if err != nil {
				t.Fatal(err)
			}
			if err := fetchOne(t, d).DoubleAck(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if n := streamMsgs(t, st); n != 1 {
				t.Fatalf("after D acked: %d messages", n)
			}
			// C acknowledges the parked message: now nobody holds it.
			if _, err := nc.Request(m.Reply(), []byte("+ACK"), 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if n := streamMsgs(t, st); n != 0 {
				t.Fatalf("after C acked: %d messages", n)
			}
		})
	}
}

// TestConsumerParkedReleasedByDelete: deleting the consumer that parked a
// message releases it.
func TestConsumerParkedReleasedByDelete(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st, _, _ := parkOne(t, nc, js, jetstream.FileStorage)
	if err := st.DeleteConsumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 0 {
		t.Fatalf("after delete: %d messages", n)
	}
}

// TestConsumerDurableRestart: delivered, ack floor and parked messages
// survive a restart.
func TestConsumerDurableRestart(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	_, c, _ := parkOne(t, nc, js, jetstream.FileStorage)
	publishN(t, js, "imd.b", 3)
	batch, err := c.Fetch(2, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for m := range batch.Messages() {
		if err := m.DoubleAck(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	before := consumerInfo(t, c)
	nc.Close()
	s = s.Restart()
	nc, js = jsConnect(t, s)
	st, err := js.Stream(ctx(t), "IMD")
	if err != nil {
		t.Fatal(err)
	}
	c, err = st.Consumer(ctx(t), "C")
	if err != nil {
		t.Fatal(err)
	}
	after := consumerInfo(t, c)
	if after.Delivered.Stream != before.Delivered.Stream || after.Delivered.Consumer != before.Delivered.Consumer ||
		after.AckFloor.Stream != before.AckFloor.Stream || after.NumPending != 1 || after.NumAckPending != 0 {
		t.Fatalf("before %+v %+v, after %+v %+v pending %d", before.Delivered, before.AckFloor, after.Delivered, after.AckFloor, after.NumPending)
	}
	if n := viewAll(t, st); n != 2 {
		t.Fatalf("view after restart saw %d messages, want parked 1 and unconsumed 4", n)
	}
	if n := streamMsgs(t, st); n != 2 {
		t.Fatalf("after restart: %d messages", n)
	}
	m := fetchOne(t, c)
	if md := meta(t, m); md.Sequence.Stream != 4 {
		t.Fatalf("after restart delivered stream seq %d", md.Sequence.Stream)
	}
	_ = nc
}

func TestConsumerWorkQueue(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "WQ", Subjects: []string{"wq.>"}, Retention: jetstream.WorkQueuePolicy})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "A", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: "wq.a"})
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.WQ.B", `{"stream_name":"WQ","config":{"ack_policy":"explicit","filter_subject":"wq.*"}}`), 10100, "")
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.WQ.B", `{"stream_name":"WQ","config":{"ack_policy":"explicit"}}`), 10099, "")
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.WQ.B", `{"stream_name":"WQ","config":{"ack_policy":"none","filter_subject":"wq.b"}}`), 10084, "")
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.WQ.B", `{"stream_name":"WQ","config":{"durable_name":"B","ack_policy":"explicit","filter_subject":"wq.b"}}`))
	// Moving B's filter onto A's subjects is refused too.
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.WQ.B", `{"stream_name":"WQ","config":{"durable_name":"B","ack_policy":"explicit","filter_subject":"wq.a"}}`), 10100, "")
	publishN(t, js, "wq.a", 2)
	if err := fetchOne(t, c).DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 1 {
		t.Fatalf("after ack: %d messages", n)
	}
}

// TestConsumerInterestDeleteAndFilters: filtered consumers hold only their
// subjects, AckNone delivery releases, deleting one consumer releases what
// only it held, deleting the last purges, and work queues keep messages
// when their consumer goes.
func TestConsumerInterestDeleteAndFilters(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "IQ", Subjects: []string{"iq.>"}, Retention: jetstream.InterestPolicy})
	a, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "A", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: "iq.a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "B", AckPolicy: jetstream.AckNonePolicy})
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "iq.a", 2)
	publishN(t, js, "iq.b", 2)
	publishN(t, js, "iq.c", 1)
	batch, err := b.Fetch(3, jetstream.FetchMaxWait(2*time.Second)) // iq.a 1-2 and iq.b 3
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	// iq.b seq 3 only B wanted: gone. iq.a 1-2 wait for A; 4-5 wait for B.
	if n := streamMsgs(t, st); n != 4 {
		t.Fatalf("after B fetched 3: %d messages", n)
	}
	if err := fetchOne(t, a).DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 3 {
		t.Fatalf("after A acked 1: %d messages", n)
	}
	if err := st.DeleteConsumer(ctx(t), "A"); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 2 {
		t.Fatalf("after A deleted: %d messages", n)
	}
	if err := st.DeleteConsumer(ctx(t), "B"); err != nil {
		t.Fatal(err)
	}
	si, err := st.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if si.State.Msgs != 0 || si.State.FirstSeq != 6 {
		t.Fatalf("after last consumer deleted: %+v", si.State)
	}

	wq := createStream(t, js, jetstream.StreamConfig{Name: "WQ", Subjects: []string{"wq.>"}, Retention: jetstream.WorkQueuePolicy})
	if _, err := wq.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "W", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "wq.a", 2)
	if err := wq.DeleteConsumer(ctx(t), "W"); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, wq); n != 2 {
		t.Fatalf("work queue after consumer delete: %d messages", n)
	}
}
