package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// msgState is a $HF.API.CONSUMER.MSG.STATE reply.
type msgState struct {
	State         string     `json:"state"`
	Exists        bool       `json:"exists"`
	Subject       string     `json:"subject"`
	Deliveries    uint64     `json:"deliveries"`
	ConsumerSeq   uint64     `json:"consumer_seq"`
	LastDelivered *time.Time `json:"last_delivered"`
	AckDeadline   *time.Time `json:"ack_deadline"`
	History       []struct {
		End    string `json:"end"`
		Client string `json:"client"`
		Error  string `json:"error"`
	} `json:"history"`
	DeadLetter *struct {
		Reason string    `json:"reason"`
		Error  string    `json:"error"`
		At     time.Time `json:"at"`
	} `json:"dead_letter"`
	raw []byte
}

func getMsgState(t *testing.T, nc *nats.Conn, stream, consumer string, seq uint64) msgState {
	t.Helper()
	body, _ := json.Marshal(map[string]uint64{"seq": seq})
	r := request(t, nc, "$HF.API.CONSUMER.MSG.STATE."+stream+"."+consumer, string(body))
	wantOK(t, r)
	var s msgState
	if err := json.Unmarshal(r.raw, &s); err != nil {
		t.Fatal(err)
	}
	s.raw = r.raw
	return s
}

// TestDeadLetterMsgState walks messages of one consumer through every state
// CONSUMER.MSG.STATE reports, with delivery counts and histories.
func TestDeadLetterMsgState(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 2, AckWait: time.Minute,
		Metadata: map[string]string{"holdfast.dlq.on": "terminated"}})
	for _, s := range []string{"orders.1", "orders.2", "orders.3", "orders.4", "orders.5"} {
		if _, err := d.js.Publish(ctx(t), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := d.c.Fetch(4, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ms []jetstream.Msg
	for m := range batch.Messages() {
		ms = append(ms, m)
	}
	if len(ms) != 4 {
		t.Fatalf("fetched %d messages, want 4", len(ms))
	}
	if err := ms[0].DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[1:3] {
		if err := m.Nak(); err != nil {
			t.Fatal(err)
		}
	}
	if s := getMsgState(t, d.nc, "ORDERS", "C", 1); s.State != "acked" || !s.Exists || s.Subject != "orders.1" {
		t.Fatalf("seq 1: %s", s.raw)
	}
	s := getMsgState(t, d.nc, "ORDERS", "C", 2)
	if s.State != "redelivery_queued" || s.Deliveries != 1 || s.ConsumerSeq != 2 || s.LastDelivered == nil ||
		len(s.History) != 1 || s.History[0].End != "nak" || s.History[0].Client == "" {
		t.Fatalf("seq 2 after a NAK: %s", s.raw)
	}
	if s := getMsgState(t, d.nc, "ORDERS", "C", 5); s.State != "undelivered" || s.Deliveries != 0 || !s.Exists {
		t.Fatalf("seq 5: %s", s.raw)
	}

	// Redeliveries come first: 2 and 3, their second and last deliveries.
	_, r3 := fetchOne(t, d.c), fetchOne(t, d.c)
	if md, _ := r3.Metadata(); md.Sequence.Stream != 3 || md.NumDelivered != 2 {
		t.Fatalf("redelivery %+v", md)
	}
	if err := r3.Nak(); err != nil {
		t.Fatal(err)
	}
	if s := getMsgState(t, d.nc, "ORDERS", "C", 3); s.State != "parked" || s.Deliveries != 2 || len(s.History) != 2 {
		t.Fatalf("seq 3 parked: %s", s.raw)
	}
	s = getMsgState(t, d.nc, "ORDERS", "C", 2)
	if s.State != "pending" || s.Deliveries != 2 || s.ConsumerSeq != 5 || s.AckDeadline == nil ||
		!s.AckDeadline.After(*s.LastDelivered) || len(s.History) != 2 || s.History[1].End != "" {
		t.Fatalf("seq 2 redelivered: %s", s.raw)
	}

	// A TERM with the dead-letter stream gone: recorded, not moved yet.
	if err := d.js.DeleteStream(ctx(t), "DLQ"); err != nil {
		t.Fatal(err)
	}
	failed := d.watch(t, "FAILED")
	if err := ms[3].TermWithReason("bad schema"); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, failed); a.StreamSeq != 4 {
		t.Fatalf("failed advisory %+v", a)
	}
	s = getMsgState(t, d.nc, "ORDERS", "C", 4)
	if s.State != "dead_letter_pending" || s.Deliveries != 1 || s.DeadLetter == nil ||
		s.DeadLetter.Reason != "terminated" || s.DeadLetter.Error != "bad schema" || s.DeadLetter.At.IsZero() ||
		len(s.History) != 1 || s.History[0].End != "term" {
		t.Fatalf("seq 4: %s", s.raw)
	}

	t.Run("errors", func(t *testing.T) {
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.ORDERS.C", `{"seq":6}`), 19010, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.ORDERS.C", `{"seq":0}`), 19010, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.ORDERS.NOPE", `{"seq":1}`), 10014, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.NOPE.C", `{"seq":1}`), 10059, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.ORDERS.C", `{"seq":"x"}`), 10025, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.MSG.STATE.ORDERS.C", ``), 10003, "")
	})
}
