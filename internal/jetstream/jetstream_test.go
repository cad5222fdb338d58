package jetstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// inbox collects the messages delivered to one subscription.
type inbox struct {
	ch chan recMsg
}

type recMsg struct {
	subject string
	hdr     []byte
	data    []byte
}

func (in *inbox) Deliver(_ *broker.Subscription, subj, _, hdr, payload []byte) {
	in.ch <- recMsg{string(subj), bytes.Clone(hdr), bytes.Clone(payload)}
}

// next waits for one message; the timeout only bounds a failing test.
func (in *inbox) next(t testing.TB) recMsg {
	t.Helper()
	select {
	case m := <-in.ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no reply")
		return recMsg{}
	}
}

// empty asserts nothing was delivered (deliveries are synchronous here).
func (in *inbox) empty(t *testing.T) {
	t.Helper()
	select {
	case m := <-in.ch:
		t.Fatalf("unexpected message %q %q", m.hdr, m.data)
	default:
	}
}

type testJS struct {
	*JetStream
	b     *broker.Broker
	in    *inbox
	clock atomic.Int64
}

func newTestJS(t testing.TB, mod func(*Options)) *testJS {
	t.Helper()
	b := broker.New(broker.Options{})
	opts := Options{Broker: b, StoreDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	if mod != nil {
		mod(&opts)
	}
	js, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	tj := &testJS{JetStream: js, b: b, in: &inbox{ch: make(chan recMsg, 64)}}
	tj.clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	js.now = tj.clock.Load
	if err := b.Subscribe(&broker.Subscription{Subject: "_R.>", Owner: tj.in}); err != nil {
		t.Fatal(err)
	}
	return tj
}

func (tj *testJS) start(t testing.TB) {
	t.Helper()
	if err := tj.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tj.Shutdown(context.Background()) })
}

// api sends a request and decodes the reply into v.
func (tj *testJS) api(t testing.TB, subj, body string, v any) {
	t.Helper()
	tj.b.Publish(nil, []byte(subj), []byte("_R.api"), nil, []byte(body))
	m := tj.in.next(t)
	if err := json.Unmarshal(m.data, v); err != nil {
		t.Fatalf("reply %q: %v", m.data, err)
	}
}

func (tj *testJS) create(t testing.TB, cfg string) {
	t.Helper()
	var resp jsapi.StreamCreateResponse
	var c jsapi.StreamConfig
	_ = json.Unmarshal([]byte(cfg), &c)
	tj.api(t, "$JS.API.STREAM.CREATE."+c.Name, cfg, &resp)
	if resp.Error != nil {
		t.Fatalf("create: %v", resp.Error)
	}
}

func (tj *testJS) publish(hdr []byte, subj, data string) {
	tj.b.Publish(nil, []byte(subj), []byte("_R.ack"), hdr, []byte(data))
}

func TestDedupWindow(t *testing.T) {
	d := dedup{window: 10}
	d.add("a", 1, 100, 100)
	d.add("b", 2, 105, 105)
	if seq, ok := d.find("a", 110); !ok || seq != 1 {
		t.Fatalf("a inside window: %d %v", seq, ok)
	}
	if _, ok := d.find("a", 111); ok {
		t.Fatal("a outlived the window")
	}
	if seq, ok := d.find("b", 111); !ok || seq != 2 {
		t.Fatal("b dropped early")
	}
	d.setWindow(0, 111)
	if _, ok := d.find("b", 111); ok {
		t.Fatal("window 0 keeps ids")
	}
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"never", -1, false}, {"NEVER", -1, false}, {"30", int64(30 * time.Second), false},
		{"1m", int64(time.Minute), false}, {"0", 0, false}, {"500ms", 0, true}, {"-5", 0, true},
		{"soon", 0, true}, {"1", int64(time.Second), false},
	}
	for _, tt := range tests {
		got, err := parseTTL(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("parseTTL(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestMetaRoundTripAndCorruption(t *testing.T) {
	dir := t.TempDir()
	m := streamMeta{Config: jsapi.StreamConfig{Name: "S", Subjects: []string{"s.>"}, MaxMsgs: -1},
		Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	if err := writeMeta(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := readMeta(dir)
	if err != nil || got.Config.Name != "S" || !got.Created.Equal(m.Created) {
		t.Fatalf("%+v %v", got, err)
	}
	path := filepath.Join(dir, metaFile)
	data, _ := os.ReadFile(path)
	i := bytes.Index(data, []byte(`"name":"S"`))
	data[i+8] = 'T'
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readMeta(dir); err == nil || !isCorrupt(err) {
		t.Fatalf("corrupt meta accepted: %v", err)
	}
}

func isCorrupt(err error) bool { return err != nil && errorsIs(err, ErrMetaCorrupt) }

// TestQueueFull checks that a full API queue answers 10167 at once
// instead of blocking the publisher.
func TestQueueFull(t *testing.T) {
	tj := newTestJS(t, func(o *Options) { o.QueueLen = 1 })
	// Not started: nothing drains the queue.
	sub := apiSubscriber{tj.JetStream}
	sub.Deliver(nil, []byte("$JS.API.INFO"), []byte("_R.1"), nil, nil)
	tj.in.empty(t)
	sub.Deliver(nil, []byte("$JS.API.INFO"), []byte("_R.2"), nil, nil)
	var resp jsapi.ApiResponse
	if err := json.Unmarshal(tj.in.next(t).data, &resp); err != nil || resp.Error == nil || resp.Error.ErrCode != 10167 {
		t.Fatalf("overflow reply: %+v %v", resp, err)
	}
}

// heldStore holds back durability: Append succeeds but Done is called
// only when the test says so, as a filestore waiting for fsync would.
type heldStore struct {
	store.Store
	mu      sync.Mutex
	waiters []func()
}

func (h *heldStore) Append(subj string, hdr, data []byte, now, ttl int64, w store.Waiter) (uint64, error) {
	seq, err := h.Store.Append(subj, hdr, data, now, ttl, nil)
	if err == nil && w != nil {
		h.mu.Lock()
		h.waiters = append(h.waiters, func() { w.Done(seq, nil) })
		h.mu.Unlock()
	}
	return seq, err
}

func (h *heldStore) sync() {
	h.mu.Lock()
	ws := h.waiters
	h.waiters = nil
	h.mu.Unlock()
	for _, f := range ws {
		f()
	}
}

// TestPubAckAfterDurable checks that neither a PubAck nor the ack of a
// duplicate leaves before the store reported the message durable.
func TestPubAckAfterDurable(t *testing.T) {
	tj := newTestJS(t, nil)
	tj.start(t)
	tj.create(t, `{"name":"S","subjects":["s"],"storage":"memory"}`)
	st := tj.lookup("S")
	held := &heldStore{Store: st.store}
	st.mu.Lock()
	st.store = held
	st.mu.Unlock()

	hdr := proto.AppendHeaderField(proto.AppendHeaderStart(nil, 0, ""), jsapi.MsgIDHeader, "one")
	hdr = proto.AppendHeaderEnd(hdr)
	tj.publish(hdr, "s", "x")
	tj.publish(hdr, "s", "x") // duplicate of a message not yet durable
	tj.in.empty(t)
	held.sync()
	if m := tj.in.next(t); string(m.data) != `{"stream":"S","seq":1}` {
		t.Fatalf("ack: %s", m.data)
	}
	if m := tj.in.next(t); string(m.data) != `{"stream":"S","seq":1,"duplicate": true}` {
		t.Fatalf("duplicate ack: %s", m.data)
	}
}

// TestMessageTTLAndMarkers runs expiry with a controlled clock: a message
// with Nats-TTL expires, a subject delete marker replaces it, and the
// marker's own expiry leaves no new marker.
func TestMessageTTLAndMarkers(t *testing.T) {
	tj := newTestJS(t, nil)
	tj.start(t)
	tj.create(t, `{"name":"T","subjects":["t.*"],"storage":"memory","allow_msg_ttl":true,"subject_delete_marker_ttl":2000000000}`)
	st := tj.lookup("T")
	hdr := proto.AppendHeaderEnd(proto.AppendHeaderField(proto.AppendHeaderStart(nil, 0, ""), jsapi.TTLHeader, "5s"))
	tj.publish(hdr, "t.a", "short-lived")
	if m := tj.in.next(t); string(m.data) != `{"stream":"T","seq":1}` {
		t.Fatalf("ack: %s", m.data)
	}
	tj.publish(nil, "t.b", "forever")
	tj.in.next(t)

	tj.clock.Add(int64(6 * time.Second))
	st.expire()
	if _, err := st.store.Load(1); err == nil {
		t.Fatal("message outlived its TTL")
	}
	m, err := st.store.LoadLast("t.a")
	if err != nil || m.Seq != 3 || string(proto.HeaderGet(m.Header, jsapi.MarkerReasonHeader)) != "MaxAge" ||
		string(proto.HeaderGet(m.Header, jsapi.TTLHeader)) != "2s" || len(m.Data) != 0 {
		t.Fatalf("marker: %+v %v", m, err)
	}
	tj.clock.Add(int64(3 * time.Second))
	st.expire()
	if ss := st.store.State(); ss.Msgs != 1 || ss.LastSeq != 3 {
		t.Fatalf("after marker expiry: %+v", ss)
	}

	// TTL on a stream without allow_msg_ttl, and an invalid TTL.
	tj.create(t, `{"name":"NT","subjects":["nt"],"storage":"memory"}`)
	tj.publish(hdr, "nt", "x")
	if m := tj.in.next(t); !bytes.Contains(m.data, []byte(`"err_code":10166`)) {
		t.Fatalf("ttl disabled: %s", m.data)
	}
	bad := proto.AppendHeaderEnd(proto.AppendHeaderField(proto.AppendHeaderStart(nil, 0, ""), jsapi.TTLHeader, "10ms"))
	tj.publish(bad, "t.c", "x")
	if m := tj.in.next(t); !bytes.Contains(m.data, []byte(`"err_code":10165`)) {
		t.Fatalf("ttl invalid: %s", m.data)
	}
}

// TestMaxAgeExpiry expires by max_age with the controlled clock.
func TestMaxAgeExpiry(t *testing.T) {
	tj := newTestJS(t, nil)
	tj.start(t)
	tj.create(t, `{"name":"A","subjects":["a"],"storage":"memory","max_age":1000000000}`)
	tj.publish(nil, "a", "x")
	tj.in.next(t)
	tj.clock.Add(int64(2 * time.Second))
	tj.lookup("A").expire()
	if ss := tj.lookup("A").store.State(); ss.Msgs != 0 || ss.FirstSeq != 2 {
		t.Fatalf("after max_age: %+v", ss)
	}
}

// TestRecoverSkipsCorruptMeta checks that a stream whose meta file fails
// its checksum is not recovered, and the others are.
func TestRecoverSkipsCorruptMeta(t *testing.T) {
	dir := t.TempDir()
	tj := newTestJS(t, func(o *Options) { o.StoreDir = dir })
	tj.start(t)
	tj.create(t, `{"name":"GOOD","subjects":["good"]}`)
	tj.create(t, `{"name":"BAD","subjects":["bad"]}`)
	tj.publish(nil, "good", "x")
	tj.in.next(t)
	if err := tj.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(tj.streamDir("BAD"), metaFile)
	if err := os.WriteFile(meta, []byte(`{"checksum":"00","meta":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tj2 := newTestJS(t, func(o *Options) { o.StoreDir = dir })
	tj2.start(t)
	if tj2.lookup("BAD") != nil || tj2.lookup("GOOD") == nil {
		t.Fatalf("recovered %d streams", tj2.NumStreams())
	}
	if ss := tj2.lookup("GOOD").store.State(); ss.Msgs != 1 {
		t.Fatalf("GOOD state %+v", ss)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
