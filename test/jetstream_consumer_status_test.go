package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pullStatus sends a raw pull request and returns the first status message
// (skipping data messages, which it counts).
func pullStatus(t *testing.T, nc *nats.Conn, consumer, body string) (status, desc string, msgs int, hdr nats.Header) {
	t.Helper()
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S."+consumer, inbox, []byte(body)); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("pull %s: %v", body, err)
		}
		if s := m.Header.Get("Status"); s != "" {
			return s, m.Header.Get("Description"), msgs, m.Header
		}
		msgs++
	}
}

func TestConsumerPullStatuses(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxRequestBatch: 10, MaxRequestExpires: 10 * time.Second, MaxRequestMaxBytes: 1000, MaxWaiting: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "P", AckPolicy: jetstream.AckExplicitPolicy,
		DeliverSubject: "push.p"}); err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "s.a", 3)
	cases := []struct {
		name, consumer, body, status, desc string
		msgs                               int
	}{
		{"batch too large", "C", `{"batch":11}`, "409", "Exceeded MaxRequestBatch of 10", 0},
		{"expires too long", "C", `{"batch":1,"expires":20000000000}`, "409", "Exceeded MaxRequestExpires of 10s", 0},
		{"max bytes too large", "C", `{"batch":1,"max_bytes":2000}`, "409", "Exceeded MaxRequestMaxBytes of 1000", 0},
		{"heartbeat too large", "C", `{"batch":1,"expires":1000000000,"idle_heartbeat":800000000}`, "400", "Bad Request - heartbeat value too large", 0},
		{"push consumer", "P", `{"batch":1}`, "409", "Consumer is push based", 0},
		{"batch completed", "C", `{"batch":1,"max_bytes":1000}`, "409", "Batch Completed", 1},
		{"no wait partial", "C", `{"batch":5,"no_wait":true}`, "404", "No Messages", 2},
		{"expires with max bytes", "C", `{"batch":1,"max_bytes":1000,"expires":100000000}`, "408", "Request Timeout", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, desc, n, _ := pullStatus(t, nc, tc.consumer, tc.body)
			if status != tc.status || desc != tc.desc || n != tc.msgs {
				t.Fatalf("got %s %q after %d messages, want %s %q after %d", status, desc, n, tc.status, tc.desc, tc.msgs)
			}
		})
	}
	// Idle heartbeats while a request waits.
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S.C", inbox, []byte(`{"batch":1,"expires":5000000000,"idle_heartbeat":100000000}`)); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Status") != "100" || m.Header.Get("Description") != "Idle Heartbeat" {
		t.Fatalf("heartbeat: %v", m.Header)
	}
	// max_waiting 1: a second waiting request is refused.
	status, desc, _, _ := pullStatus(t, nc, "C", `{"batch":1,"expires":5000000000}`)
	if status != "409" || desc != "Exceeded MaxWaiting" {
		t.Fatalf("max waiting: %s %q", status, desc)
	}
	// Deleting the consumer ends the waiting request.
	if err := st.DeleteConsumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	for {
		m, err = sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Status") != "100" {
			break
		}
	}
	if m.Header.Get("Status") != "409" || m.Header.Get("Description") != "Consumer Deleted" {
		t.Fatalf("after delete: %v", m.Header)
	}
}

// TestConsumerBadInput: malformed pull requests get 400; acks for
// sequences never delivered, malformed ack subjects and unknown payloads
// change nothing.
func TestConsumerBadInput(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	status, desc, _, _ := pullStatus(t, nc, "C", `{"batch":`)
	if status != "400" || len(desc) < len("Bad Request") || desc[:len("Bad Request")] != "Bad Request" {
		t.Fatalf("bad JSON: %s %q", status, desc)
	}
	publishN(t, js, "s.a", 2)
	m := fetchOne(t, c)
	// An ack for a sequence beyond what was delivered is not answered.
	if _, err := nc.Request("$JS.ACK.S.C.1.2.9.0.0", []byte("+ACK"), 300*time.Millisecond); err == nil {
		t.Fatal("ack of an undelivered sequence was answered")
	}
	for _, p := range []string{"bogus", "+ACKX", "-NAK {bad", "+TERM"} {
		_ = nc.Publish("$JS.ACK.S.C.x.y", []byte(p)) // malformed subject
		_ = nc.Publish(m.Reply(), []byte("bogus"))
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	ci := consumerInfo(t, c)
	if ci.NumAckPending != 1 || ci.AckFloor.Stream != 0 || ci.Delivered.Stream != 1 {
		t.Fatalf("after bad acks: %+v %+v ack pending %d", ci.Delivered, ci.AckFloor, ci.NumAckPending)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
}
