package jsapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

// enumCase is one enum value and its JSON string.
type enumCase struct {
	v    any // a value of the enum type
	json string
}

// enumTable lists, per enum, every value with its wire string, extra strings
// accepted only on input, and strings that must be rejected.
var enumTable = []struct {
	name    string
	newPtr  func() any
	values  []enumCase
	aliases map[string]any
	invalid []string
}{
	{
		name:    "RetentionPolicy",
		newPtr:  func() any { return new(RetentionPolicy) },
		values:  []enumCase{{LimitsPolicy, `"limits"`}, {InterestPolicy, `"interest"`}, {WorkQueuePolicy, `"workqueue"`}},
		invalid: []string{`"Limits"`, `"work_queue"`, `""`, `0`, `null`, `"x"`},
	},
	{
		name:    "DiscardPolicy",
		newPtr:  func() any { return new(DiscardPolicy) },
		values:  []enumCase{{DiscardOld, `"old"`}, {DiscardNew, `"new"`}},
		aliases: map[string]any{`"OLD"`: DiscardOld, `"New"`: DiscardNew},
		invalid: []string{`"oldest"`, `""`, `1`, `null`},
	},
	{
		name:    "StorageType",
		newPtr:  func() any { return new(StorageType) },
		values:  []enumCase{{FileStorage, `"file"`}, {MemoryStorage, `"memory"`}},
		invalid: []string{`"File"`, `"mem"`, `""`, `null`},
	},
	{
		name:    "Compression",
		newPtr:  func() any { return new(Compression) },
		values:  []enumCase{{NoCompression, `"none"`}, {S2Compression, `"s2"`}},
		invalid: []string{`"S2"`, `""`, `"gzip"`, `null`},
	},
	{
		name:    "PersistMode",
		newPtr:  func() any { return new(PersistMode) },
		values:  []enumCase{{DefaultPersistMode, `"default"`}, {AsyncPersistMode, `"async"`}},
		aliases: map[string]any{`""`: DefaultPersistMode},
		invalid: []string{`"sync"`, `"Async"`, `null`},
	},
	{
		name:   "DeliverPolicy",
		newPtr: func() any { return new(DeliverPolicy) },
		values: []enumCase{
			{DeliverAll, `"all"`}, {DeliverLast, `"last"`}, {DeliverNew, `"new"`},
			{DeliverByStartSequence, `"by_start_sequence"`}, {DeliverByStartTime, `"by_start_time"`},
			{DeliverLastPerSubject, `"last_per_subject"`},
		},
		aliases: map[string]any{`"undefined"`: DeliverAll},
		invalid: []string{`"All"`, `""`, `"by_start_seq"`, `null`},
	},
	{
		name:   "AckPolicy",
		newPtr: func() any { return new(AckPolicy) },
		values: []enumCase{
			{AckNone, `"none"`}, {AckAll, `"all"`}, {AckExplicit, `"explicit"`}, {AckFlowControl, `"flow_control"`},
		},
		invalid: []string{`"Explicit"`, `""`, `"ack"`, `null`},
	},
	{
		name:    "ReplayPolicy",
		newPtr:  func() any { return new(ReplayPolicy) },
		values:  []enumCase{{ReplayInstant, `"instant"`}, {ReplayOriginal, `"original"`}},
		invalid: []string{`"Instant"`, `""`, `null`},
	},
	{
		name:   "PriorityPolicy",
		newPtr: func() any { return new(PriorityPolicy) },
		values: []enumCase{
			{PriorityNone, `"none"`}, {PriorityOverflow, `"overflow"`},
			{PriorityPinnedClient, `"pinned_client"`}, {PriorityPrioritized, `"prioritized"`},
		},
		aliases: map[string]any{`""`: PriorityNone},
		invalid: []string{`"pinned"`, `"None"`, `null`},
	},
	{
		name:    "ConsumerAction",
		newPtr:  func() any { return new(ConsumerAction) },
		values:  []enumCase{{ActionCreateOrUpdate, `""`}, {ActionCreate, `"create"`}, {ActionUpdate, `"update"`}},
		invalid: []string{`"Create"`, `"delete"`, `null`},
	},
}

func TestEnums(t *testing.T) {
	for _, e := range enumTable {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range e.values {
				got, err := json.Marshal(c.v)
				if err != nil || string(got) != c.json {
					t.Errorf("marshal %v = %s, %v; want %s", c.v, got, err, c.json)
				}
				p := e.newPtr()
				if err := json.Unmarshal([]byte(c.json), p); err != nil {
					t.Errorf("unmarshal %s: %v", c.json, err)
				} else if v := deref(p); v != c.v {
					t.Errorf("unmarshal %s = %v, want %v", c.json, v, c.v)
				}
			}
			for in, want := range e.aliases {
				p := e.newPtr()
				if err := json.Unmarshal([]byte(in), p); err != nil || deref(p) != want {
					t.Errorf("unmarshal alias %s = %v, %v; want %v", in, deref(p), err, want)
				}
			}
			for _, in := range e.invalid {
				if err := json.Unmarshal([]byte(in), e.newPtr()); err == nil {
					t.Errorf("unmarshal %s: want error", in)
				}
			}
			// A value outside the table must fail to marshal, not panic.
			out := e.newPtr()
			if err := json.Unmarshal([]byte(e.values[0].json), out); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(outOfRange(out)); err == nil {
				t.Errorf("marshal of out-of-range value succeeded")
			}
		})
	}
}

// deref returns the enum value p points to.
func deref(p any) any { return reflect.ValueOf(p).Elem().Interface() }

// outOfRange returns a value of p's enum type that has no JSON name.
func outOfRange(p any) any {
	v := reflect.New(reflect.TypeOf(p).Elem()).Elem()
	v.SetInt(99)
	return v.Interface()
}

// TestEnumZeroValuesAreServerDefaults pins the decoded value of an empty
// config to nats-server's defaults for omitted fields.
func TestEnumZeroValuesAreServerDefaults(t *testing.T) {
	var sc StreamConfig
	if err := Decode([]byte(`{"name":"S"}`), &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Retention != LimitsPolicy || sc.Discard != DiscardOld || sc.Storage != FileStorage ||
		sc.Compression != NoCompression || sc.PersistMode != DefaultPersistMode {
		t.Errorf("stream defaults: %+v", sc)
	}
	var cc ConsumerConfig
	if err := Decode([]byte(`{}`), &cc); err != nil {
		t.Fatal(err)
	}
	if cc.AckPolicy != AckNone || cc.DeliverPolicy != DeliverAll || cc.ReplayPolicy != ReplayInstant ||
		cc.PriorityPolicy != PriorityNone {
		t.Errorf("consumer defaults: %+v", cc)
	}
	if got := AckExplicit.String(); got != "explicit" {
		t.Errorf("String() = %q", got)
	}
	if got := AckPolicy(9).String(); got != "unknown(9)" {
		t.Errorf("String() = %q", got)
	}
}
