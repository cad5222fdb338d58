package jsapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// serverDiffers lists json paths where nats.go's tag options differ from
// nats-server's. holdfast follows the server (JETSTREAM-API.md), so these
// are expected; any other difference fails the test.
var serverDiffers = map[string]string{
	// nats.go marks these omitempty; the server always writes them.
	"sealed":            "always written by the server",
	"deny_delete":       "always written by the server",
	"deny_purge":        "always written by the server",
	"allow_rollup_hdrs": "always written by the server",
	"consumer_limits":   "always written by the server (omitempty is a no-op on structs)",
	"allow_msg_ttl":     "always written by the server",
	// nats.go writes these always; the server omits them when empty.
	"placement.cluster":      "omitempty in the server",
	"state.deleted":          "omitempty in the server",
	"state.num_deleted":      "omitempty in the server",
	"state.num_subjects":     "omitempty in the server",
	"state.subjects":         "omitempty in the server",
	"domain":                 "omitempty in the server (AccountInfo)",
	"tiers":                  "omitempty in the server (AccountInfo)",
	"err_code":               "omitempty in the server (ApiError)",
	"mirror.error.err_code":  "omitempty in the server (ApiError)",
	"sources.error.err_code": "omitempty in the server (ApiError)",
}

// jsonField is a json-visible field: its tag options and Go type.
type jsonField struct {
	opts string
	typ  reflect.Type
}

// jsonFields flattens t's json fields into path -> field, following
// embedded structs like encoding/json and descending into nested structs
// (through pointers, slices and maps) with "parent.child" paths.
func jsonFields(t reflect.Type, prefix string, out map[string]jsonField, depth int) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || depth > 6 {
		return
	}
	for f := range t.Fields() {
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			jsonFields(f.Type, prefix, out, depth)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if !hasTag || name == "" {
			name = f.Name
		}
		path := prefix + name
		out[path] = jsonField{opts: opts, typ: f.Type}
		elem := f.Type
		for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice || elem.Kind() == reflect.Map {
			elem = elem.Elem()
		}
		jsonFields(elem, path+".", out, depth+1)
	}
}

// TestJSONTagsCoverNatsGo checks that every json field nats.go knows exists
// in the holdfast type under the same name, with the same omitempty unless
// listed in serverDiffers.
func TestJSONTagsCoverNatsGo(t *testing.T) {
	pairs := []struct {
		name      string
		mine      any
		theirs    any
		checkOpts bool
	}{
		{"jetstream.StreamConfig", StreamConfig{}, jetstream.StreamConfig{}, true},
		{"jetstream.StreamInfo", StreamInfo{}, jetstream.StreamInfo{}, true},
		{"jetstream.ConsumerConfig", ConsumerConfig{}, jetstream.ConsumerConfig{}, true},
		{"jetstream.ConsumerInfo", ConsumerInfo{}, jetstream.ConsumerInfo{}, true},
		{"jetstream.PubAck", PubAck{}, jetstream.PubAck{}, true},
		{"jetstream.AccountInfo", AccountInfo{}, jetstream.AccountInfo{}, true},
		{"jetstream.APIError", ApiError{}, jetstream.APIError{}, true},
		{"jetstream.RawStreamMsg", StoredMsg{}, struct {
			Subject  string    `json:"subject"`
			Sequence uint64    `json:"seq"`
			Header   []byte    `json:"hdrs,omitempty"`
			Data     []byte    `json:"data,omitempty"`
			Time     time.Time `json:"time"`
		}{}, true},
		// The legacy JetStreamContext types are less consistent about
		// omitempty (allow_msg_ttl, external); only names are compared.
		{"nats.StreamConfig", StreamConfig{}, nats.StreamConfig{}, false},
		{"nats.StreamInfo", StreamInfo{}, nats.StreamInfo{}, false},
		{"nats.ConsumerConfig", ConsumerConfig{}, nats.ConsumerConfig{}, false},
		{"nats.ConsumerInfo", ConsumerInfo{}, nats.ConsumerInfo{}, false},
		{"nats.PubAck", PubAck{}, nats.PubAck{}, false},
		{"nats.AccountInfo", AccountInfo{}, nats.AccountInfo{}, false},
		{"nats.APIError", ApiError{}, nats.APIError{}, false},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			mine, theirs := map[string]jsonField{}, map[string]jsonField{}
			jsonFields(reflect.TypeOf(p.mine), "", mine, 0)
			jsonFields(reflect.TypeOf(p.theirs), "", theirs, 0)
			paths := slices.Sorted(func(yield func(string) bool) {
				for k := range theirs {
					if !yield(k) {
						return
					}
				}
			})
			if len(paths) < 3 {
				t.Fatalf("%s: only %d fields found", p.name, len(paths))
			}
			t.Logf("%s: %d nats.go fields, %d holdfast fields", p.name, len(paths), len(mine))
			for _, path := range paths {
				tf := theirs[path]
				mf, ok := mine[path]
				if !ok {
					t.Errorf("%s: field %q missing", p.name, path)
					continue
				}
				if !p.checkOpts || mf.opts == tf.opts {
					continue
				}
				if _, ok := serverDiffers[trimPath(path)]; !ok {
					t.Errorf("%s: field %q has options %q, nats.go %q", p.name, path, mf.opts, tf.opts)
				}
			}
		})
	}
}

// trimPath drops the container prefixes under which a nested type appears,
// so "config.sealed" and "streams.config.sealed" both match "sealed".
func trimPath(path string) string {
	for _, pre := range []string{"config.", "mirror.error.", "sources.error."} {
		if rest, ok := strings.CutPrefix(path, pre); ok {
			if pre != "config." {
				return pre + rest
			}
			path = rest
		}
	}
	if strings.HasSuffix(path, "placement.cluster") {
		return "placement.cluster"
	}
	return path
}

// fullStreamInfo sets every field nats.go understands, with non-default
// enum values, so a decode into nats.go types exercises all of them.
func fullStreamInfo() StreamInfo {
	ts := time.Date(2026, 11, 25, 10, 5, 9, 38481594, time.UTC)
	return StreamInfo{
		Config: StreamConfig{
			Name: "ORDERS", Description: "d", Subjects: []string{"orders.>"},
			Retention: WorkQueuePolicy, MaxConsumers: 5, MaxMsgs: 10, MaxBytes: 1 << 20,
			MaxAge: time.Hour, MaxMsgsPerSubject: 3, MaxMsgSize: 1024, Discard: DiscardNew,
			Storage: MemoryStorage, Replicas: 1, NoAck: true, Duplicates: time.Minute,
			Placement: &Placement{Cluster: "c", Tags: []string{"t"}},
			Sources: []*StreamSource{{
				Name: "SRC", OptStartSeq: 2, OptStartTime: &ts, FilterSubject: "a.>",
				External: &ExternalStream{APIPrefix: "$JS.hub.API", DeliverPrefix: "dl"},
				Consumer: &StreamConsumerSource{Name: "sc", DeliverSubject: "ds"},
			}},
			Compression: S2Compression, FirstSeq: 7,
			SubjectTransform: &SubjectTransformConfig{Source: "orders.>", Destination: "o.>"},
			RePublish:        &RePublish{Source: ">", Destination: "rp.>", HeadersOnly: true},
			AllowDirect:      true, MirrorDirect: false, DiscardNewPerSubject: true,
			Sealed: true, DenyDelete: true, DenyPurge: true, AllowRollup: true,
			ConsumerLimits:         StreamConsumerLimits{InactiveThreshold: time.Second, MaxAckPending: 9},
			AllowMsgTTL:            true,
			SubjectDeleteMarkerTTL: time.Minute, AllowMsgCounter: true, AllowAtomicPublish: true,
			AllowMsgSchedules: true, PersistMode: AsyncPersistMode, AllowBatchPublish: true,
			Metadata: map[string]string{"_nats.level": "5"},
		},
		Created: ts,
		State: StreamState{
			Msgs: 3, Bytes: 120, FirstSeq: 2, FirstTime: ts, LastSeq: 5, LastTime: ts,
			NumSubjects: 2, Subjects: map[string]uint64{"orders.a": 2}, NumDeleted: 1,
			Deleted: []uint64{3}, Lost: &LostStreamData{Msgs: []uint64{4}, Bytes: 10}, Consumers: 1,
		},
		Domain:  "hub",
		Cluster: &ClusterInfo{Name: "c", Leader: "hf1", LeaderSince: &ts, Replicas: []*PeerInfo{{Name: "p", Current: true, Active: time.Second}}},
		Sources: []*StreamSourceInfo{{
			Name: "SRC", Lag: 1, Active: -1, Error: NewError(JSStreamNotFoundErr),
			SubjectTransforms: []SubjectTransformConfig{{Source: "a", Destination: "b"}},
		}},
		Alternates: []StreamAlternate{{Name: "M", Cluster: "c"}},
		TimeStamp:  ts,
	}
}

func fullConsumerInfo() ConsumerInfo {
	ts := time.Date(2026, 11, 25, 10, 5, 9, 1, time.UTC)
	return ConsumerInfo{
		Stream: "ORDERS", Name: "C", Created: ts,
		Config: ConsumerConfig{
			Durable: "C", Name: "C", Description: "d", DeliverPolicy: DeliverByStartTime,
			OptStartTime: &ts, AckPolicy: AckAll, AckWait: time.Second, MaxDeliver: 5,
			BackOff: []time.Duration{time.Second, 2 * time.Second}, FilterSubjects: []string{"a", "b"},
			ReplayPolicy: ReplayOriginal, RateLimit: 100, SampleFrequency: "50%", MaxWaiting: 10,
			MaxAckPending: 20, HeadersOnly: true, MaxRequestBatch: 5, MaxRequestExpires: time.Second,
			MaxRequestMaxBytes: 100, InactiveThreshold: time.Minute, Replicas: 1, MemoryStorage: true,
			Metadata: map[string]string{"k": "v"}, PauseUntil: &ts,
			PriorityGroups: []string{"g"}, PriorityPolicy: PriorityPinnedClient, PinnedTTL: time.Minute,
		},
		Delivered:     SequenceInfo{Consumer: 3, Stream: 4, Last: &ts},
		AckFloor:      SequenceInfo{Consumer: 1, Stream: 2},
		NumAckPending: 2, NumRedelivered: 1, NumWaiting: 1, NumPending: 6,
		Cluster: &ClusterInfo{Leader: "hf1"}, PushBound: true, Paused: true, PauseRemaining: time.Second,
		TimeStamp:      ts,
		PriorityGroups: []PriorityGroupState{{Group: "g", PinnedClientID: "id", PinnedTS: ts}},
	}
}

// TestNatsGoDecodesOurJSON marshals fully populated holdfast values, decodes
// them with nats.go's types and checks representative fields, then encodes
// nats.go's values back and decodes them strictly into ours.
func TestNatsGoDecodesOurJSON(t *testing.T) {
	si := fullStreamInfo()
	var theirSI jetstream.StreamInfo
	roundTripVia(t, &si, &theirSI, &StreamInfo{})
	if theirSI.Config.Retention != jetstream.WorkQueuePolicy || theirSI.Config.Storage != jetstream.MemoryStorage ||
		theirSI.Config.Discard != jetstream.DiscardNew || theirSI.Config.Compression != jetstream.S2Compression ||
		theirSI.Config.PersistMode != jetstream.AsyncPersistMode || !theirSI.Config.AllowMsgTTL ||
		theirSI.State.Subjects["orders.a"] != 2 || theirSI.Sources[0].Error.ErrorCode != 10059 ||
		!theirSI.Created.Equal(si.Created) {
		t.Errorf("nats.go decoded StreamInfo wrongly: %+v", theirSI)
	}
	var legacySI nats.StreamInfo
	roundTripVia(t, &si, &legacySI, &StreamInfo{})

	ci := fullConsumerInfo()
	var theirCI jetstream.ConsumerInfo
	roundTripVia(t, &ci, &theirCI, &ConsumerInfo{})
	if theirCI.Config.AckPolicy != jetstream.AckAllPolicy || theirCI.Config.DeliverPolicy != jetstream.DeliverByStartTimePolicy ||
		theirCI.Config.ReplayPolicy != jetstream.ReplayOriginalPolicy ||
		theirCI.Config.PriorityPolicy != jetstream.PriorityPolicyPinned || theirCI.Delivered.Stream != 4 {
		t.Errorf("nats.go decoded ConsumerInfo wrongly: %+v", theirCI)
	}
	var legacyCI nats.ConsumerInfo
	roundTripVia(t, &ci, &legacyCI, &ConsumerInfo{})

	ai := AccountInfo{
		Tier:   Tier{Memory: 1, Store: 2, Streams: 3, Consumers: 4, Limits: AccountLimits{MaxMemory: -1, MaxStore: -1}},
		Domain: "hub", API: APIStats{Level: 5, Total: 10, Errors: 1},
	}
	var theirAI jetstream.AccountInfo
	roundTripVia(t, &ai, &theirAI, &AccountInfo{})
	if theirAI.Streams != 3 || theirAI.API.Level != 5 || theirAI.Domain != "hub" {
		t.Errorf("nats.go decoded AccountInfo wrongly: %+v", theirAI)
	}

	pa := PubAck{Stream: "S", Sequence: 2, Domain: "hub", Duplicate: true, Value: "42"}
	var theirPA jetstream.PubAck
	if err := json.Unmarshal(pa.AppendJSON(nil), &theirPA); err != nil {
		t.Fatal(err)
	}
	if theirPA != (jetstream.PubAck{Stream: "S", Sequence: 2, Domain: "hub", Duplicate: true, Value: "42"}) {
		t.Errorf("nats.go decoded PubAck wrongly: %+v", theirPA)
	}
}

// roundTripVia encodes mine, decodes it into theirs (a nats.go type),
// re-encodes theirs and decodes that strictly into back.
func roundTripVia(t *testing.T, mine, theirs, back any) {
	t.Helper()
	b, err := json.Marshal(mine)
	if err != nil {
		t.Fatalf("marshal %T: %v", mine, err)
	}
	if err := json.Unmarshal(b, theirs); err != nil {
		t.Fatalf("nats.go %T rejects our JSON: %v\n%s", theirs, err, b)
	}
	b2, err := json.Marshal(theirs)
	if err != nil {
		t.Fatalf("marshal %T: %v", theirs, err)
	}
	if err := Decode(b2, back); err != nil {
		t.Fatalf("strict decode of nats.go %T JSON: %v\n%s", theirs, err, b2)
	}
}

// TestNatsGoOmittedPriorityPolicy guards the one enum whose "none" string
// nats.go cannot decode: it must never be written.
func TestNatsGoOmittedPriorityPolicy(t *testing.T) {
	b, err := json.Marshal(ConsumerConfig{AckPolicy: AckExplicit})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "priority_policy") {
		t.Errorf("priority_policy written for PriorityNone: %s", b)
	}
	var cc jetstream.ConsumerConfig
	if err := json.Unmarshal(b, &cc); err != nil {
		t.Fatal(err)
	}
}

// TestHeaderNamesMatchNatsGo compares the header constants nats.go exports.
func TestHeaderNamesMatchNatsGo(t *testing.T) {
	pairs := []struct{ mine, theirs string }{
		{MsgIDHeader, jetstream.MsgIDHeader},
		{ExpectedStreamHeader, jetstream.ExpectedStreamHeader},
		{ExpectedLastSeqHeader, jetstream.ExpectedLastSeqHeader},
		{ExpectedLastSubjSeqHeader, jetstream.ExpectedLastSubjSeqHeader},
		{ExpectedLastSubjSeqSubjHeader, jetstream.ExpectedLastSubjSeqSubjHeader},
		{ExpectedLastMsgIDHeader, jetstream.ExpectedLastMsgIDHeader},
		{TTLHeader, jetstream.MsgTTLHeader},
		{RollupHeader, jetstream.MsgRollup},
		{MarkerReasonHeader, jetstream.MarkerReasonHeader},
		{ScheduleHeader, jetstream.ScheduleHeader},
		{ScheduleTargetHeader, jetstream.ScheduleTargetHeader},
		{ScheduleSourceHeader, jetstream.ScheduleSourceHeader},
		{ScheduleTTLHeader, jetstream.ScheduleTTLHeader},
		{ScheduleTimeZoneHeader, jetstream.ScheduleTimeZoneHeader},
		{ScheduleRollupHeader, jetstream.ScheduleRollupHeader},
		{SchedulerHeader, jetstream.SchedulerHeader},
		{ScheduleNextHeader, jetstream.ScheduleNextHeader},
		{StreamHeader, jetstream.StreamHeader},
		{SequenceHeader, jetstream.SequenceHeader},
		{TimeStampHeader, jetstream.TimeStampHeaer},
		{SubjectHeader, jetstream.SubjectHeader},
		{LastSequenceHeader, jetstream.LastSequenceHeader},
		{RollupSubject, jetstream.MsgRollupSubject},
		{RollupAll, jetstream.MsgRollupAll},
		{APIPrefix + ".", jetstream.DefaultAPIPrefix},
	}
	for _, p := range pairs {
		if p.mine != p.theirs {
			t.Errorf("%q != nats.go %q", p.mine, p.theirs)
		}
	}
}
