package test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestConsumerConsumeAndMessages(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 20)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan uint64, 100)
	cc, err := c.Consume(func(m jetstream.Msg) {
		md, _ := m.Metadata()
		_ = m.Ack()
		got <- md.Sequence.Stream
	}, jetstream.PullMaxMessages(7))
	if err != nil {
		t.Fatal(err)
	}
	for want := uint64(1); want <= 20; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("consume got %d, want %d", seq, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("consume: timeout waiting for %d", want)
		}
	}
	cc.Stop() // its last pull request may still take a message: use another consumer
	publishN(t, js, "s.b", 3)
	c, err = st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "D", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: "s.b"})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.Messages()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	for i := 1; i <= 3; i++ {
		m, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Data()) != fmt.Sprintf("m%d", i) || m.Subject() != "s.b" {
			t.Fatalf("messages: %s %s", m.Subject(), m.Data())
		}
		_ = m.Ack()
	}
}

func TestConsumerOrdered(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 5)
	publishN(t, js, "s.b", 5)
	oc, err := st.OrderedConsumer(ctx(t), jetstream.OrderedConsumerConfig{FilterSubjects: []string{"s.b"}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := oc.Fetch(10, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m := range batch.Messages() {
		n++
		if m.Subject() != "s.b" {
			t.Fatalf("ordered got %s", m.Subject())
		}
	}
	if n != 5 {
		t.Fatalf("ordered fetched %d", n)
	}
	oc, err = st.OrderedConsumer(ctx(t), jetstream.OrderedConsumerConfig{FilterSubjects: []string{"s.b"}, DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		t.Fatal(err)
	}
	it, err := oc.Messages()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()
	publishN(t, js, "s.b", 1)
	m, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	if md := meta(t, m); md.Sequence.Stream != 11 {
		t.Fatalf("ordered messages got stream seq %d", md.Sequence.Stream)
	}
}

func TestConsumerLegacyPushAndQueue(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "S", Subjects: []string{"s.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := js.Publish("s.a", fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := js.SubscribeSync("s.a", nats.Durable("PUSH"), nats.AckExplicit(), nats.IdleHeartbeat(time.Second), nats.EnableFlowControl())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Data) != fmt.Sprint(i) || m.Subject != "s.a" {
			t.Fatalf("push got %s %s", m.Subject, m.Data)
		}
		if err := m.AckSync(); err != nil {
			t.Fatal(err)
		}
	}
	ci, err := sub.ConsumerInfo()
	if err != nil {
		t.Fatal(err)
	}
	if ci.AckFloor.Stream != 10 || !ci.PushBound {
		t.Fatalf("push info: ack floor %+v bound %v", ci.AckFloor, ci.PushBound)
	}
	// Queue subscribers share one consumer; each message goes to one of them.
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{}, 20)
	h := func(m *nats.Msg) {
		mu.Lock()
		seen = append(seen, string(m.Data))
		mu.Unlock()
		_ = m.Ack()
		done <- struct{}{}
	}
	for range 2 {
		if _, err := js.QueueSubscribe("s.a", "workers", h, nats.Durable("Q"), nats.ManualAck()); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("queue subscribers: timeout")
		}
	}
	mu.Lock()
	sort.Strings(seen)
	if fmt.Sprint(seen) != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Fatalf("queue got %v", seen)
	}
	mu.Unlock()
}

func TestConsumerLegacyPullSubscribe(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "S", Subjects: []string{"s.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := js.Publish("s.a", fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := js.PullSubscribe("s.a", "PULL")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Fetch(3, nats.MaxWait(2*time.Second))
	if err != nil || len(msgs) != 3 {
		t.Fatalf("fetch: %d %v", len(msgs), err)
	}
	for _, m := range msgs {
		_ = m.Ack()
	}
	msgs, err = sub.Fetch(10, nats.MaxWait(2*time.Second))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("fetch rest: %d %v", len(msgs), err)
	}
	// Ordered push subscription, as KV watchers use.
	osub, err := js.SubscribeSync("s.a", nats.OrderedConsumer())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		m, err := osub.NextMsg(5 * time.Second)
		if err != nil || string(m.Data) != fmt.Sprint(i) {
			t.Fatalf("ordered push %d: %v", i, err)
		}
	}
}

func TestConsumerKV(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	kv, err := js.CreateKeyValue(ctx(t), jetstream.KeyValueConfig{Bucket: "B", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"a", "b", "a", "c"} {
		if _, err := kv.Put(ctx(t), k, fmt.Appendf(nil, "v%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := kv.Keys(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[a b c]" {
		t.Fatalf("keys %v", keys)
	}
	hist, err := kv.History(ctx(t), "a")
	if err != nil || len(hist) != 2 || string(hist[1].Value()) != "v2" {
		t.Fatalf("history %d %v", len(hist), err)
	}
	w, err := kv.WatchAll(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var initial []string
	for e := range w.Updates() {
		if e == nil {
			break
		}
		initial = append(initial, e.Key()+"="+string(e.Value()))
	}
	if fmt.Sprint(initial) != "[b=v1 a=v2 c=v3]" {
		t.Fatalf("watch initial %v", initial)
	}
	if _, err := kv.Put(ctx(t), "d", []byte("new")); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-w.Updates():
		if e.Key() != "d" || string(e.Value()) != "new" {
			t.Fatalf("watch update %s", e.Key())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch: no update")
	}
}

// TestConsumerPushFlowControl moves more than the flow-control window
// through a push consumer; the client answers the requests and delivery
// continues.
func TestConsumerPushFlowControl(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "BIG", Subjects: []string{"big"}}); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 100*1024)
	const n = 60 // 6 MB, three windows
	for range n {
		if _, err := js.Publish("big", payload); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := js.SubscribeSync("big", nats.OrderedConsumer())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := sub.NextMsg(5 * time.Second); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

// TestConsumerAckNext: +NXT acknowledges and asks for the next message on
// the ack's reply subject.
func TestConsumerAckNext(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 2)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	m := fetchOne(t, c)
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.PublishRequest(m.Reply(), inbox, []byte("+NXT")); err != nil {
		t.Fatal(err)
	}
	got := next(t, sub)
	if string(got.Data) != "m2" {
		t.Fatalf("+NXT delivered %q", got.Data)
	}
	if ci := consumerInfo(t, c); ci.AckFloor.Stream != 1 || ci.NumAckPending != 1 {
		t.Fatalf("after +NXT: floor %+v ack pending %d", ci.AckFloor, ci.NumAckPending)
	}
}

// TestConsumerReplayOriginal: replay_policy original spaces deliveries as
// the messages were published.
func TestConsumerReplayOriginal(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "R", Subjects: []string{"r"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish("r", []byte("1")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond { // the gap to replay; not waiting for a condition
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := js.Publish("r", []byte("2")); err != nil {
		t.Fatal(err)
	}
	sub, err := js.SubscribeSync("r", nats.ReplayOriginal(), nats.AckNone())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.NextMsg(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	if _, err := sub.NextMsg(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if gap := time.Since(first); gap < 200*time.Millisecond {
		t.Fatalf("second message after %v, want about 300ms", gap)
	}
}

// TestConsumerRateLimit: rate_limit_bps slows a push consumer down once
// its burst (2 MiB on both servers) is spent.
func TestConsumerRateLimit(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "RL", Subjects: []string{"rl"}}); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 100*1024)
	const n = 30 // 3 MB: 2 MiB burst, then about 1 s at 8 Mbit/s
	for range n {
		if _, err := js.Publish("rl", payload); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	sub, err := js.SubscribeSync("rl", nats.RateLimit(8_000_000), nats.AckNone())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := sub.NextMsg(5 * time.Second); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("3 MB at 8 Mbit/s took %v", d)
	}
}
