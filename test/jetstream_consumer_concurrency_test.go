package test

import (
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestConsumerConcurrentConsumers: three clients consume one durable while
// a publisher keeps publishing; every message arrives exactly once and the
// consumer ends with nothing pending.
func TestConsumerConcurrentConsumers(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}, Retention: jetstream.WorkQueuePolicy})
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "W", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	const n = 1500
	var mu sync.Mutex
	seen := map[uint64]int{}
	done := make(chan struct{})
	for range 3 {
		_, cjs := jsConnect(t, s)
		c, err := cjs.Consumer(ctx(t), "S", "W")
		if err != nil {
			t.Fatal(err)
		}
		cc, err := c.Consume(func(m jetstream.Msg) {
			md, _ := m.Metadata()
			_ = m.Ack()
			mu.Lock()
			seen[md.Sequence.Stream]++
			if len(seen) == n {
				close(done)
			}
			mu.Unlock()
		}, jetstream.PullMaxMessages(50))
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Stop()
	}
	publishN(t, js, "s.a", n)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		mu.Lock()
		t.Fatalf("received %d of %d", len(seen), n)
	}
	mu.Lock()
	for seq, k := range seen {
		if k != 1 {
			t.Fatalf("seq %d delivered %d times", seq, k)
		}
	}
	mu.Unlock()
}
