package test

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestConsumerPinnedClient: the first client to pull is pinned; another
// client gets nothing until the pin is released with UNPIN.
func TestConsumerPinnedClient(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	cfg := jetstream.ConsumerConfig{Durable: "P", AckPolicy: jetstream.AckExplicitPolicy,
		PriorityPolicy: jetstream.PriorityPolicyPinned, PriorityGroups: []string{"G"}, PinnedTTL: time.Minute}
	if _, err := st.CreateOrUpdateConsumer(ctx(t), cfg); err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "s.a", 4)
	// Two separate client handles, as two processes would have.
	_, js2 := jsConnect(t, s)
	st2, err := js2.Stream(ctx(t), "S")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := st.Consumer(ctx(t), "P")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := st2.Consumer(ctx(t), "P")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c1.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	pin := m.Headers().Get("Nats-Pin-Id")
	if pin == "" {
		t.Fatal("no Nats-Pin-Id on the pinned client's message")
	}
	_ = m.Ack()
	if _, err := c2.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMaxWait(300*time.Millisecond)); err == nil {
		t.Fatal("unpinned client got a message")
	}
	m, err = c1.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMaxWait(2*time.Second))
	if err != nil || m.Headers().Get("Nats-Pin-Id") != pin {
		t.Fatalf("pinned client again: %v", err)
	}
	ci := consumerInfo(t, c1)
	if len(ci.PriorityGroups) != 1 || ci.PriorityGroups[0].PinnedClientID != pin {
		t.Fatalf("priority groups %+v", ci.PriorityGroups)
	}
	if err := st.UnpinConsumer(ctx(t), "P", "G"); err != nil {
		t.Fatal(err)
	}
	m, err = c2.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Headers().Get("Nats-Pin-Id"); p == "" || p == pin {
		t.Fatalf("new pin %q, old %q", p, pin)
	}
	// Requests must name a configured group.
	inbox := nats.NewInbox()
	sub, _ := nc.SubscribeSync(inbox)
	_ = nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S.P", inbox, []byte(`{"batch":1}`))
	if m, err := sub.NextMsg(5 * time.Second); err != nil || m.Header.Get("Status") != "400" || m.Header.Get("Description") != "Bad Request - Priority Group missing" {
		t.Fatalf("no group: %v %v", err, m)
	}
	if err := st.UnpinConsumer(ctx(t), "P", "X"); err == nil {
		t.Fatal("unpin of an unknown group")
	} else {
		var apiErr *jetstream.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode != 10160 {
			t.Fatalf("unpin unknown group: %v", err)
		}
	}
}

// TestConsumerOverflow: a request with min_pending is served only while the
// consumer has that many messages pending.
func TestConsumerOverflow(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "O", AckPolicy: jetstream.AckExplicitPolicy,
		PriorityPolicy: jetstream.PriorityPolicyOverflow, PriorityGroups: []string{"G"}})
	if err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "s.a", 2)
	if _, err := c.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMinPending(5), jetstream.FetchMaxWait(300*time.Millisecond)); err == nil {
		t.Fatal("served below min_pending")
	}
	publishN(t, js, "s.a", 3)
	if _, err := c.Next(jetstream.FetchPriorityGroup("G"), jetstream.FetchMinPending(5), jetstream.FetchMaxWait(2*time.Second)); err != nil {
		t.Fatalf("at min_pending: %v", err)
	}
	wantAPIErr := func(cfg jetstream.ConsumerConfig, code int) {
		t.Helper()
		_, err := st.CreateOrUpdateConsumer(ctx(t), cfg)
		wantJSErr(t, err, code)
	}
	wantAPIErr(jetstream.ConsumerConfig{Durable: "X", AckPolicy: jetstream.AckExplicitPolicy, PriorityPolicy: jetstream.PriorityPolicyOverflow}, 10159)
	wantAPIErr(jetstream.ConsumerConfig{Durable: "X", AckPolicy: jetstream.AckExplicitPolicy, PriorityPolicy: jetstream.PriorityPolicyOverflow, PriorityGroups: []string{"bad name!"}}, 10162)
}
