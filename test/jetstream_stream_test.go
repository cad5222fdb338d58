package test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestJetStreamStreamLifecycle drives create, info, update, names, list and
// delete through the jetstream package.
func TestJetStreamStreamLifecycle(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)

	st := createStream(t, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	info := st.CachedInfo()
	if info.Config.MaxMsgs != -1 || info.Config.Duplicates != 2*time.Minute || info.Config.Replicas != 1 ||
		info.Config.Storage != jetstream.FileStorage || info.Config.MaxMsgSize != -1 {
		t.Fatalf("defaults not applied: %+v", info.Config)
	}
	if info.Created.IsZero() || info.State.FirstSeq != 0 || info.State.LastSeq != 0 {
		t.Fatalf("unexpected info %+v", info)
	}
	// Same config again: idempotent.
	createStream(t, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	// Default subjects are the name.
	createStream(t, js, jetstream.StreamConfig{Name: "plain", Storage: jetstream.MemoryStorage})
	p, err := js.Stream(ctx(t), "plain")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.CachedInfo().Config.Subjects; !slices.Equal(got, []string{"plain"}) {
		t.Fatalf("default subjects %v", got)
	}

	up, err := js.UpdateStream(ctx(t), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>", "returns.*"},
		MaxMsgs: 10, Description: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if c := up.CachedInfo().Config; c.MaxMsgs != 10 || c.Description != "orders" || len(c.Subjects) != 2 {
		t.Fatalf("update not applied: %+v", c)
	}

	var names []string
	for n := range js.StreamNames(ctx(t)).Name() {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"ORDERS", "plain"}) {
		t.Fatalf("names %v", names)
	}
	lister := js.ListStreams(ctx(t), jetstream.WithStreamListSubject("returns.x"))
	var listed []string
	for si := range lister.Info() {
		listed = append(listed, si.Config.Name)
	}
	if lister.Err() != nil || !slices.Equal(listed, []string{"ORDERS"}) {
		t.Fatalf("list by subject: %v %v", listed, lister.Err())
	}
	name, err := js.StreamNameBySubject(ctx(t), "orders.new")
	if err != nil || name != "ORDERS" {
		t.Fatalf("stream by subject: %q %v", name, err)
	}

	if err := js.DeleteStream(ctx(t), "ORDERS"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(ctx(t), "ORDERS"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := js.DeleteStream(ctx(t), "ORDERS"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// TestJetStreamLegacyStreamAPI does the same through nc.JetStream().
func TestJetStreamLegacyStreamAPI(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	si, err := js.AddStream(&nats.StreamConfig{Name: "L", Subjects: []string{"l.*"}, Storage: nats.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	if si.Config.Name != "L" || si.Config.MaxConsumers != -1 {
		t.Fatalf("%+v", si.Config)
	}
	if _, err := js.Publish("l.a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	si, err = js.StreamInfo("L")
	if err != nil || si.State.Msgs != 1 {
		t.Fatalf("info: %+v %v", si, err)
	}
	if _, err := js.UpdateStream(&nats.StreamConfig{Name: "L", Subjects: []string{"l.*"}, Storage: nats.FileStorage}); err == nil {
		t.Fatal("storage change accepted")
	}
	var names []string
	for n := range js.StreamNames() {
		names = append(names, n)
	}
	if !slices.Equal(names, []string{"L"}) {
		t.Fatalf("names %v", names)
	}
	if err := js.PurgeStream("L"); err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream("L"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.StreamInfo("L"); !errors.Is(err, nats.ErrStreamNotFound) {
		t.Fatalf("info after delete: %v", err)
	}
	ai, err := js.AccountInfo()
	if err != nil || ai.Streams != 0 || ai.API.Level < 1 {
		t.Fatalf("account info %+v %v", ai, err)
	}
}

// TestJetStreamCreateErrors checks each rejected create with nats-server's
// exact err_code and description.
func TestJetStreamCreateErrors(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.TAKEN", `{"name":"TAKEN","subjects":["taken.>"]}`))
	tests := []struct {
		name, subj, body string
		code             int
		desc             string
	}{
		{"name mismatch", "X", `{"name":"Y"}`, 10056, "stream name in subject does not match request"},
		{"empty body", "X", ``, 10056, ""},
		{"path separator", `a\b`, `{"name":"a\\b"}`, 10128, "Stream name can not contain path separators"},
		{"wildcard name", "a*", `{"name":"a*"}`, 10052, `stream name is required and can not contain '.', '*', '>', '\', '/'`},
		{"unknown field", "X", `{"name":"X","bogus":1}`, 10025, `invalid JSON: json: unknown field "bogus"`},
		{"replicas", "X", `{"name":"X","num_replicas":3}`, 10074, "replicas > 1 not supported in non-clustered mode"},
		{"negative replicas", "X", `{"name":"X","num_replicas":-1}`, 10133, "replicas count cannot be negative"},
		{"too many replicas", "X", `{"name":"X","num_replicas":6}`, 10052, "maximum replicas is 5"},
		{"max age small", "X", `{"name":"X","max_age":5}`, 10052, "max age needs to be >= 100ms"},
		{"max age negative", "X", `{"name":"X","max_age":-1}`, 10052, "max age can not be negative"},
		{"dup window small", "X", `{"name":"X","duplicate_window":10}`, 10052, "duplicates window needs to be >= 100ms"},
		{"dup window over max age", "X", `{"name":"X","duplicate_window":200000000000,"max_age":100000000000}`, 10052,
			"duplicates window can not be larger then max age"},
		{"duplicate subjects", "X", `{"name":"X","subjects":["x","x"]}`, 10052, `subject "x" overlaps with "x"`},
		{"overlapping subjects", "X", `{"name":"X","subjects":["x.*","x.y"]}`, 10052, `subject "x.*" overlaps with "x.y"`},
		{"invalid subject", "X", `{"name":"X","subjects":["x..y"]}`, 10052, "invalid subject"},
		{"capture all", "X", `{"name":"X","subjects":[">"]}`, 10052, "capturing all subjects requires no-ack to be true"},
		{"api subjects", "X", `{"name":"X","subjects":["$JS.API.>"]}`, 10052, "subjects that overlap with jetstream api require no-ack to be true"},
		{"per subject needs discard new", "X", `{"name":"X","discard_new_per_subject":true}`, 10052,
			"discard new per subject requires discard new policy to be set"},
		{"per subject needs limit", "X", `{"name":"X","discard":"new","discard_new_per_subject":true}`, 10052,
			"discard new per subject requires max msgs per subject > 0"},
		{"sealed", "X", `{"name":"X","sealed":true}`, 10052, "stream configuration for create can not be sealed"},
		{"rollup without purge", "X", `{"name":"X","deny_purge":true,"allow_rollup_hdrs":true}`, 10052, "roll-ups require the purge permission"},
		{"marker ttl", "X", `{"name":"X","subject_delete_marker_ttl":10}`, 10052, "subject delete marker TTL must be at least 1 second"},
		{"mirror direct", "X", `{"name":"X","mirror_direct":true}`, 10052, "stream has no mirror but does have mirror direct"},
		{"description", "X", `{"name":"X","description":"` + strings.Repeat("d", 4097) + `"}`, 10052,
			"stream description is too long, maximum allowed is 4096"},
		{"overlaps other stream", "X", `{"name":"X","subjects":["taken.a"]}`, 10065, "subjects overlap with an existing stream"},
		{"name in use", "TAKEN", `{"name":"TAKEN","subjects":["taken.>"],"max_msgs":5}`, 10058,
			"stream name already in use with a different configuration"},
		{"malformed JSON", "X", `{"name":`, 10025, ""},
		{"not JSON", "X", `nojson`, 10025, ""},
		{"bad retention", "X", `{"name":"X","retention":"forever"}`, 10025, ""},
		{"pedantic limit", "X", `{"name":"X","pedantic":true,"max_msgs":-5}`, 10157, "pedantic mode: max_msgs must be set to -1"},
		{"pedantic consumers", "X", `{"name":"X","pedantic":true,"max_consumers":-5}`, 10157, "pedantic mode: max_consumers must be set to -1"},
		{"pedantic dup window", "X", `{"name":"X","pedantic":true,"max_age":60000000000}`, 10157,
			"pedantic mode: duplicate window cannot be bigger than max age"},
		{"pedantic markers without ttl", "X", `{"name":"X","pedantic":true,"subject_delete_marker_ttl":2000000000}`, 10052,
			"subject delete marker cannot be set if message TTLs are disabled"},
		{"pedantic markers without rollup", "X", `{"name":"X","pedantic":true,"subject_delete_marker_ttl":2000000000,"allow_msg_ttl":true}`, 10052,
			"subject delete marker cannot be set if roll-ups are disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, request(t, nc, "$JS.API.STREAM.CREATE."+tt.subj, tt.body), tt.code, tt.desc)
		})
	}
	// Nothing was created by the failures.
	r := request(t, nc, "$JS.API.STREAM.NAMES", "")
	if !strings.Contains(string(r.raw), `"total":1,`) {
		t.Fatalf("names after failures: %s", r.raw)
	}
}

// TestJetStreamUpdateErrors checks the update rules.
func TestJetStreamUpdateErrors(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.U", `{"name":"U","subjects":["u.>"],"deny_delete":true}`))
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.V", `{"name":"V","subjects":["v.>"]}`))
	tests := []struct {
		name, subj, body string
		code             int
		desc             string
	}{
		{"not found", "NOPE", `{"name":"NOPE"}`, 10059, "stream not found"},
		{"name mismatch", "U", `{"name":"V","subjects":["u.>"]}`, 10056, ""},
		{"storage", "U", `{"name":"U","subjects":["u.>"],"storage":"memory","deny_delete":true}`, 10052,
			"stream configuration update can not change storage type"},
		{"to workqueue", "U", `{"name":"U","subjects":["u.>"],"retention":"workqueue","deny_delete":true}`, 10052,
			"stream configuration update can not change retention policy to/from workqueue"},
		{"cancel deny delete", "U", `{"name":"U","subjects":["u.>"]}`, 10052,
			"stream configuration update can not cancel deny message deletes"},
		{"overlap", "U", `{"name":"U","subjects":["u.>","v.x"],"deny_delete":true}`, 10065, ""},
		{"replicas", "U", `{"name":"U","subjects":["u.>"],"deny_delete":true,"num_replicas":3}`, 10074, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, request(t, nc, "$JS.API.STREAM.UPDATE."+tt.subj, tt.body), tt.code, tt.desc)
		})
	}
	t.Run("seal then unseal", func(t *testing.T) {
		r := request(t, nc, "$JS.API.STREAM.UPDATE.V", `{"name":"V","subjects":["v.>"],"sealed":true}`)
		wantOK(t, r)
		for _, want := range []string{`"sealed":true`, `"deny_delete":true`, `"deny_purge":true`, `"discard":"new"`} {
			if !strings.Contains(string(r.raw), want) {
				t.Fatalf("sealed config lacks %s: %s", want, r.raw)
			}
		}
		wantAPIError(t, request(t, nc, "$JS.API.STREAM.UPDATE.V", `{"name":"V","subjects":["v.>"]}`), 10052,
			"stream configuration update can not unseal a sealed stream")
		wantAPIError(t, request(t, nc, "$JS.API.STREAM.PURGE.V", ""), 10109, "invalid operation on sealed stream")
		m, err := nc.Request("v.x", []byte("x"), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(m.Data), `"err_code":10109`) {
			t.Fatalf("publish to sealed stream: %s", m.Data)
		}
	})
}

// TestJetStreamMiscAPIErrors covers the remaining request errors.
func TestJetStreamMiscAPIErrors(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.M", `{"name":"M","deny_purge":true,"deny_delete":true}`))
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.INFO.NOPE", ""), 10059, "stream not found")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.DELETE.M", "x"), 10038, "expected an empty request payload")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.PURGE.M", ""), 10110, "stream purge not permitted")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.DELETE.M", `{"seq":1}`), 10057, "message delete not permitted")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.GET.NOPE", `{"seq":1}`), 10059, "")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.INFO.M", `{"bogus":true}`), 10025, "")
	r := request(t, nc, "$JS.API.STREAM.INFO.NOPE", "")
	if !strings.Contains(string(r.raw), `"total":0,"offset":0,"limit":0`) {
		t.Fatalf("info error lacks paging fields: %s", r.raw)
	}
	r = request(t, nc, "$JS.API.STREAM.NAMES", `{"subject":"zzz"}`)
	if !strings.Contains(string(r.raw), `"streams":null`) {
		t.Fatalf("empty names: %s", r.raw)
	}
	r = request(t, nc, "$JS.API.STREAM.LIST", `{"subject":"zzz"}`)
	if !strings.Contains(string(r.raw), `"streams":[]`) {
		t.Fatalf("empty list: %s", r.raw)
	}
	// Unknown API subjects get no reply at all.
	if _, err := nc.Request("$JS.API.STREAM.FROB.M", nil, 200*time.Millisecond); err == nil {
		t.Fatal("reply to an unknown API subject")
	}
}

// TestJetStreamNamesPaging pages through more streams than one page holds.
func TestJetStreamNamesPaging(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	const n = 300
	for i := range n {
		createStream(t, js, jetstream.StreamConfig{Name: fmt.Sprintf("P%03d", i), Storage: jetstream.MemoryStorage})
	}
	r := request(t, nc, "$JS.API.STREAM.LIST", `{"offset":250}`)
	if !strings.Contains(string(r.raw), `"total":300,"offset":250,"limit":256`) {
		t.Fatalf("list page: %.200s", r.raw)
	}
	count := 0
	lister := js.ListStreams(ctx(t))
	for range lister.Info() {
		count++
	}
	if lister.Err() != nil || count != n {
		t.Fatalf("listed %d: %v", count, lister.Err())
	}
}

// TestJetStreamClusterOnlyEndpoints checks the answers of a standalone server.
func TestJetStreamClusterOnlyEndpoints(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.S", `{"name":"S"}`))
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.LEADER.STEPDOWN.S", ""), 10010, "JetStream clustering support required")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.PEER.REMOVE.S", `{"peer":"x"}`), 10010, "JetStream clustering support required")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.SNAPSHOT.NOPE", `{"deliver_subject":"x"}`), 10059, "stream not found")
}

// TestJetStreamConfigRoundTrip checks first_seq, compression, metadata and
// per-subject history under discard new (the KV shape).
func TestJetStreamConfigRoundTrip(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	c := ctx(t)
	st := createStream(t, js, jetstream.StreamConfig{Name: "CFG", Subjects: []string{"cfg.*"}, FirstSeq: 100,
		Compression: jetstream.S2Compression, Metadata: map[string]string{"team": "a"},
		MaxMsgsPerSubject: 2, Discard: jetstream.DiscardNew, MaxMsgs: 3})
	cfg := st.CachedInfo().Config
	if cfg.Compression != jetstream.S2Compression || cfg.Metadata["team"] != "a" || cfg.Metadata["_nats.req.level"] != "0" ||
		cfg.Metadata["_nats.ver"] == "" || cfg.Metadata["_nats.level"] == "" {
		t.Fatalf("config %+v", cfg)
	}
	for i, subj := range []string{"cfg.a", "cfg.a", "cfg.a", "cfg.b"} {
		ack, err := js.Publish(c, subj, []byte("x"))
		if err != nil || ack.Sequence != uint64(100+i) {
			t.Fatalf("publish %d: %+v %v", i, ack, err)
		}
	}
	// Three messages stored: cfg.a kept its newest two. A new subject now
	// exceeds max_msgs, but one already at its per-subject limit replaces
	// its oldest.
	_, err := js.Publish(c, "cfg.c", []byte("x"))
	wantJSErr(t, err, 10077)
	if _, err := js.Publish(c, "cfg.a", []byte("x")); err != nil {
		t.Fatalf("publish on a full subject: %v", err)
	}
	info, err := st.Info(c)
	if err != nil || info.State.Msgs != 3 || info.State.FirstSeq != 102 || info.State.LastSeq != 104 {
		t.Fatalf("state %+v %v", info.State, err)
	}
}

// TestJetStreamStreamAdvisories checks the create, modify and delete advisories.
func TestJetStreamStreamAdvisories(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	sub, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.STREAM.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	createStream(t, js, jetstream.StreamConfig{Name: "ADV"})
	if _, err := js.UpdateStream(ctx(t), jetstream.StreamConfig{Name: "ADV", MaxMsgs: 5}); err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctx(t), "ADV"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ subj, action string }{
		{"$JS.EVENT.ADVISORY.STREAM.CREATED.ADV", "create"},
		{"$JS.EVENT.ADVISORY.STREAM.UPDATED.ADV", "modify"},
		{"$JS.EVENT.ADVISORY.STREAM.DELETED.ADV", "delete"},
	} {
		m := next(t, sub)
		if m.Subject != want.subj || !strings.Contains(string(m.Data), `"type":"io.nats.jetstream.advisory.v1.stream_action"`) ||
			!strings.Contains(string(m.Data), `"stream":"ADV","action":"`+want.action+`"`) {
			t.Fatalf("advisory on %s: %s", m.Subject, m.Data)
		}
	}
}
