package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestConsumerPullRequestsPending: a no_wait pull request that finds
// messages pending which requests already waiting will take gets 408
// Requests Pending, not 404. Here max_ack_pending holds the second message
// back while a waiting request still wants 9 more.
func TestConsumerPullRequestsPending(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxAckPending: 1, AckWait: time.Minute}); err != nil {
		t.Fatal(err)
	}
	publishN(t, js, "s.a", 2)
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.S.C", inbox, []byte(`{"batch":10,"expires":5000000000}`)); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(5 * time.Second); err != nil || m.Header.Get("Status") != "" {
		t.Fatalf("first delivery: %v %v", m, err)
	}
	status, desc, msgs, _ := pullStatus(t, nc, "C", `{"batch":1,"no_wait":true}`)
	if status != "408" || desc != "Requests Pending" || msgs != 0 {
		t.Fatalf("no_wait behind a waiting request: %s %q after %d messages", status, desc, msgs)
	}
}
