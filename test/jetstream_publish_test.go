package test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pubRaw publishes with headers and a reply, returning the raw PubAck.
func pubRaw(t *testing.T, nc *nats.Conn, subj, data string, hdr map[string]string) string {
	t.Helper()
	m := nats.NewMsg(subj)
	m.Data = []byte(data)
	for k, v := range hdr {
		m.Header[k] = []string{v}
	}
	reply, err := nc.RequestMsg(m, 5*time.Second)
	if err != nil {
		t.Fatalf("publish %s: %v", subj, err)
	}
	return string(reply.Data)
}

// TestJetStreamPublishExpectations publishes with each expectation header.
func TestJetStreamPublishExpectations(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "E", Subjects: []string{"e.*"}})
	c := ctx(t)

	ack, err := js.Publish(c, "e.a", []byte("1"), jetstream.WithMsgID("id-1"), jetstream.WithExpectStream("E"))
	if err != nil || ack.Stream != "E" || ack.Sequence != 1 || ack.Duplicate {
		t.Fatalf("first publish: %+v %v", ack, err)
	}
	_, err = js.Publish(c, "e.a", []byte("x"), jetstream.WithExpectStream("OTHER"))
	wantJSErr(t, err, 10060)

	_, err = js.Publish(c, "e.b", []byte("2"), jetstream.WithExpectLastSequence(1), jetstream.WithMsgID("id-2"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = js.Publish(c, "e.b", []byte("x"), jetstream.WithExpectLastSequence(1))
	wantJSErr(t, err, 10071)

	if _, err := js.Publish(c, "e.a", []byte("3"), jetstream.WithExpectLastSequencePerSubject(1)); err != nil {
		t.Fatal(err)
	}
	_, err = js.Publish(c, "e.a", []byte("x"), jetstream.WithExpectLastSequencePerSubject(1))
	wantJSErr(t, err, 10071)
	// 0 means "no message on the subject yet".
	if _, err := js.Publish(c, "e.c", []byte("4"), jetstream.WithExpectLastSequencePerSubject(0)); err != nil {
		t.Fatal(err)
	}

	_, err = js.Publish(c, "e.a", []byte("x"), jetstream.WithExpectLastMsgID("id-2"))
	wantJSErr(t, err, 10070)

	// The error PubAck has nats-server's exact shape.
	got := pubRaw(t, nc, "e.a", "x", map[string]string{"Nats-Expected-Last-Sequence": "2"})
	want := `{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 4"},"stream":"E","seq":0}`
	if got != want {
		t.Fatalf("error PubAck\n got %s\nwant %s", got, want)
	}
	got = pubRaw(t, nc, "e.a", "x", map[string]string{"Nats-Expected-Last-Msg-Id": "nope"})
	if want := `"description":"wrong last msg ID: "`; !strings.Contains(got, want) {
		t.Fatalf("last msg id PubAck %s", got)
	}
	// Expected last sequence for another subject (or a wildcard).
	got = pubRaw(t, nc, "e.z", "5", map[string]string{
		"Nats-Expected-Last-Subject-Sequence": "3", "Nats-Expected-Last-Subject-Sequence-Subject": "e.a"})
	if got != `{"stream":"E","seq":5}` {
		t.Fatalf("subject-sequence-subject PubAck %s", got)
	}
	got = pubRaw(t, nc, "e.z", "x", map[string]string{
		"Nats-Expected-Last-Subject-Sequence": "3", "Nats-Expected-Last-Subject-Sequence-Subject": "e.*"})
	if !strings.Contains(got, `"err_code":10071,"description":"wrong last sequence: 5"`) {
		t.Fatalf("wildcard subject-sequence PubAck %s", got)
	}
	got = pubRaw(t, nc, "e.z", "x", map[string]string{"Nats-Expected-Last-Subject-Sequence-Subject": "e.a"})
	if !strings.Contains(got, `"err_code":10193`) {
		t.Fatalf("orphan -Subject header PubAck %s", got)
	}

	// Nothing failed was stored.
	info, err := js.Stream(c, "E")
	if err != nil || info.CachedInfo().State.Msgs != 5 {
		t.Fatalf("state after publishes: %+v %v", info.CachedInfo().State, err)
	}
}

// TestJetStreamPublishLegacy uses the legacy JetStreamContext options.
func TestJetStreamPublishLegacy(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: "LP", Subjects: []string{"lp"}}); err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish("lp", []byte("a"), nats.MsgId("m1"))
	if err != nil || ack.Sequence != 1 {
		t.Fatalf("%+v %v", ack, err)
	}
	ack, err = js.Publish("lp", []byte("a"), nats.MsgId("m1"))
	if err != nil || !ack.Duplicate || ack.Sequence != 1 {
		t.Fatalf("duplicate: %+v %v", ack, err)
	}
	_, err = js.Publish("lp", []byte("b"), nats.ExpectLastSequence(7))
	wantJSErr(t, err, 10071)
	_, err = js.Publish("lp", []byte("b"), nats.ExpectLastMsgId("m2"))
	wantJSErr(t, err, 10070)
	_, err = js.Publish("lp", []byte("b"), nats.ExpectStream("X"))
	wantJSErr(t, err, 10060)
	if _, err := js.Publish("lp", []byte("b"), nats.ExpectLastSequencePerSubject(1), nats.ExpectLastMsgId("m1")); err != nil {
		t.Fatal(err)
	}
	// Async publishing completes too.
	for range 100 {
		if _, err := js.PublishAsync("lp", []byte("async")); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(10 * time.Second):
		t.Fatal("async publishes not acknowledged")
	}
	si, err := js.StreamInfo("LP")
	if err != nil || si.State.Msgs != 102 {
		t.Fatalf("%+v %v", si.State, err)
	}
	// No stream for the subject: no responders.
	if _, err := js.Publish("nostream", nil); !errors.Is(err, nats.ErrNoStreamResponse) {
		t.Fatalf("publish without stream: %v", err)
	}
}

// TestJetStreamDedup checks Nats-Msg-Id de-duplication and the duplicate
// PubAck bytes.
func TestJetStreamDedup(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "D", Subjects: []string{"d.>"}})
	if got := pubRaw(t, nc, "d.1", "a", map[string]string{"Nats-Msg-Id": "x"}); got != `{"stream":"D","seq":1}` {
		t.Fatalf("first: %s", got)
	}
	pubRaw(t, nc, "d.2", "b", nil)
	if got := pubRaw(t, nc, "d.3", "c", map[string]string{"Nats-Msg-Id": "x"}); got != `{"stream":"D","seq":1,"duplicate": true}` {
		t.Fatalf("duplicate: %s", got)
	}
	// Expectations are checked before de-duplication.
	got := pubRaw(t, nc, "d.3", "c", map[string]string{"Nats-Msg-Id": "x", "Nats-Expected-Last-Sequence": "1"})
	if !strings.Contains(got, `"err_code":10071`) {
		t.Fatalf("expectation before dedup: %s", got)
	}
	// The id survives a purge.
	d, err := js.Stream(ctx(t), "D")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Purge(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := pubRaw(t, nc, "d.1", "a", map[string]string{"Nats-Msg-Id": "x"}); !strings.Contains(got, `"duplicate": true`) {
		t.Fatalf("after purge: %s", got)
	}
}

// TestJetStreamDedupRestart checks that the de-duplication window and the
// stream's messages survive a restart on the same store directory.
func TestJetStreamDedupRestart(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "R", Subjects: []string{"r.>"}, Duplicates: time.Hour, AllowDirect: true})
	createStream(t, js, jetstream.StreamConfig{Name: "RM", Subjects: []string{"rm"}, Storage: jetstream.MemoryStorage})
	for i, id := range []string{"a", "b", "c"} {
		ack, err := js.Publish(ctx(t), "r."+id, []byte(id), jetstream.WithMsgID(id))
		if err != nil || ack.Sequence != uint64(i+1) {
			t.Fatalf("%+v %v", ack, err)
		}
	}
	nc.Close()

	s = s.Restart()
	nc, js = jsConnect(t, s)
	ack, err := js.Publish(ctx(t), "r.b", []byte("again"), jetstream.WithMsgID("b"))
	if err != nil || !ack.Duplicate || ack.Sequence != 2 {
		t.Fatalf("after restart: %+v %v", ack, err)
	}
	ack, err = js.Publish(ctx(t), "r.d", []byte("d"), jetstream.WithMsgID("d"), jetstream.WithExpectLastMsgID("c"))
	if err != nil || ack.Sequence != 4 {
		t.Fatalf("new message after restart: %+v %v", ack, err)
	}
	st, err := js.Stream(ctx(t), "R")
	if err != nil {
		t.Fatal(err)
	}
	if state := st.CachedInfo().State; state.Msgs != 4 || state.FirstSeq != 1 || state.LastSeq != 4 {
		t.Fatalf("state after restart: %+v", state)
	}
	m, err := st.GetMsg(ctx(t), 2)
	if err != nil || string(m.Data) != "b" || m.Subject != "r.b" {
		t.Fatalf("get after restart: %+v %v", m, err)
	}
	// Memory streams do not survive a restart, as on nats-server.
	if _, err := js.Stream(ctx(t), "RM"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("memory stream after restart: %v", err)
	}
	_ = nc
}

// TestJetStreamLimitsOnPublish covers discard new, max_msg_size, TTL and
// rollup rejections.
func TestJetStreamLimitsOnPublish(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	createStream(t, js, jetstream.StreamConfig{Name: "N", Subjects: []string{"n.*"}, MaxMsgs: 2, Discard: jetstream.DiscardNew, MaxMsgSize: 8})
	createStream(t, js, jetstream.StreamConfig{Name: "NB", Subjects: []string{"nb"}, MaxBytes: 100, Discard: jetstream.DiscardNew})
	createStream(t, js, jetstream.StreamConfig{Name: "NS", Subjects: []string{"ns.*"}, MaxMsgsPerSubject: 1,
		Discard: jetstream.DiscardNew, DiscardNewPerSubject: true, AllowRollup: true})
	createStream(t, js, jetstream.StreamConfig{Name: "O", Subjects: []string{"o.*"}, MaxMsgs: 2})

	for range 2 {
		if _, err := js.Publish(c, "n.a", []byte("ok")); err != nil {
			t.Fatal(err)
		}
	}
	got := pubRaw(t, nc, "n.a", "x", nil)
	if want := `{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"N","seq":0}`; got != want {
		t.Fatalf("discard new\n got %s\nwant %s", got, want)
	}
	got = pubRaw(t, nc, "n.b", "123456789", nil)
	if !strings.Contains(got, `"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"`) {
		t.Fatalf("max_msg_size: %s", got)
	}
	if _, err := js.Publish(c, "nb", make([]byte, 40)); err != nil {
		t.Fatal(err)
	}
	got = pubRaw(t, nc, "nb", strings.Repeat("x", 60), nil)
	if !strings.Contains(got, `"err_code":10077,"description":"maximum bytes exceeded"`) {
		t.Fatalf("max_bytes: %s", got)
	}
	if _, err := js.Publish(c, "ns.a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	got = pubRaw(t, nc, "ns.a", "2", nil)
	if !strings.Contains(got, `"err_code":10077,"description":"maximum messages per subject exceeded"`) {
		t.Fatalf("per subject: %s", got)
	}
	// A rollup bypasses discard_new_per_subject.
	if got := pubRaw(t, nc, "ns.a", "3", map[string]string{"Nats-Rollup": "sub"}); got != `{"stream":"NS","seq":2}` {
		t.Fatalf("rollup on full subject: %s", got)
	}
	// Discard old: the store drops the oldest.
	for range 3 {
		if _, err := js.Publish(c, "o.a", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := js.Stream(c, "O")
	if state := st.CachedInfo().State; state.Msgs != 2 || state.FirstSeq != 2 {
		t.Fatalf("discard old: %+v", state)
	}

	got = pubRaw(t, nc, "o.a", "x", map[string]string{"Nats-TTL": "10s"})
	if !strings.Contains(got, `"code":400,"err_code":10166,"description":"per-message TTL is disabled"`) {
		t.Fatalf("ttl disabled: %s", got)
	}
	got = pubRaw(t, nc, "o.a", "x", map[string]string{"Nats-Rollup": "sub"})
	if !strings.Contains(got, `"code":500,"err_code":10111,"description":"rollup not permitted"`) {
		t.Fatalf("rollup not permitted: %s", got)
	}
	got = pubRaw(t, nc, "ns.b", "x", map[string]string{"Nats-Rollup": "bogus"})
	if !strings.Contains(got, `"err_code":10111,"description":"rollup value invalid: \"bogus\""`) {
		t.Fatalf("rollup invalid: %s", got)
	}
}

// TestJetStreamRollup checks Nats-Rollup sub and all.
func TestJetStreamRollup(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	st := createStream(t, js, jetstream.StreamConfig{Name: "RU", Subjects: []string{"ru.*"}, AllowRollup: true})
	for _, subj := range []string{"ru.a", "ru.a", "ru.b", "ru.a"} {
		if _, err := js.Publish(c, subj, []byte(subj)); err != nil {
			t.Fatal(err)
		}
	}
	if got := pubRaw(t, nc, "ru.a", "roll", map[string]string{"Nats-Rollup": "sub"}); got != `{"stream":"RU","seq":5}` {
		t.Fatalf("rollup sub: %s", got)
	}
	info, err := st.Info(c, jetstream.WithSubjectFilter("ru.*"))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || info.State.Subjects["ru.a"] != 1 || info.State.Subjects["ru.b"] != 1 {
		t.Fatalf("after rollup sub: %+v", info.State)
	}
	if got := pubRaw(t, nc, "ru.c", "all", map[string]string{"Nats-Rollup": "all"}); got != `{"stream":"RU","seq":6}` {
		t.Fatalf("rollup all: %s", got)
	}
	info, err = st.Info(c)
	if err != nil || info.State.Msgs != 1 || info.State.FirstSeq != 6 {
		t.Fatalf("after rollup all: %+v %v", info.State, err)
	}
}

// TestJetStreamCorePublishStored checks that a publish without a reply is
// stored silently, and that no_ack streams never answer.
func TestJetStreamCorePublishStored(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "C", Subjects: []string{"c"}})
	createStream(t, js, jetstream.StreamConfig{Name: "NA", Subjects: []string{"na"}, NoAck: true})
	if err := nc.Publish("c", []byte("fire and forget")); err != nil {
		t.Fatal(err)
	}
	// A later acknowledged publish is stored after the first.
	ack, err := js.Publish(ctx(t), "c", []byte("acked"))
	if err != nil || ack.Sequence != 2 {
		t.Fatalf("%+v %v", ack, err)
	}
	if _, err := nc.Request("na", []byte("x"), 300*time.Millisecond); err == nil {
		t.Fatal("no_ack stream answered")
	}
}

// TestJetStreamInterestNoConsumers checks that an interest stream without
// consumers uses the sequence but keeps nothing.
func TestJetStreamInterestNoConsumers(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "IQ", Subjects: []string{"iq"}, Retention: jetstream.InterestPolicy})
	ack, err := js.Publish(ctx(t), "iq", []byte("x"))
	if err != nil || ack.Sequence != 1 {
		t.Fatalf("%+v %v", ack, err)
	}
	info, err := st.Info(ctx(t))
	if err != nil || info.State.Msgs != 0 || info.State.FirstSeq != 2 || info.State.LastSeq != 1 {
		t.Fatalf("state %+v %v", info.State, err)
	}
}

// TestJetStreamRequiredAPILevel checks Nats-Required-Api-Level on the API.
func TestJetStreamRequiredAPILevel(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	m := nats.NewMsg("$JS.API.INFO")
	m.Header.Set("Nats-Required-Api-Level", "99")
	reply, err := nc.RequestMsg(m, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(reply.Data), `"error":{"code":412,"err_code":10185,"description":"JetStream minimum api level required"}`) {
		t.Fatalf("reply %s", reply.Data)
	}
	m.Header.Set("Nats-Required-Api-Level", "1")
	if reply, err = nc.RequestMsg(m, 5*time.Second); err != nil || strings.Contains(string(reply.Data), `"error"`) {
		t.Fatalf("level 1: %s %v", reply.Data, err)
	}
}
