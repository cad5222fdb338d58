package test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestDeadLetterMaxDeliveries: a message NAKed on its last allowed delivery
// is copied to the dead-letter stream at once with its headers renamed and
// the Holdfast-Dlq-* headers added, and leaves the interest stream with the
// reason dead_lettered; the NATS MAX_DELIVERIES advisory is still sent.
func TestDeadLetterMaxDeliveries(t *testing.T) {
	d := newDLQSetup(t, jetstream.InterestPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 2, AckWait: time.Minute})
	ci := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	dl := ci.Config.DeadLetter
	if dl == nil || dl.Stream != "DLQ" || dl.SubjectPrefix != "$DLQ.ORDERS.C" || len(dl.On) != 1 || dl.On[0] != "max_deliveries" || dl.History != 16 {
		t.Fatalf("dead_letter config %s", ci.raw)
	}
	if md := ci.Config.Metadata; md["holdfast.dlq.subject_prefix"] != "$DLQ.ORDERS.C" || md["holdfast.dlq.on"] != "max_deliveries" || md["holdfast.dlq.history"] != "16" {
		t.Fatalf("metadata %v", md)
	}
	moved := d.watch(t, "MOVED")
	maxDel, err := d.nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.C")
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("orders.new")
	msg.Header.Set("Nats-Msg-Id", "order-1")
	msg.Header.Set("X-Trace", "abc")
	msg.Data = []byte("payload")
	if _, err := d.js.PublishMsg(ctx(t), msg); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		m := fetchOne(t, d.c)
		if i == 0 {
			if err := m.Nak(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := d.nc.Publish(m.Reply(), []byte(`-NAK {"error":"payment service down"}`)); err != nil {
			t.Fatal(err)
		}
	}
	a := nextAdvisory(t, moved)
	if a.Type != "io.holdfast.advisory.v1.dlq_moved" || a.StreamSeq != 1 || a.Reason != "max_deliveries" ||
		a.Deliveries != 2 || a.DeadLetterStream != "DLQ" || a.DeadLetterSeq != 1 {
		t.Fatalf("moved advisory %+v", a)
	}
	if _, err := maxDel.NextMsg(5 * time.Second); err != nil {
		t.Fatalf("MAX_DELIVERIES advisory: %v", err)
	}

	got, err := d.dlq.GetMsg(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "$DLQ.ORDERS.C.orders.new" || string(got.Data) != "payload" {
		t.Fatalf("dead letter %s %q", got.Subject, got.Data)
	}
	want := map[string]string{
		"Holdfast-Dlq-Reason": "max_deliveries", "Holdfast-Dlq-Stream": "ORDERS", "Holdfast-Dlq-Consumer": "C",
		"Holdfast-Dlq-Subject": "orders.new", "Holdfast-Dlq-Sequence": "1", "Holdfast-Dlq-Deliveries": "2",
		"Holdfast-Dlq-Count": "1", "Holdfast-Dlq-Error": "payment service down",
		"Holdfast-Dlq-Orig-Nats-Msg-Id": "order-1", "X-Trace": "abc",
	}
	for k, v := range want {
		if g := got.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q (all: %v)", k, g, v, got.Header)
		}
	}
	if got.Header.Get("Nats-Msg-Id") != "" {
		t.Errorf("Nats-Msg-Id kept in the dead letter: %v", got.Header)
	}
	for _, k := range []string{"Holdfast-Dlq-Published", "Holdfast-Dlq-Time", "Holdfast-Dlq-First-Delivery", "Holdfast-Dlq-Last-Delivery"} {
		if _, err := time.Parse(time.RFC3339Nano, got.Header.Get(k)); err != nil {
			t.Errorf("header %s = %q: %v", k, got.Header.Get(k), err)
		}
	}
	var hist []struct {
		At    int64  `json:"at"`
		End   string `json:"end"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(got.Header.Get("Holdfast-Dlq-History")), &hist); err != nil {
		t.Fatalf("history %q: %v", got.Header.Get("Holdfast-Dlq-History"), err)
	}
	if len(hist) != 2 || hist[0].End != "nak" || hist[1].End != "nak" || hist[1].Error != "payment service down" {
		t.Fatalf("history %+v", hist)
	}

	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("source keeps %d messages after the move", n)
	}
	ci = consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.DeadLettered["max_deliveries"] != 1 || ci.NumDeadLetterPending != 0 || ci.NumAckPending != 0 || ci.NumParked != 0 {
		t.Fatalf("consumer info %s", ci.raw)
	}
	noNext(t, d.c)
}

// TestDeadLetterTerm: +TERM dead-letters when "terminated" is configured
// (here through the dead_letter field of a raw create request), with the
// reason text in Holdfast-Dlq-Error; a plain ack of another message acks.
func TestDeadLetterTerm(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "OTHER", AckPolicy: jetstream.AckExplicitPolicy})
	r := request(t, d.nc, "$JS.API.CONSUMER.CREATE.ORDERS.C", `{"stream_name":"ORDERS","config":{"durable_name":"C",
		"ack_policy":"explicit","dead_letter":{"stream":"DLQ","on":["terminated"],"subject_prefix":"$DLQ.term"}}}`)
	wantOK(t, r)
	c, err := d.src.Consumer(ctx(t), "C")
	if err != nil {
		t.Fatal(err)
	}
	moved := d.watch(t, "MOVED")
	publishN(t, d.js, "orders.x", 2)
	m1, m2 := fetchOne(t, c), fetchOne(t, c)
	if err := m1.TermWithReason("bad schema"); err != nil {
		t.Fatal(err)
	}
	if err := m2.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	a := nextAdvisory(t, moved)
	if a.Reason != "terminated" || a.StreamSeq != 1 || a.DeadLetterSeq != 1 {
		t.Fatalf("moved advisory %+v", a)
	}
	got, err := d.dlq.GetMsg(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "$DLQ.term.orders.x" || got.Header.Get("Holdfast-Dlq-Reason") != "terminated" ||
		got.Header.Get("Holdfast-Dlq-Error") != "bad schema" || got.Header.Get("Holdfast-Dlq-Deliveries") != "1" {
		t.Fatalf("dead letter %s %v", got.Subject, got.Header)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages, want 1", n)
	}
	// Limits retention: the source keeps both messages.
	if n := streamMsgs(t, d.src); n != 2 {
		t.Fatalf("source has %d messages, want 2", n)
	}
	ci := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.DeadLettered["terminated"] != 1 || ci.Config.DeadLetter == nil || ci.Config.DeadLetter.On[0] != "terminated" {
		t.Fatalf("consumer info %s", ci.raw)
	}
}

// TestDeadLetterStreamMissing: while the dead-letter stream is missing the
// message stays in the source, is never redelivered, and every attempt is
// reported; a late ack changes nothing; once the stream exists (even after
// a restart) exactly one dead letter is written.
func TestDeadLetterStreamMissing(t *testing.T) {
	d := newDLQSetup(t, jetstream.WorkQueuePolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1, AckWait: time.Minute})
	if err := d.js.DeleteStream(ctx(t), "DLQ"); err != nil {
		t.Fatal(err)
	}
	failed := d.watch(t, "FAILED")
	late := d.watch(t, "LATE_ACK")
	publishN(t, d.js, "orders.a", 1)
	m := fetchOne(t, d.c)
	if err := m.Nak(); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, failed); a.StreamSeq != 1 || a.Pending != 1 || a.Error == "" {
		t.Fatalf("failed advisory %+v", a)
	}
	// The client marks a NAKed message done; a buggy or slow worker acks anyway.
	if err := d.nc.Publish(m.Reply(), []byte("+ACK")); err != nil {
		t.Fatal(err)
	}
	if a := nextAdvisory(t, late); a.StreamSeq != 1 || a.Ack != "ack" {
		t.Fatalf("late-ack advisory %+v", a)
	}
	noNext(t, d.c)
	if n := streamMsgs(t, d.src); n != 1 {
		t.Fatalf("source has %d messages, want 1 (held for the dead letter)", n)
	}
	if ci := consumerDLQInfo(t, d.nc, "ORDERS", "C"); ci.NumDeadLetterPending != 1 || ci.NumAckPending != 0 {
		t.Fatalf("consumer info %s", ci.raw)
	}

	d.restart(t)
	if ci := consumerDLQInfo(t, d.nc, "ORDERS", "C"); ci.NumDeadLetterPending != 1 {
		t.Fatalf("after restart: %s", ci.raw)
	}
	noNext(t, d.c)
	moved := d.watch(t, "MOVED")
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.DeadLetterSeq != 1 {
		t.Fatalf("moved advisory %+v", a)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages, want 1", n)
	}
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("work queue keeps %d messages after the move", n)
	}
	d.restart(t)
	if ci := consumerDLQInfo(t, d.nc, "ORDERS", "C"); ci.NumDeadLetterPending != 0 {
		t.Fatalf("after the second restart: %s", ci.raw)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages after restart, want 1", n)
	}
}

// TestDeadLetterAckAllAbove: under AckAll, an ack above a recorded dead
// letter acknowledges the messages around it but not the dead letter.
func TestDeadLetterAckAllAbove(t *testing.T) {
	d := newDLQSetup(t, jetstream.InterestPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckAllPolicy, MaxDeliver: 1, AckWait: time.Minute,
		Metadata: map[string]string{"holdfast.dlq.stream": "DLQ", "holdfast.dlq.on": "terminated"}})
	if err := d.js.DeleteStream(ctx(t), "DLQ"); err != nil {
		t.Fatal(err)
	}
	failed := d.watch(t, "FAILED")
	publishN(t, d.js, "orders.a", 3)
	msgs := fetchN(t, d.c, 3)
	if err := msgs[1].Term(); err != nil {
		t.Fatal(err)
	}
	nextAdvisory(t, failed)
	if err := msgs[2].DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, d.src); n != 1 {
		t.Fatalf("source has %d messages, want only the dead letter", n)
	}
	ci := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.NumDeadLetterPending != 1 || ci.NumAckPending != 0 {
		t.Fatalf("consumer info %s", ci.raw)
	}
	moved := d.watch(t, "MOVED")
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	if a := nextAdvisory(t, moved); a.StreamSeq != 2 || a.Reason != "terminated" {
		t.Fatalf("moved advisory %+v", a)
	}
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("source has %d messages after the move", n)
	}
}

// TestDeadLetterConfig: validation errors use holdfast's codes; an update
// that carries neither the field nor the keys keeps the setting; removal is
// explicit; nak_backoff round-trips.
func TestDeadLetterConfig(t *testing.T) {
	d := newDLQSetup(t, jetstream.LimitsPolicy, jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	createStream(t, d.js, jetstream.StreamConfig{Name: "CLOSED", Subjects: []string{"closed.>"}})
	createStream(t, d.js, jetstream.StreamConfig{Name: "NARROW", Subjects: []string{"dlq.other.>"},
		Metadata: map[string]string{"holdfast.dlq.accept": "ORDERS"}})
	create := func(body string) apiReply {
		return request(t, d.nc, "$JS.API.CONSUMER.CREATE.ORDERS.X", `{"stream_name":"ORDERS","config":{"durable_name":"X",`+body+`}}`)
	}
	for _, tc := range []struct {
		body string
		code int
	}{
		{`"ack_policy":"explicit","dead_letter":{"stream":"NOPE"}`, 19002},
		{`"ack_policy":"none","dead_letter":{"stream":"DLQ"}`, 19003},
		{`"ack_policy":"explicit","dead_letter":{"stream":"ORDERS"}`, 19004},
		{`"ack_policy":"explicit","dead_letter":{"stream":"CLOSED"}`, 19005},
		{`"ack_policy":"explicit","dead_letter":{"stream":"NARROW"}`, 19007},
		{`"ack_policy":"explicit","dead_letter":{"stream":"DLQ","on":["sometimes"]}`, 19001},
		{`"ack_policy":"explicit","metadata":{"holdfast.dlq.stream":"DLQ","holdfast.dlq.history":"x"}`, 19001},
		{`"ack_policy":"explicit","nak_backoff":[-1]`, 19008},
	} {
		wantAPIError(t, create(tc.body), tc.code, "")
	}
	wantOK(t, create(`"ack_policy":"explicit","dead_letter":{"stream":"NARROW","subject_prefix":"dlq.other.x"}`))

	// nats.go round-trips the config without the field: the setting stays.
	upd := jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy, Description: "edited",
		Metadata: map[string]string{"team": "a"}}
	if _, err := d.src.UpdateConsumer(ctx(t), upd); err != nil {
		t.Fatal(err)
	}
	ci := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.Config.DeadLetter == nil || ci.Config.DeadLetter.Stream != "DLQ" || ci.Config.Metadata["team"] != "a" ||
		ci.Config.Metadata["holdfast.dlq.stream"] != "DLQ" {
		t.Fatalf("after an update without the setting: %s", ci.raw)
	}
	// Re-sending what INFO returned is the same config.
	cur, err := d.c.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.src.CreateConsumer(ctx(t), cur.Config); err != nil {
		t.Fatalf("create with the returned config: %v", err)
	}
	upd.Metadata = map[string]string{"holdfast.nak_backoff": "1s,5s"}
	if _, err := d.src.UpdateConsumer(ctx(t), upd); err != nil {
		t.Fatal(err)
	}
	ci = consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if len(ci.Config.NakBackoff) != 2 || ci.Config.NakBackoff[1] != 5*time.Second || ci.Config.DeadLetter == nil {
		t.Fatalf("nak_backoff: %s", ci.raw)
	}
	upd.Metadata = map[string]string{"holdfast.dlq.stream": "none"}
	if _, err := d.src.UpdateConsumer(ctx(t), upd); err != nil {
		t.Fatal(err)
	}
	ci = consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if ci.Config.DeadLetter != nil || ci.Config.Metadata["holdfast.dlq.stream"] != "" || len(ci.Config.NakBackoff) != 2 {
		t.Fatalf("after removal: %s", ci.raw)
	}
	if _, ok := ci.Config.Metadata["holdfast.dlq.stream"]; ok {
		t.Fatalf("removed setting still in metadata: %v", ci.Config.Metadata)
	}
}

// TestDeadLetterMetrics: a move shows in /metrics as the consumer's
// dead-lettered counter and as a removal from the interest stream with the
// reason dead_lettered.
func TestDeadLetterMetrics(t *testing.T) {
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	s := monitored(t, func(o *server.Options) { o.JetStream = true })
	d := newDLQSetupOn(t, s, jetstream.InterestPolicy, jetstream.ConsumerConfig{Durable: "C",
		AckPolicy: jetstream.AckExplicitPolicy, Metadata: map[string]string{"holdfast.dlq.on": "terminated,max_deliveries"}})
	moved := d.watch(t, "MOVED")
	publishN(t, d.js, "orders.a", 2)
	if err := fetchOne(t, d.c).Term(); err != nil {
		t.Fatal(err)
	}
	nextAdvisory(t, moved)
	if err := fetchOne(t, d.c).DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, s)
	labelled := func(name string, want map[string]string) float64 {
		t.Helper()
		for _, m := range fams[name].GetMetric() {
			ok := true
			for _, l := range m.GetLabel() {
				if v, in := want[l.GetName()]; in && v != l.GetValue() {
					ok = false
				}
			}
			if ok {
				return m.GetCounter().GetValue()
			}
		}
		t.Fatalf("%s%v not found", name, want)
		return 0
	}
	if v := labelled("holdfast_consumer_dead_lettered_messages_total", map[string]string{"stream": "ORDERS", "consumer": "C"}); v != 1 {
		t.Fatalf("dead-lettered counter %v, want 1", v)
	}
	for reason, want := range map[string]float64{"dead_lettered": 1, "acked": 1} {
		if v := labelled("holdfast_stream_removed_messages_total", map[string]string{"stream": "ORDERS", "reason": reason}); v != want {
			t.Fatalf("removed{reason=%s} = %v, want %v", reason, v, want)
		}
	}
}

// TestDeadLetterExpired: a per-message TTL about to remove messages the
// consumer still owes (one delivered and unacknowledged, one never
// delivered) waits until their dead letters are durable; then the TTL
// removes them and the consumer never delivers the second one.
func TestDeadLetterExpired(t *testing.T) {
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	d := &dlqSetup{s: jsServer(t)}
	d.connect(t)
	d.src = createStream(t, d.js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Storage: jetstream.FileStorage, AllowMsgTTL: true})
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	var err error
	d.c, err = d.src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: time.Minute, Metadata: map[string]string{"holdfast.dlq.stream": "DLQ", "holdfast.dlq.on": "expired"}})
	if err != nil {
		t.Fatal(err)
	}
	moved := d.watch(t, "MOVED")
	for _, subj := range []string{"orders.a", "orders.b"} {
		if _, err := d.js.Publish(ctx(t), subj, []byte(subj), jetstream.WithMsgTTL(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if md := meta(t, fetchOne(t, d.c)); md.Sequence.Stream != 1 {
		t.Fatalf("delivered seq %d", md.Sequence.Stream)
	}
	got := map[uint64]string{}
	for range 2 {
		a := nextAdvisory(t, moved)
		got[a.StreamSeq] = a.Reason
	}
	if got[1] != "expired" || got[2] != "expired" {
		t.Fatalf("moved %v", got)
	}
	for seq, subj := range map[uint64]string{1: "orders.a", 2: "orders.b"} {
		m, err := d.dlq.GetLastMsgForSubject(ctx(t), "$DLQ.ORDERS.C."+subj)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Holdfast-Dlq-Reason") != "expired" || m.Header.Get("Holdfast-Dlq-Sequence") != strconv.FormatUint(seq, 10) ||
			m.Header.Get("Holdfast-Dlq-Orig-Nats-TTL") != "1s" || m.Header.Get("Nats-TTL") != "" {
			t.Fatalf("dead letter of %d: %v", seq, m.Header)
		}
	}
	// The TTL removed them once their copies were durable.
	if n := streamMsgs(t, d.src); n != 0 {
		t.Fatalf("source keeps %d expired messages", n)
	}
	removed := consumerDLQInfo(t, d.nc, "ORDERS", "C")
	if removed.NumDeadLetterPending != 0 || removed.NumAckPending != 0 || removed.DeadLettered["expired"] != 2 {
		t.Fatalf("consumer info %s", removed.raw)
	}
	noNext(t, d.c)
	if _, err := d.js.Publish(ctx(t), "orders.c", []byte("c")); err != nil {
		t.Fatal(err)
	}
	if md := meta(t, fetchOne(t, d.c)); md.Sequence.Stream != 3 {
		t.Fatalf("next delivery is seq %d, want 3", md.Sequence.Stream)
	}
}

// TestDeadLetterMaxLen: max_msgs about to drop the oldest message, which
// the consumer has not consumed yet, waits for its dead letter; the stream
// then removes it under max_msgs and the consumer starts at the next one.
func TestDeadLetterMaxLen(t *testing.T) {
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	d := &dlqSetup{s: jsServer(t)}
	d.connect(t)
	d.src = createStream(t, d.js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Storage: jetstream.FileStorage, MaxMsgs: 2})
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	var err error
	d.c, err = d.src.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		Metadata: map[string]string{"holdfast.dlq.stream": "DLQ", "holdfast.dlq.on": "maxlen"}})
	if err != nil {
		t.Fatal(err)
	}
	moved := d.watch(t, "MOVED")
	publishN(t, d.js, "orders.a", 3)
	if a := nextAdvisory(t, moved); a.StreamSeq != 1 || a.Reason != "maxlen" || a.Deliveries != 0 {
		t.Fatalf("moved advisory %+v", a)
	}
	info, err := d.src.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || info.State.FirstSeq != 2 {
		t.Fatalf("source state %+v", info.State)
	}
	if n := streamMsgs(t, d.dlq); n != 1 {
		t.Fatalf("dead-letter stream has %d messages", n)
	}
	if md := meta(t, fetchOne(t, d.c)); md.Sequence.Stream != 2 {
		t.Fatalf("first delivery is seq %d, want 2", md.Sequence.Stream)
	}
}
