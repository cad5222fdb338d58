package monitor

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// keyPaths lists every object key in a JSON document as a dotted path, with
// [] for array elements.
func keyPaths(t *testing.T, doc []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				out = append(out, path+"."+k)
				walk(e, path+"."+k)
			}
		case []any:
			for _, e := range v {
				walk(e, path+"[]")
			}
		}
	}
	walk(v, "")
	slices.Sort(out)
	return slices.Compact(out)
}

// TestJszFieldsMatchNATSServer renders /jsz for the workload captured in
// testdata from nats-server 2.15.2 (one file stream with three messages and a
// pull consumer, queried with streams, consumers and config) and compares the
// field names. Stream and consumer configs are jsapi's and checked there.
func TestJszFieldsMatchNATSServer(t *testing.T) {
	want, err := os.ReadFile("testdata/jsz-nats-server-2.15.2.json")
	if err != nil {
		t.Fatal(err)
	}
	first, last := t0.Add(-time.Minute), t0
	stats := JetStreamStats{Store: 126, Accounts: 1, API: APIStats{Level: 1, Total: 5, Errors: 1}}
	js := &fakeJetStream{snap: JetStreamSnapshot{
		Config: JetStreamConfig{MaxMemory: 1 << 30, MaxStore: 1 << 40, StoreDir: "/data/jetstream", SyncInterval: 2 * time.Minute, Strict: true},
		Limits: JetStreamLimits{DefaultMaxConsumers: 1000},
		Stats:  stats,
		Accounts: []AccountSnapshot{{Name: GlobalAccount, Stats: stats, Streams: []StreamSnapshot{{
			Info: jsapi.StreamInfo{
				Config:  jsapi.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}},
				Created: t0,
				Cluster: &jsapi.ClusterInfo{Leader: "srv"},
				State:   jsapi.StreamState{Msgs: 3, Bytes: 126, FirstSeq: 1, FirstTime: first, LastSeq: 3, LastTime: last, NumSubjects: 1, Consumers: 1},
			},
			Consumers: []ConsumerSnapshot{{Info: jsapi.ConsumerInfo{Stream: "ORDERS", Name: "C1", Created: t0, NumPending: 3, TimeStamp: t0}}},
		}}}},
	}}
	h := newTestHandler(&fakeServer{info: Info{JetStream: true}}, js)
	rec := get(t, h, "/jsz?streams=true&consumers=true&config=true")
	inConfig := func(p string) bool { return strings.Contains(p, "_detail[].config.") }
	got := slices.DeleteFunc(keyPaths(t, rec.Body.Bytes()), inConfig)
	ref := slices.DeleteFunc(keyPaths(t, want), inConfig)
	for _, p := range ref {
		if !slices.Contains(got, p) {
			t.Errorf("holdfast lacks %s", p)
		}
	}
	for _, p := range got {
		if !slices.Contains(ref, p) {
			t.Errorf("holdfast adds %s", p)
		}
	}
}
