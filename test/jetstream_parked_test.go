package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// parkedReply is a $HF.API.CONSUMER.PARKED response.
type parkedReply struct {
	apiReply
	Stream   string   `json:"stream"`
	Consumer string   `json:"consumer"`
	Parked   []uint64 `json:"parked"`
	Total    int      `json:"total"`
}

func parkedList(t *testing.T, nc *nats.Conn, stream, consumer, body string) parkedReply {
	t.Helper()
	r := request(t, nc, "$HF.API.CONSUMER.PARKED."+stream+"."+consumer, body)
	var p parkedReply
	if err := json.Unmarshal(r.raw, &p); err != nil {
		t.Fatalf("parked reply %s: %v", r.raw, err)
	}
	p.apiReply = r
	return p
}

func wantParked(t *testing.T, nc *nats.Conn, want ...uint64) {
	t.Helper()
	p := parkedList(t, nc, "PK", "C", "")
	wantOK(t, p.apiReply)
	if p.Type != "io.holdfast.api.v1.consumer_parked_response" || p.Stream != "PK" || p.Consumer != "C" {
		t.Fatalf("reply %s", p.raw)
	}
	if !slices.Equal(p.Parked, want) || p.Total != len(want) {
		t.Fatalf("parked %v total %d, want %v: %s", p.Parked, p.Total, want, p.raw)
	}
}

// TestConsumerParkedAPI: $HF.API.CONSUMER.PARKED lists the messages a
// consumer parked at max_deliver (issue 7), drops them once acked, and keeps
// them across a restart; a TERM after the restart drops one.
func TestConsumerParkedAPI(t *testing.T) {
	if servertest.External() {
		t.Skip("$HF.API is holdfast only")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}, Retention: jetstream.InterestPolicy})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	wantParked(t, nc)
	publishN(t, js, "pk.a", 2)
	var msgs []jetstream.Msg
	for range 2 {
		m := fetchOne(t, c)
		if err := m.Nak(); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	// holdfast parks at the NAK itself (docs/differences.md) and applies
	// acks on the publisher's goroutine, so a flush orders them first.
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if ci := consumerInfo(t, c); ci.NumAckPending != 0 {
		t.Fatalf("ack pending %d after NAKs", ci.NumAckPending)
	}
	wantParked(t, nc, 1, 2)

	if _, err := nc.Request(msgs[0].Reply(), []byte("+ACK"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	wantParked(t, nc, 2)

	nc.Close()
	s = s.Restart()
	nc, js = jsConnect(t, s)
	wantParked(t, nc, 2)
	if p := parkedList(t, nc, "PK", "C", `{"offset":1}`); p.Total != 1 || len(p.Parked) != 0 {
		t.Fatalf("offset past the end: %s", p.raw)
	}

	// +TERM releases a parked message too (docs/retention.md).
	if err := nc.Publish(msgs[1].Reply(), []byte("+TERM")); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	wantParked(t, nc)
	st, err = js.Stream(ctx(t), "PK")
	if err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, st); n != 0 {
		t.Fatalf("after ack and TERM: %d messages", n)
	}
}

// TestConsumerParkedAPIPaging: pages hold at most 1024 sequences and the
// offset walks them in order.
func TestConsumerParkedAPIPaging(t *testing.T) {
	if servertest.External() {
		t.Skip("$HF.API is holdfast only")
	}
	if testing.Short() {
		t.Skip("publishes 1100 messages")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}, Retention: jetstream.InterestPolicy})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1100
	for i := range n {
		if _, err := js.PublishAsync("pk.a", fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx(t).Done():
		t.Fatal("publishes not acknowledged")
	}
	got := 0
	for got < n {
		batch, err := c.Fetch(n-got, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			if err := m.Nak(); err != nil {
				t.Fatal(err)
			}
			got++
		}
		if err := batch.Error(); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if ci := consumerInfo(t, c); ci.NumAckPending != 0 {
		t.Fatalf("ack pending %d after NAKs", ci.NumAckPending)
	}
	first := parkedList(t, nc, "PK", "C", `{}`)
	wantOK(t, first.apiReply)
	second := parkedList(t, nc, "PK", "C", `{"offset":1024}`)
	wantOK(t, second.apiReply)
	if len(first.Parked) != 1024 || len(second.Parked) != n-1024 || first.Total != n || second.Total != n {
		t.Fatalf("pages of %d and %d, totals %d %d", len(first.Parked), len(second.Parked), first.Total, second.Total)
	}
	all := append(first.Parked, second.Parked...)
	for i, seq := range all {
		if seq != uint64(i+1) {
			t.Fatalf("parked[%d] = %d", i, seq)
		}
	}
}

// TestConsumerParkedAPIErrors: unknown streams and consumers get the
// JetStream error codes, bad bodies 10025.
func TestConsumerParkedAPIErrors(t *testing.T) {
	if servertest.External() {
		t.Skip("$HF.API is holdfast only")
	}
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "PK", Subjects: []string{"pk.>"}})
	for _, tc := range []struct {
		name, stream, consumer, body string
		code                         int
	}{
		{"stream not found", "NOPE", "C", "", 10059},
		{"consumer not found", "PK", "NOPE", "", 10014},
		{"bad json", "PK", "NOPE", `{"offset":"x"}`, 10025},
		{"negative offset", "PK", "NOPE", `{"offset":-1}`, 10025},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parkedList(t, nc, tc.stream, tc.consumer, tc.body)
			wantAPIError(t, p.apiReply, tc.code, "")
			if p.Type != "io.holdfast.api.v1.consumer_parked_response" {
				t.Fatalf("type %q", p.Type)
			}
		})
	}
}
