package monitor

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeServer is a Server with fixed snapshots.
type fakeServer struct {
	info   Info
	stats  Stats
	open   []Conn
	closed []Conn
	subs   []Sub
}

func (f *fakeServer) Info() Info                 { return f.info }
func (f *fakeServer) Stats() Stats               { return f.stats }
func (f *fakeServer) Subs() []Sub                { return slices.Clone(f.subs) }
func (f *fakeServer) SublistStats() SublistStats { return SublistStats{Subscriptions: len(f.subs)} }
func (f *fakeServer) Conns(state ConnState, _ bool) []Conn {
	switch state {
	case ConnOpen:
		return slices.Clone(f.open)
	case ConnClosed:
		return slices.Clone(f.closed)
	}
	return append(slices.Clone(f.open), f.closed...)
}

// fakeJetStream is a JetStream provider with a fixed snapshot.
type fakeJetStream struct {
	health     error
	serverOnly bool // the last Health call's argument
	snap       JetStreamSnapshot
}

func (f *fakeJetStream) Health(serverOnly bool) error {
	f.serverOnly = serverOnly
	if serverOnly {
		return nil
	}
	return f.health
}
func (f *fakeJetStream) Snapshot() *JetStreamSnapshot { s := f.snap; return &s }

func newTestHandler(srv *fakeServer, js JetStream) *Handler {
	return New(Options{
		Server:    srv,
		JetStream: func() JetStream { return js },
		Now:       func() time.Time { return t0 },
	})
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("%v\n%s", err, rec.Body)
	}
}

// conns: cid 1..4 with distinct values for every sort key.
func testConns() (open, closed []Conn) {
	open = []Conn{
		{CID: 1, Start: t0.Add(-4 * time.Hour), LastActivity: t0.Add(-1 * time.Second), RTT: 3 * time.Millisecond, NumSubs: 2, PendingBytes: 10, InMsgs: 1, OutMsgs: 40, InBytes: 300, OutBytes: 1, Name: "a"},
		{CID: 2, Start: t0.Add(-1 * time.Hour), LastActivity: t0.Add(-9 * time.Second), RTT: 1 * time.Millisecond, NumSubs: 5, PendingBytes: 30, InMsgs: 7, OutMsgs: 10, InBytes: 100, OutBytes: 3, Name: "b"},
		{CID: 3, Start: t0.Add(-2 * time.Hour), LastActivity: t0.Add(-5 * time.Second), RTT: 700 * time.Microsecond, NumSubs: 1, PendingBytes: 20, InMsgs: 4, OutMsgs: 20, InBytes: 200, OutBytes: 2, Name: "c"},
	}
	closed = []Conn{
		{CID: 4, Start: t0.Add(-3 * time.Hour), LastActivity: t0.Add(-2 * time.Hour), Stop: t0.Add(-90 * time.Minute), Reason: "Slow Consumer (Pending Bytes)", Name: "d"},
		{CID: 5, Start: t0.Add(-3 * time.Hour), LastActivity: t0.Add(-2 * time.Hour), Stop: t0.Add(-60 * time.Minute), Reason: "Client Closed", Name: "e"},
	}
	return open, closed
}

func cids(cz Connz) []uint64 {
	var out []uint64
	for _, c := range cz.Conns {
		out = append(out, c.Cid)
	}
	return out
}

func TestConnzSort(t *testing.T) {
	open, closed := testConns()
	h := newTestHandler(&fakeServer{open: open, closed: closed}, nil)
	for _, tc := range []struct {
		query string
		want  []uint64
	}{
		{"", []uint64{1, 2, 3}},
		{"sort=cid", []uint64{1, 2, 3}},
		{"sort=start", []uint64{1, 3, 2}},
		{"sort=subs", []uint64{2, 1, 3}},
		{"sort=pending", []uint64{2, 3, 1}},
		{"sort=msgs_to", []uint64{1, 3, 2}},
		{"sort=msgs_from", []uint64{2, 3, 1}},
		{"sort=bytes_to", []uint64{2, 3, 1}},
		{"sort=bytes_from", []uint64{1, 3, 2}},
		{"sort=last", []uint64{1, 3, 2}},
		{"sort=idle", []uint64{2, 3, 1}},
		{"sort=uptime", []uint64{1, 3, 2}},
		{"sort=rtt", []uint64{1, 2, 3}},
		{"sort=subs&offset=1&limit=1", []uint64{1}},
		{"sort=subs&offset=9", nil},
		{"state=closed", []uint64{4, 5}},
		{"state=closed&sort=stop", []uint64{5, 4}},
		{"state=closed&sort=reason", []uint64{5, 4}},
		{"state=closed&sort=uptime", []uint64{5, 4}},
		{"state=all", []uint64{1, 2, 3, 4, 5}},
		{"state=any&sort=idle", []uint64{5, 4, 2, 3, 1}},
		{"cid=3", []uint64{3}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var cz Connz
			decode(t, get(t, h, "/connz?"+tc.query), &cz)
			if !slices.Equal(cids(cz), tc.want) || cz.NumConns != len(tc.want) {
				t.Fatalf("cids %v (num_connections %d), want %v", cids(cz), cz.NumConns, tc.want)
			}
		})
	}
}

func TestConnzFields(t *testing.T) {
	open, closed := testConns()
	open[0].Subs = []Sub{{Subject: "x.>", SID: "1", Msgs: 4, CID: 1}, {Subject: "q.*", Queue: "grp", SID: "2", CID: 1}}
	open[0].User, open[0].Account = "alice", GlobalAccount
	h := newTestHandler(&fakeServer{info: Info{ID: "SRV"}, open: open[:1], closed: closed[:1]}, nil)

	var cz Connz
	decode(t, get(t, h, "/connz?subs=1&auth=true"), &cz)
	c := cz.Conns[0]
	if cz.ID != "SRV" || !cz.Now.Equal(t0) || c.RTT != "3ms" || c.Uptime != "4h0m0s" || c.Idle != "1s" ||
		c.Kind != "Client" || c.Type != "nats" || c.Stop != nil || c.AuthorizedUser != "alice" || c.Account != "" || c.NameTag != "$G" ||
		!slices.Equal(c.Subs, []string{"x.>", "q.*"}) || c.SubsDetail != nil {
		t.Errorf("open connection: %+v", c)
	}
	cz = Connz{}
	decode(t, get(t, h, "/connz?subs=detail"), &cz)
	if c := cz.Conns[0]; c.Subs != nil || len(c.SubsDetail) != 2 || c.SubsDetail[1] != (SubDetail{Subject: "q.*", Queue: "grp", Sid: "2", Cid: 1}) || c.AuthorizedUser != "" {
		t.Errorf("subs=detail: %+v", c)
	}
	cz = Connz{}
	decode(t, get(t, h, "/connz?state=closed"), &cz)
	if c := cz.Conns[0]; c.Stop == nil || !c.Stop.Equal(t0.Add(-90*time.Minute)) || c.Reason != "Slow Consumer (Pending Bytes)" ||
		c.Uptime != "1h30m0s" || c.Idle != "30m0s" {
		t.Errorf("closed connection: %+v", c)
	}
	if got := rtt(742123 * time.Nanosecond); got != "742µs" {
		t.Errorf("rtt below 1ms = %q", got)
	}

	for q, want := range map[string]string{
		"sort=nope":              "invalid sorting option: nope",
		"sort=stop":              "sort by stop only valid on closed connections",
		"state=gone":             "Error decoding state for gone",
		"limit=x":                `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`,
		"subs=perhaps":           `Error decoding boolean for 'subs': strconv.ParseBool: parsing "perhaps": invalid syntax`,
		"cid=-1":                 `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax`,
		"state=open&sort=reason": "sort by reason only valid on closed connections",
	} {
		rec := get(t, h, "/connz?"+q)
		if rec.Code != http.StatusBadRequest || rec.Body.String() != want {
			t.Errorf("%s: %d %q, want 400 %q", q, rec.Code, rec.Body, want)
		}
	}
}

func TestUptime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                         "0s",
		59 * time.Second:          "59s",
		61 * time.Second:          "1m1s",
		2*time.Hour + time.Second: "2h0m1s",
		49 * time.Hour:            "2d1h0m0s",
		366 * 24 * time.Hour:      "1y1d0h0m0s",
	} {
		if got := uptime(d); got != want {
			t.Errorf("uptime(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSubjectMatch(t *testing.T) {
	for _, tc := range []struct {
		filter, subj string
		want         bool
	}{
		{"a.b", "a.b", true},
		{"a.*", "a.b", true},
		{"a.*", "a.b.c", false},
		{"a.>", "a.b.c", true},
		{"a.>", "a", false},
		{">", "a", true},
		{"*.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.b.c", "a.b", false},
	} {
		if got := matches(tc.filter, tc.subj); got != tc.want {
			t.Errorf("matches(%q, %q) = %v", tc.filter, tc.subj, got)
		}
	}
	for subj, want := range map[string]bool{"a.b": true, "a.*": false, "a..b": false, "": false, "a.>": false} {
		if literal(subj) != want {
			t.Errorf("literal(%q) != %v", subj, want)
		}
	}
}

func TestHealthz(t *testing.T) {
	recovering := &fakeJetStream{health: errors.New("JetStream stream '$G > ORDERS' could not be recovered")}
	for _, tc := range []struct {
		name    string
		js      JetStream
		enabled bool // configured
		query   string
		code    int
		body    string
	}{
		{"no jetstream configured", nil, false, "", 200, `{"status":"ok"}`},
		{"configured, not running", nil, true, "", 503, `{"status":"unavailable","error":"JetStream not enabled"}`},
		{"configured, not running, enabled-only", nil, true, "?js-enabled-only=true", 503, `{"status":"unavailable","error":"JetStream not enabled"}`},
		{"recovering", recovering, true, "", 503, `{"status":"unavailable","error":"JetStream stream '$G \u003e ORDERS' could not be recovered"}`},
		{"recovering, enabled-only", recovering, true, "?js-enabled-only=true", 200, `{"status":"ok"}`},
		{"recovering, deprecated js-enabled", recovering, true, "?js-enabled=true", 200, `{"status":"ok"}`},
		{"recovering, server-only", recovering, true, "?js-server-only=true", 200, `{"status":"ok"}`},
		{"recovered", &fakeJetStream{}, true, "", 200, `{"status":"ok"}`},
		{"bad option", nil, false, "?js-server-only=x", 400, `Error decoding boolean for 'js-server-only': strconv.ParseBool: parsing "x": invalid syntax`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHandler(&fakeServer{info: Info{JetStream: tc.enabled}}, tc.js)
			rec := get(t, h, "/healthz"+tc.query)
			if rec.Code != tc.code || rec.Body.String() != tc.body {
				t.Fatalf("%d %s, want %d %s", rec.Code, rec.Body, tc.code, tc.body)
			}
		})
	}
	h := newTestHandler(&fakeServer{info: Info{JetStream: true}}, recovering)
	get(t, h, "/healthz?js-server-only=true")
	if !recovering.serverOnly {
		t.Error("js-server-only not passed to the provider")
	}
}

// testJetStream has one account with streams B and A; A has two consumers.
func testJetStream() *fakeJetStream {
	consumer := func(name string, pending uint64) ConsumerSnapshot {
		return ConsumerSnapshot{
			Info:   jsapi.ConsumerInfo{Stream: "A", Name: name, Created: t0, Config: jsapi.ConsumerConfig{Durable: name}, NumPending: pending, NumAckPending: 2, NumRedelivered: 1, NumWaiting: 3},
			Parked: 4, DeadLettered: 5,
		}
	}
	stream := func(name string, msgs uint64, cons ...ConsumerSnapshot) StreamSnapshot {
		return StreamSnapshot{
			Info: jsapi.StreamInfo{
				Config:  jsapi.StreamConfig{Name: name, Subjects: []string{name + ".>"}},
				Created: t0,
				State:   jsapi.StreamState{Msgs: msgs, Bytes: 10 * msgs, FirstSeq: 3, LastSeq: msgs + 2, Consumers: len(cons)},
				Cluster: &jsapi.ClusterInfo{Leader: "srv"},
			},
			Consumers: cons,
			Removed:   map[string]uint64{RemovalMaxAge: 2, RemovalAcked: 7},
		}
	}
	stats := JetStreamStats{Store: 130, Accounts: 1, API: APIStats{Level: 1, Total: 9, Errors: 1},
		APIByType: []APICounts{{Type: "STREAM.CREATE", Requests: 2}, {Type: "CONSUMER.INFO", Requests: 7, Errors: 1}}}
	return &fakeJetStream{snap: JetStreamSnapshot{
		Config: JetStreamConfig{MaxMemory: 1 << 30, MaxStore: 1 << 40, StoreDir: "/data", Strict: true},
		Limits: JetStreamLimits{DefaultMaxConsumers: 1000},
		Stats:  stats,
		Accounts: []AccountSnapshot{{Name: GlobalAccount, Stats: stats, Streams: []StreamSnapshot{
			stream("B", 3),
			stream("A", 10, consumer("c1", 8), consumer("c2", 0)),
		}}},
		Store: StoreStats{
			Fsyncs: 11, BytesWritten: 4096,
			FsyncSeconds: Histogram{Count: 11, Sum: 0.05, Buckets: map[float64]uint64{0.001: 6, 0.01: 11}},
			CommitBatch:  Histogram{Count: 11, Sum: 40, Buckets: map[float64]uint64{1: 3, 8: 11}},
		},
	}}
}

func TestJsz(t *testing.T) {
	h := newTestHandler(&fakeServer{info: Info{ID: "SRV", JetStream: true}}, testJetStream())

	var plain map[string]json.RawMessage
	decode(t, get(t, h, "/jsz"), &plain)
	for _, absent := range []string{"disabled", "account_details"} {
		if _, ok := plain[absent]; ok {
			t.Errorf("/jsz has %q", absent)
		}
	}
	var jz Jsz
	decode(t, get(t, h, "/jsz"), &jz)
	if jz.Streams != 2 || jz.Consumers != 2 || jz.Messages != 13 || jz.Bytes != 130 || jz.Total != 1 ||
		jz.Config.StoreDir != "/data" || jz.Limits == nil || jz.API.Total != 9 || jz.ID != "SRV" {
		t.Errorf("/jsz: %+v", jz)
	}

	jz = Jsz{}
	decode(t, get(t, h, "/jsz?accounts=true"), &jz)
	if len(jz.AccountDetails) != 1 || jz.AccountDetails[0].Name != "$G" || jz.AccountDetails[0].Streams != nil {
		t.Fatalf("accounts=true: %+v", jz.AccountDetails)
	}

	jz = Jsz{}
	decode(t, get(t, h, "/jsz?streams=true"), &jz)
	ss := jz.AccountDetails[0].Streams
	if len(ss) != 2 || ss[0].Name != "A" || ss[1].Name != "B" || ss[0].Config != nil || ss[0].Consumers != nil ||
		ss[0].State.Msgs != 10 || ss[0].Removed[RemovalMaxAge] != 2 || ss[0].Cluster.Leader != "srv" {
		t.Fatalf("streams=true: %+v", ss)
	}

	rec := get(t, h, "/jsz?consumers=true")
	if strings.Contains(rec.Body.String(), `"durable_name"`) {
		t.Errorf("consumer config without config=true:\n%s", rec.Body)
	}
	jz = Jsz{}
	decode(t, rec, &jz)
	cs := jz.AccountDetails[0].Streams[0].Consumers
	if len(cs) != 2 || cs[0].Name != "c1" || cs[0].NumPending != 8 || cs[0].Parked != 4 || cs[0].Config != nil {
		t.Fatalf("consumers=true: %+v", cs)
	}

	jz = Jsz{}
	decode(t, get(t, h, "/jsz?consumers=true&config=true"), &jz)
	if s := jz.AccountDetails[0].Streams[0]; s.Config == nil || s.Config.Name != "A" || s.Consumers[0].Config == nil || s.Consumers[0].Config.Durable != "c1" {
		t.Fatalf("config=true: %+v", s)
	}

	jz = Jsz{}
	decode(t, get(t, h, "/jsz?acc=nobody"), &jz)
	if jz.AccountDetails != nil {
		t.Errorf("acc=nobody: %+v", jz.AccountDetails)
	}
	jz = Jsz{}
	decode(t, get(t, h, "/jsz?accounts=true&offset=1"), &jz)
	if jz.AccountDetails != nil {
		t.Errorf("offset past the accounts: %+v", jz.AccountDetails)
	}

	var v Varz
	decode(t, get(t, h, "/varz"), &v)
	if v.JetStream.Config == nil || v.JetStream.Config.MaxStore != 1<<40 || v.JetStream.Stats.Store != 130 {
		t.Errorf("/varz jetstream: %+v", v.JetStream)
	}
	var az Accountz
	decode(t, get(t, h, "/accountz?acc=$G"), &az)
	if az.Account == nil || !az.Account.JetStream {
		t.Errorf("/accountz jetstream_enabled: %+v", az.Account)
	}
}

func TestJszDisabled(t *testing.T) {
	h := newTestHandler(&fakeServer{info: Info{ID: "SRV"}}, nil)
	rec := get(t, h, "/jsz?accounts=true&streams=true")
	var jz map[string]json.RawMessage
	decode(t, rec, &jz)
	if string(jz["disabled"]) != "true" || string(jz["config"]) != "{\n    \"max_memory\": 0,\n    \"max_storage\": 0\n  }" {
		t.Errorf("/jsz disabled:\n%s", rec.Body)
	}
	for _, absent := range []string{"limits", "account_details"} {
		if _, ok := jz[absent]; ok {
			t.Errorf("/jsz disabled has %q", absent)
		}
	}
	var v map[string]json.RawMessage
	decode(t, get(t, h, "/varz"), &v)
	if string(v["jetstream"]) != "{}" {
		t.Errorf("/varz jetstream = %s, want {}", v["jetstream"])
	}
}

func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := get(t, h, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return fams
}

// sample finds the value of the metric in f whose labels include want.
func sample(f *dto.MetricFamily, want map[string]string) (float64, bool) {
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsServer(t *testing.T) {
	srv := &fakeServer{
		info:  Info{ID: "SRV", Name: "n1", Version: "2.15.2", Build: "0.1.0", Start: t0},
		stats: Stats{Conns: 3, TotalConns: 9, Subscriptions: 4, InMsgs: 10, InBytes: 100, OutMsgs: 20, OutBytes: 200, SlowConsumers: 2, StaleConnections: 1},
	}
	fams := scrape(t, newTestHandler(srv, nil))
	for name, want := range map[string]float64{
		"holdfast_connections":             3,
		"holdfast_connections_total":       9,
		"holdfast_subscriptions":           4,
		"holdfast_in_messages_total":       10,
		"holdfast_in_bytes_total":          100,
		"holdfast_out_messages_total":      20,
		"holdfast_out_bytes_total":         200,
		"holdfast_slow_consumers_total":    2,
		"holdfast_stale_connections_total": 1,
		"holdfast_jetstream_enabled":       0,
		"holdfast_start_time_seconds":      float64(t0.Unix()),
		"holdfast_info":                    1,
	} {
		if got, ok := sample(fams[name], nil); !ok || got != want {
			t.Errorf("%s = %v (%v), want %v", name, got, ok, want)
		}
	}
	if _, ok := fams["holdfast_stream_messages"]; ok {
		t.Error("stream metrics without JetStream")
	}
}

func TestMetricsJetStream(t *testing.T) {
	fams := scrape(t, newTestHandler(&fakeServer{info: Info{JetStream: true}}, testJetStream()))
	a := map[string]string{"account": "$G", "stream": "A"}
	c1 := map[string]string{"account": "$G", "stream": "A", "consumer": "c1"}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"holdfast_jetstream_enabled", nil, 1},
		{"holdfast_jetstream_storage_bytes", nil, 130},
		{"holdfast_jetstream_api_requests_total", map[string]string{"type": "CONSUMER.INFO"}, 7},
		{"holdfast_jetstream_api_errors_total", map[string]string{"type": "CONSUMER.INFO"}, 1},
		{"holdfast_stream_messages", a, 10},
		{"holdfast_stream_bytes", a, 100},
		{"holdfast_stream_first_seq", a, 3},
		{"holdfast_stream_last_seq", a, 12},
		{"holdfast_stream_consumers", a, 2},
		{"holdfast_stream_removed_messages_total", map[string]string{"stream": "A", "reason": "max_age"}, 2},
		{"holdfast_stream_removed_messages_total", map[string]string{"stream": "B", "reason": "acked"}, 7},
		{"holdfast_stream_removed_messages_total", map[string]string{"stream": "B", "reason": "purge"}, 0},
		{"holdfast_consumer_pending_messages", c1, 8},
		{"holdfast_consumer_ack_pending_messages", c1, 2},
		{"holdfast_consumer_redelivered_messages", c1, 1},
		{"holdfast_consumer_waiting_requests", c1, 3},
		{"holdfast_consumer_parked_messages", c1, 4},
		{"holdfast_consumer_dead_lettered_messages_total", c1, 5},
		{"holdfast_store_fsyncs_total", nil, 11},
		{"holdfast_store_written_bytes_total", nil, 4096},
		{"holdfast_store_fsync_seconds", nil, 11},
		{"holdfast_store_commit_batch_messages", nil, 11},
	} {
		if got, ok := sample(fams[tc.name], tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// Every stream exports every removal reason, zeros included.
	if n := len(fams["holdfast_stream_removed_messages_total"].Metric); n != 2*len(RemovalReasons) {
		t.Errorf("%d removal series, want %d", n, 2*len(RemovalReasons))
	}
	if h := fams["holdfast_store_fsync_seconds"].Metric[0].Histogram; h.GetSampleSum() != 0.05 || len(h.Bucket) != 3 || h.Bucket[0].GetCumulativeCount() != 6 {
		t.Errorf("fsync histogram: %v", h)
	}
}

func TestVarzAndRequestStats(t *testing.T) {
	srv := &fakeServer{
		info:  Info{ID: "SRV", Name: "n1", Version: "2.15.2", Port: 4222, HTTPPort: 8222, Start: t0.Add(-90 * time.Second), AuthTimeout: 2 * time.Second, MaxPayload: 1 << 20},
		stats: Stats{Conns: 2, InMsgs: 5, OutMsgs: 6, SlowConsumers: 1, StaleConnections: 2},
	}
	h := newTestHandler(srv, nil)
	get(t, h, "/connz")
	get(t, h, "/varz")
	var v Varz
	decode(t, get(t, h, "/varz"), &v)
	if v.Uptime != "1m30s" || v.AuthTimeout != 2 || v.Connections != 2 || v.InClientMsgs != 5 || v.OutClientMsgs != 6 ||
		v.SlowConsumersStats.Clients != 1 || v.StaleConnectionStats.Clients != 2 || v.HTTPReqStats["/varz"] != 2 ||
		v.HTTPReqStats["/connz"] != 1 || v.HTTPPort != 8222 || v.Cores == 0 {
		t.Errorf("/varz: %+v", v)
	}
	rec := get(t, h, "/varz")
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", rec.Header())
	}
	if rec := get(t, h, "/accountz?acc=other"); rec.Code != http.StatusBadRequest {
		t.Errorf("/accountz?acc=other: %d", rec.Code)
	}
}
