package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
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
	ms := fetchN(t, d.c, 4)
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

// redriveTask is a task in a $HF.API.DLQ.REDRIVE reply or advisory.
type redriveTask struct {
	ID        string `json:"id"`
	DLQ       string `json:"dlq"`
	State     string `json:"state"`
	UpTo      uint64 `json:"up_to"`
	LastSeq   uint64 `json:"last_seq"`
	Matched   uint64 `json:"matched"`
	Done      uint64 `json:"done"`
	Failed    uint64 `json:"failed"`
	Skipped   uint64 `json:"skipped"`
	LastError string `json:"last_error"`
}

type redriveReply struct {
	Task   *redriveTask `json:"task"`
	DryRun *struct {
		Matched uint64   `json:"matched"`
		Skipped uint64   `json:"skipped"`
		Seqs    []uint64 `json:"seqs"`
	} `json:"dry_run"`
	Tasks []redriveTask `json:"tasks"`
	raw   []byte
}

// redrive sends a $HF.API.DLQ.REDRIVE request that must succeed.
func redrive(t *testing.T, nc *nats.Conn, verb, body string) redriveReply {
	t.Helper()
	r := request(t, nc, "$HF.API.DLQ.REDRIVE."+verb, body)
	wantOK(t, r)
	var rr redriveReply
	if err := json.Unmarshal(r.raw, &rr); err != nil {
		t.Fatal(err)
	}
	rr.raw = r.raw
	return rr
}

// watchRedrive subscribes to the redrive advisories of the stream DLQ.
func watchRedrive(t *testing.T, nc *nats.Conn, kind string) *nats.Subscription {
	t.Helper()
	sub, err := nc.SubscribeSync("$HF.EVENT.ADVISORY.DLQ.REDRIVE." + kind + ".DLQ")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return sub
}

// nextRedrive waits for a redrive advisory of the given task.
func nextRedrive(t *testing.T, sub *nats.Subscription, id string) redriveTask {
	t.Helper()
	for {
		m, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("redrive advisory on %s: %v", sub.Subject, err)
		}
		var a struct {
			Type string      `json:"type"`
			Task redriveTask `json:"task"`
		}
		if err := json.Unmarshal(m.Data, &a); err != nil {
			t.Fatal(err)
		}
		if a.Type != "io.holdfast.advisory.v1.dlq_redrive" {
			t.Fatalf("advisory type %q", a.Type)
		}
		if a.Task.ID == id {
			return a.Task
		}
	}
}

// deadLetter publishes one message per subject and NAKs each on its only
// delivery (MaxDeliver 1), then waits until every copy is in the DLQ.
func deadLetter(t *testing.T, d *dlqSetup, msgs ...*nats.Msg) {
	t.Helper()
	moved := d.watch(t, "MOVED")
	defer moved.Unsubscribe()
	for _, m := range msgs {
		if _, err := d.js.PublishMsg(ctx(t), m); err != nil {
			t.Fatal(err)
		}
	}
	for range msgs {
		if err := fetchOne(t, d.c).Nak(); err != nil {
			t.Fatal(err)
		}
	}
	for range msgs {
		nextAdvisory(t, moved)
	}
}

func subjects(subjs ...string) []*nats.Msg {
	out := make([]*nats.Msg, len(subjs))
	for i, s := range subjs {
		out[i] = nats.NewMsg(s)
		out[i].Data = []byte("data of " + s)
	}
	return out
}

// TestDeadLetterRedriveReopen: reopen makes the source messages pending
// again for their consumer with the delivery count reset, and (action
// move) deletes their dead letters; the filter leaves the rest alone. A
// dry run counts the same dead letters without touching anything.
func TestDeadLetterRedriveReopen(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	deadLetter(t, d, subjects("orders.a", "orders.b", "orders.a")...)

	dry := redrive(t, d.nc, "START.DLQ", `{"mode":"reopen","dry_run":true,"filter":{"subject":"orders.a","consumer":"C"}}`)
	if dry.DryRun == nil || dry.DryRun.Matched != 2 || dry.DryRun.Skipped != 1 || len(dry.DryRun.Seqs) != 2 ||
		dry.DryRun.Seqs[0] != 1 || dry.DryRun.Seqs[1] != 3 || dry.Task != nil {
		t.Fatalf("dry run %s", dry.raw)
	}
	if n := streamMsgs(t, d.dlq); n != 3 {
		t.Fatalf("a dry run changed the DLQ: %d messages", n)
	}
	noNext(t, d.c)

	finished := watchRedrive(t, d.nc, "FINISHED")
	started := redrive(t, d.nc, "START.DLQ", `{"mode":"reopen","filter":{"subject":"orders.*","seq_from":1,"seq_to":1,"reason":"max_deliveries","stream":"ORDERS","since":"2020-01-01T00:00:00Z"}}`)
	if started.Task == nil || started.Task.ID == "" || started.Task.DLQ != "DLQ" || started.Task.UpTo != 3 {
		t.Fatalf("start %s", started.raw)
	}
	task := nextRedrive(t, finished, started.Task.ID)
	if task.State != "finished" || task.Matched != 1 || task.Done != 1 || task.Failed != 0 || task.Skipped != 2 || task.LastSeq != 3 {
		t.Fatalf("finished task %+v", task)
	}
	m := fetchOne(t, d.c)
	if md, _ := m.Metadata(); md.Sequence.Stream != 1 || md.NumDelivered != 1 {
		t.Fatalf("reopened delivery %+v", md)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	noNext(t, d.c)
	if _, err := d.dlq.GetMsg(ctx(t), 1); err == nil {
		t.Fatal("the redriven dead letter is still in the DLQ (action move)")
	}
	if n := streamMsgs(t, d.dlq); n != 2 {
		t.Fatalf("DLQ has %d messages, want 2", n)
	}
	info := redrive(t, d.nc, "INFO."+started.Task.ID, "")
	if info.Task == nil || *info.Task != task {
		t.Fatalf("info %s, advisory said %+v", info.raw, task)
	}

	// Copy keeps the dead letter; the consumer gets seq 3 again.
	started = redrive(t, d.nc, "START.DLQ", `{"mode":"reopen","action":"copy","filter":{"seq_from":3}}`)
	if task = nextRedrive(t, finished, started.Task.ID); task.Done != 1 || task.Matched != 1 {
		t.Fatalf("copy task %+v", task)
	}
	if md, _ := fetchOne(t, d.c).Metadata(); md.Sequence.Stream != 3 || md.NumDelivered != 1 {
		t.Fatalf("reopened delivery %+v", md)
	}
	if n := streamMsgs(t, d.dlq); n != 2 {
		t.Fatalf("DLQ has %d messages after a copy, want 2", n)
	}
}

// TestDeadLetterRedriveReopenGone: under work-queue retention the source
// message leaves once its dead letter is durable, so reopen fails for it
// and the dead letter stays.
func TestDeadLetterRedriveReopenGone(t *testing.T) {
	d := newDLQSetup(t, jetstream.WorkQueuePolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	deadLetter(t, d, subjects("orders.a")...)
	finished := watchRedrive(t, d.nc, "FINISHED")
	started := redrive(t, d.nc, "START.DLQ", `{"mode":"reopen"}`)
	task := nextRedrive(t, finished, started.Task.ID)
	if task.Matched != 1 || task.Failed != 1 || task.Done != 0 || task.LastError != "dead letter 1: source message ORDERS/1 is gone" {
		t.Fatalf("task %+v", task)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("DLQ has %d messages, want 1", n)
	}
}

// TestDeadLetterRedriveRepublish: republish restores the original headers
// (but not Nats-Msg-Id and Nats-Expected-*), adds a de-duplicating
// Nats-Msg-Id and the redrive origin, and publishes to the original
// subject or to another one.
func TestDeadLetterRedriveRepublish(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute, FilterSubject: "orders.new"})
	retry := createStream(t, d.js, jetstream.StreamConfig{Name: "RETRY", Subjects: []string{"retry.>"}, Storage: jetstream.FileStorage})
	msg := nats.NewMsg("orders.new")
	msg.Header.Set("Nats-Msg-Id", "order-1")
	msg.Header.Set("Nats-Expected-Stream", "ORDERS")
	msg.Header.Set("X-Trace", "abc")
	msg.Data = []byte("payload")
	deadLetter(t, d, msg)

	finished := watchRedrive(t, d.nc, "FINISHED")
	started := redrive(t, d.nc, "START.DLQ", `{"mode":"republish","action":"copy"}`)
	if task := nextRedrive(t, finished, started.Task.ID); task.Done != 1 || task.Failed != 0 {
		t.Fatalf("task %+v", task)
	}
	got, err := d.src.GetMsg(ctx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"X-Trace": "abc", "Nats-Msg-Id": "hf-redrive-" + started.Task.ID + "-1",
		"Holdfast-Redrive-Origin": "DLQ/1", "Holdfast-Redrive-Task": started.Task.ID}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	for k := range got.Header {
		if k == "Nats-Expected-Stream" || len(k) > len("Holdfast-Dlq-") && k[:len("Holdfast-Dlq-")] == "Holdfast-Dlq-" {
			t.Errorf("republished with header %s: %v", k, got.Header)
		}
	}
	if got.Subject != "orders.new" || string(got.Data) != "payload" {
		t.Fatalf("republished %s %q", got.Subject, got.Data)
	}
	// The consumer sees it as a new message.
	if md, _ := fetchOne(t, d.c).Metadata(); md.Sequence.Stream != 2 || md.NumDelivered != 1 {
		t.Fatalf("delivery %+v", md)
	}

	started = redrive(t, d.nc, "START.DLQ", `{"mode":"republish","subject":"retry.orders"}`)
	if task := nextRedrive(t, finished, started.Task.ID); task.Done != 1 {
		t.Fatalf("task %+v", task)
	}
	if got, err = retry.GetMsg(ctx(t), 1); err != nil || got.Subject != "retry.orders" || got.Header.Get("X-Trace") != "abc" {
		t.Fatalf("republished to retry: %v %+v", err, got)
	}
	if n := streamMsgs(t, d.dlq); n != 0 {
		t.Fatalf("DLQ has %d messages after a move, want 0", n)
	}

	// Nothing captures the subject: the dead letter is counted as failed.
	deadLetter(t, d, subjects("orders.new")...)
	started = redrive(t, d.nc, "START.DLQ", `{"mode":"republish","subject":"nowhere.x"}`)
	if task := nextRedrive(t, finished, started.Task.ID); task.Failed != 1 || task.LastError != "dead letter 2: no stream captures nowhere.x" {
		t.Fatalf("task %+v", task)
	}
}

// TestDeadLetterRedriveControl: PAUSE, RESUME and CANCEL change a task's
// state where that makes sense (19022 otherwise), INFO and LIST report it,
// and invalid requests are refused.
func TestDeadLetterRedriveControl(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	deadLetter(t, d, subjects("orders.a", "orders.b", "orders.c", "orders.d")...)
	cancelled := watchRedrive(t, d.nc, "CANCELLED")
	startedAdv := watchRedrive(t, d.nc, "STARTED")
	// One message a minute: the task waits after its first message.
	started := redrive(t, d.nc, "START.DLQ", `{"mode":"reopen","action":"copy","rate":0.0166}`)
	id := started.Task.ID
	if a := nextRedrive(t, startedAdv, id); a.State != "running" || a.UpTo != 4 {
		t.Fatalf("started advisory %+v", a)
	}
	if r := redrive(t, d.nc, "PAUSE."+id, ""); r.Task.State != "paused" {
		t.Fatalf("pause %s", r.raw)
	}
	wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.PAUSE."+id, ""), 19022, "task "+id+" is paused")
	if r := redrive(t, d.nc, "INFO."+id, ""); r.Task.State != "paused" {
		t.Fatalf("info %s", r.raw)
	}
	if r := redrive(t, d.nc, "RESUME."+id, ""); r.Task.State != "running" {
		t.Fatalf("resume %s", r.raw)
	}
	wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.RESUME."+id, ""), 19022, "")
	if r := redrive(t, d.nc, "CANCEL."+id, ""); r.Task.State != "cancelled" {
		t.Fatalf("cancel %s", r.raw)
	}
	task := nextRedrive(t, cancelled, id)
	if task.State != "cancelled" || task.Done >= 4 {
		t.Fatalf("cancelled task %+v", task)
	}
	wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.RESUME."+id, ""), 19022, "task "+id+" is cancelled")
	wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.CANCEL."+id, ""), 19022, "")

	other := redrive(t, d.nc, "START.DLQ", `{"mode":"reopen","action":"copy","rate":0.0166,"filter":{"stream":"NONE"}}`)
	list := redrive(t, d.nc, "LIST", "")
	if len(list.Tasks) != 2 || list.Tasks[0].ID != id || list.Tasks[1].ID != other.Task.ID {
		t.Fatalf("list %s", list.raw)
	}
	if list = redrive(t, d.nc, "LIST", `{"dlq":"ELSEWHERE"}`); len(list.Tasks) != 0 {
		t.Fatalf("list of another DLQ %s", list.raw)
	}

	t.Run("errors", func(t *testing.T) {
		for _, body := range []string{
			`{}`, `{"mode":"reopen","action":"delete"}`, `{"mode":"reopen","rate":-1}`,
			`{"mode":"reopen","subject":"x"}`, `{"mode":"republish","subject":"a.*"}`,
			`{"mode":"reopen","filter":{"subject":"a..b"}}`, `{"mode":"reopen","filter":{"seq_from":5,"seq_to":2}}`,
			`{"mode":"reopen","filter":{"reason":"bored"}}`,
		} {
			wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.START.DLQ", body), 19020, "")
		}
		wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.START.DLQ", `{"mode":"reopen","bogus":1}`), 10025, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.START.NOPE", `{"mode":"reopen"}`), 10059, "")
		wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.INFO.nope", ""), 19021, "redrive task not found")
		wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.PAUSE.nope", ""), 19021, "")
	})
}

// TestDeadLetterRedriveRestart: a task's progress survives a restart. A
// paused task stays paused and finishes after RESUME; a running task goes
// on by itself. Every dead letter is republished exactly once.
func TestDeadLetterRedriveRestart(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	createStream(t, d.js, jetstream.StreamConfig{Name: "RETRY", Subjects: []string{"retry.>"}, Storage: jetstream.FileStorage})
	deadLetter(t, d, subjects("orders.1", "orders.2", "orders.3", "orders.4", "orders.5")...)

	// No subtests: the restarted server and connection belong to t.
	for _, pause := range []bool{true, false} {
		func() {
			target := "retry.paused"
			if !pause {
				target = "retry.running"
			}
			arrived, err := d.nc.SubscribeSync(target)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.nc.Flush(); err != nil {
				t.Fatal(err)
			}
			started := redrive(t, d.nc, "START.DLQ", `{"mode":"republish","action":"copy","rate":4,"subject":"`+target+`"}`)
			id := started.Task.ID
			if _, err := arrived.NextMsg(10 * time.Second); err != nil {
				t.Fatalf("first republish: %v", err)
			}
			var before redriveTask
			if pause {
				before = *redrive(t, d.nc, "PAUSE."+id, "").Task
			}
			d.restart(t)
			finished := watchRedrive(t, d.nc, "FINISHED")
			info := redrive(t, d.nc, "INFO."+id, "")
			if pause {
				if info.Task.State != "paused" || info.Task.Done < before.Done || info.Task.LastSeq != info.Task.Done {
					t.Fatalf("after restart %s, before %+v", info.raw, before)
				}
				info = redrive(t, d.nc, "RESUME."+id, "")
			}
			task := *info.Task
			if task.State != "finished" {
				task = nextRedrive(t, finished, id)
			}
			if task.State != "finished" || task.Matched != 5 || task.Done != 5 || task.Failed != 0 {
				t.Fatalf("task %+v", task)
			}
			retry, err := d.js.Stream(ctx(t), "RETRY")
			if err != nil {
				t.Fatal(err)
			}
			info2, err := retry.Info(ctx(t), jetstream.WithSubjectFilter(target))
			if err != nil {
				t.Fatal(err)
			}
			if n := info2.State.Subjects[target]; n != 5 {
				t.Fatalf("%s has %d messages, want 5: %v", target, n, info2.State.Subjects)
			}
		}()
	}
}

// TestDeadLetterRedriveCrash: a republishing task killed with SIGKILL in
// the middle resumes after the restart and republishes every dead letter
// exactly once: what it repeats, the target stream drops by Nats-Msg-Id.
func TestDeadLetterRedriveCrash(t *testing.T) {
	if servertest.External() {
		t.Skip("runs the holdfast binary")
	}
	bin, dir := buildHoldfast(t), t.TempDir()
	p := startHoldfast(t, bin, dir)
	d := &dlqSetup{nc: connectURL(t, p.url)}
	var err error
	if d.js, err = jetstream.New(d.nc); err != nil {
		t.Fatal(err)
	}
	d.src = createStream(t, d.js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.FileStorage})
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	createStream(t, d.js, jetstream.StreamConfig{Name: "RETRY", Subjects: []string{"retry.>"}, Storage: jetstream.FileStorage})
	if d.c, err = d.src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "DLQ"}}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var msgs []*nats.Msg
	for i := range n {
		msgs = append(msgs, subjects("orders."+strconv.Itoa(i))...)
	}
	deadLetter(t, d, msgs...)
	arrived, err := d.nc.SubscribeSync("retry.x")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	id := redrive(t, d.nc, "START.DLQ", `{"mode":"republish","subject":"retry.x","rate":40}`).Task.ID
	for range 3 {
		if _, err := arrived.NextMsg(10 * time.Second); err != nil {
			t.Fatalf("republish: %v", err)
		}
	}
	d.nc.Close()
	p.kill()

	p = startHoldfast(t, bin, dir)
	nc := connectURL(t, p.url)
	finished := watchRedrive(t, nc, "FINISHED")
	task := *redrive(t, nc, "INFO."+id, "").Task
	if task.State != "finished" {
		task = nextRedrive(t, finished, id)
	}
	if task.State != "finished" || task.Failed != 0 {
		t.Fatalf("task %+v", task)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]uint64{"RETRY": n, "DLQ": 0} {
		st, err := js.Stream(ctx(t), name)
		if err != nil {
			t.Fatal(err)
		}
		if got := streamMsgs(t, st); got != want {
			t.Fatalf("%s has %d messages, want %d (task %+v)", name, got, want, task)
		}
	}
}

func connectURL(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestDeadLetterRedriveNoCheckpoint: a task whose checkpoint cannot be
// written is not started (19023), rather than run without one.
func TestDeadLetterRedriveNoCheckpoint(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	// A file where the task directories go.
	if err := os.WriteFile(filepath.Join(d.s.Opts.StoreDir, "jetstream", "$G", "redrive"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, request(t, d.nc, "$HF.API.DLQ.REDRIVE.START.DLQ", `{"mode":"reopen"}`), 19023, "")
	if l := redrive(t, d.nc, "LIST", ""); len(l.Tasks) != 0 {
		t.Fatalf("list %s", l.raw)
	}
}
