package test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishN publishes n messages "<prefix>.<i>" with payload "m<i>".
func publishN(t *testing.T, js jetstream.JetStream, subj string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if _, err := js.Publish(ctx(t), subj, fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
}

// publishEach publishes one empty message on each subject in turn, rounds
// times, so that stream sequences follow that order.
func publishEach(t *testing.T, js jetstream.JetStream, rounds int, subjects ...string) {
	t.Helper()
	for range rounds {
		for _, subj := range subjects {
			if _, err := js.Publish(ctx(t), subj, nil); err != nil {
				t.Fatalf("publish %s: %v", subj, err)
			}
		}
	}
}

func consumerInfo(t *testing.T, c jetstream.Consumer) *jetstream.ConsumerInfo {
	t.Helper()
	ci, err := c.Info(ctx(t))
	if err != nil {
		t.Fatalf("consumer info: %v", err)
	}
	return ci
}

func TestConsumerPullFetchAck(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	publishN(t, js, "orders.a", 5)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(3, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for m := range batch.Messages() {
		md, err := m.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %d/%d/%d pending=%d", m.Subject(), m.Data(), md.Sequence.Stream, md.Sequence.Consumer, md.NumDelivered, md.NumPending))
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	if batch.Error() != nil {
		t.Fatal(batch.Error())
	}
	want := []string{"orders.a m1 1/1/1 pending=4", "orders.a m2 2/2/1 pending=3", "orders.a m3 3/3/1 pending=2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	m, err := c.Next(jetstream.FetchMaxWait(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	ci := consumerInfo(t, c)
	if ci.Delivered.Stream != 4 || ci.Delivered.Consumer != 4 || ci.AckFloor.Stream != 4 || ci.NumPending != 1 || ci.NumAckPending != 0 {
		t.Fatalf("info: delivered %+v ack floor %+v pending %d ack pending %d", ci.Delivered, ci.AckFloor, ci.NumPending, ci.NumAckPending)
	}
	// FetchNoWait takes what is there and ends with 404.
	batch, err = c.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m := range batch.Messages() {
		n++
		_ = m.Ack()
	}
	if n != 1 || batch.Error() != nil {
		t.Fatalf("no wait fetch: %d messages, error %v", n, batch.Error())
	}
	batch, err = c.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
		t.Fatal("message from empty consumer")
	}
	if batch.Error() != nil {
		t.Fatalf("empty no wait fetch: %v", batch.Error())
	}
}

func TestConsumerPullExpires408(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	req := `{"batch":5,"expires":50000000,"max_bytes":1000}`
	if err := nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S.C", inbox, []byte(req)); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Status") != "408" || m.Header.Get("Description") != "Request Timeout" ||
		m.Header.Get("Nats-Pending-Messages") != "5" || m.Header.Get("Nats-Pending-Bytes") != "1000" {
		t.Fatalf("got %v", m.Header)
	}
	// no_wait on an empty consumer: 404 at once.
	if err := nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S.C", inbox, []byte(`{"batch":1,"no_wait":true}`)); err != nil {
		t.Fatal(err)
	}
	m, err = sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Status") != "404" || m.Header.Get("Description") != "No Messages" {
		t.Fatalf("got %v", m.Header)
	}
	// A missing consumer answers with no responders.
	_, err = nc.Request("$JS.API.CONSUMER.MSG.NEXT.S.NOPE", nil, 5*time.Second)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("missing consumer: %v", err)
	}
}
