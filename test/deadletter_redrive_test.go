package test

import (
	"encoding/json"
	"strconv"
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

// dlqMoveReply is a $HF.API.CONSUMER.DLQ.MOVE reply.
type dlqMoveReply struct {
	DeadLetterStream string   `json:"dead_letter_stream"`
	Accepted         []uint64 `json:"accepted"`
	NotParked        []uint64 `json:"not_parked"`
}

// parkTwo publishes two messages and lets the consumer give up on both
// (MaxDeliver 1, NAK): they are parked, or dead-lettered when configured.
func parkTwo(t *testing.T, d *dlqSetup) {
	t.Helper()
	publishN(t, d.js, "orders.a", 2)
	for range 2 {
		if err := fetchOne(t, d.c).Nak(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeadLetterManualMove: parked messages of a consumer without a
// dead-letter stream stay parked (19011); once the consumer has one, the
// admin call moves them with reason manual, and the interest stream then
// lets go of them.
func TestDeadLetterManualMove(t *testing.T) {
	cc := jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1,
		AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "none"}}
	d := newDLQSetup(t, jetstream.InterestPolicy, cc)
	parkTwo(t, d)
	if s := getMsgState(t, d.nc, "ORDERS", "C", 2); s.State != "parked" {
		t.Fatalf("seq 2: %s", s.raw)
	}
	const subj = "$HF.API.CONSUMER.DLQ.MOVE.ORDERS.C"
	wantAPIError(t, request(t, d.nc, subj, `{"all":true}`), 19011, "consumer C has no dead-letter stream")

	cc.Metadata = map[string]string{"holdfast.dlq.stream": "DLQ"}
	if _, err := d.src.CreateOrUpdateConsumer(ctx(t), cc); err != nil {
		t.Fatal(err)
	}
	moved := d.watch(t, "MOVED")
	var mr dlqMoveReply
	r := request(t, d.nc, subj, `{"seqs":[1,7]}`)
	wantOK(t, r)
	if err := json.Unmarshal(r.raw, &mr); err != nil {
		t.Fatal(err)
	}
	if mr.DeadLetterStream != "DLQ" || len(mr.Accepted) != 1 || mr.Accepted[0] != 1 || len(mr.NotParked) != 1 || mr.NotParked[0] != 7 {
		t.Fatalf("move reply %s", r.raw)
	}
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.Reason != "manual" || a.DeadLetterSeq != 1 || a.Deliveries != 1 {
		t.Fatalf("moved advisory %+v", a)
	}
	r = request(t, d.nc, subj, `{"all":true}`)
	wantOK(t, r)
	mr = dlqMoveReply{}
	if err := json.Unmarshal(r.raw, &mr); err != nil {
		t.Fatal(err)
	}
	if len(mr.Accepted) != 1 || mr.Accepted[0] != 2 || len(mr.NotParked) != 0 {
		t.Fatalf("move all reply %s", r.raw)
	}
	if a := nextAdvisory(t, moved); a.StreamSeq != 2 || a.Reason != "manual" || a.DeadLetterSeq != 2 {
		t.Fatalf("moved advisory %+v", a)
	}
	for seq := uint64(1); seq <= 2; seq++ {
		got, err := d.dlq.GetMsg(ctx(t), seq)
		if err != nil {
			t.Fatal(err)
		}
		if got.Header.Get("Holdfast-Dlq-Reason") != "manual" || got.Header.Get("Holdfast-Dlq-Sequence") != strconv.FormatUint(seq, 10) {
			t.Fatalf("dead letter %d: %v", seq, got.Header)
		}
	}
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("interest stream keeps %d messages after the move", n)
	}
	ci := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.NumParked != 0 || ci.DeadLettered["manual"] != 2 {
		t.Fatalf("consumer info %s", ci.raw)
	}
	// Nothing left to move.
	r = request(t, d.nc, subj, `{"all":true}`)
	wantOK(t, r)
	if err := json.Unmarshal(r.raw, &mr); err != nil || len(mr.Accepted) != 0 {
		t.Fatalf("move with nothing parked: %s", r.raw)
	}

	t.Run("errors", func(t *testing.T) {
		wantAPIError(t, request(t, d.nc, subj, `{}`), 19012, "")
		wantAPIError(t, request(t, d.nc, subj, `{"all":true,"seqs":[1]}`), 19012, "")
		wantAPIError(t, request(t, d.nc, subj, ``), 10003, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.CONSUMER.DLQ.MOVE.ORDERS.NOPE", `{"all":true}`), 10014, "")
	})
}
