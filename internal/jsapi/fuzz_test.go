package jsapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzRequestJSON decodes arbitrary bodies into the request types the server
// parses. Whatever decodes strictly must re-encode and decode to an equal
// value, and decoding must never panic.
func FuzzRequestJSON(f *testing.F) {
	for _, s := range wireSamples {
		f.Add([]byte(s.json))
	}
	for _, s := range []string{
		`{"name":"S","subjects":["a.>"],"retention":"workqueue","discard":"NEW","storage":"memory","compression":"s2","persist_mode":""}`,
		`{"stream_name":"S","config":{"deliver_policy":"undefined","ack_policy":"flow_control","priority_policy":"","backoff":[1,2]},"action":"update"}`,
		`{"seq":1,"batch":2,"multi_last":["a"],"up_to_time":"2026-11-25T10:00:00Z"}`,
		`{"expires":1,"batch":1,"no_wait":true,"priority":9}`,
		`{}`, `[]`, `null`, `{"pause_until":"0001-01-01T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	newValues := []func() any{
		func() any { return new(StreamCreateRequest) },
		func() any { return new(ConsumerCreateRequest) },
		func() any { return new(MsgGetRequest) },
		func() any { return new(NextRequest) },
		func() any { return new(StreamPurgeRequest) },
		func() any { return new(ConsumerPauseRequest) },
		func() any { return new(StreamRestoreRequest) },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newV := range newValues {
			v := newV()
			if Decode(data, v) != nil {
				_ = DecodeLenient(data, newV())
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded but does not encode: %v", v, err)
			}
			w := newV()
			if err := Decode(b, w); err != nil {
				t.Fatalf("%T re-decode: %v\n%s", v, err, b)
			}
			if !reflect.DeepEqual(normalize(t, v), normalize(t, w)) {
				t.Fatalf("%T round trip differs\n in: %s\nout: %s", v, data, b)
			}
		}
	})
}

// normalize re-encodes v so that values equal on the wire compare equal
// (e.g. time.Time locations, nil versus empty slices under omitempty).
func normalize(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzParseAckSubject checks that parsing never panics and that every
// accepted v1 subject is rebuilt byte for byte by AppendAckSubject.
func FuzzParseAckSubject(f *testing.F) {
	f.Add("$JS.ACK.ORDERS.C1.1.1.1.1795601120344492620.3")
	f.Add("$JS.ACK._.AbCd1234.ORDERS.C1.2.5.7.1795601120344492620.0")
	f.Add("$JS.ACK.S.C.01.2.3.4.5")
	f.Add("$JS.ACK.S.C.1.2.3.9223372036854775808.5")
	f.Fuzz(func(t *testing.T, subject string) {
		m, err := ParseAckSubject(subject)
		if err != nil || m.AccountHash != "" || strings.Count(subject, ".") != 8 {
			return
		}
		back, err := ParseAckSubject(string(m.AppendAckSubject(nil)))
		if err != nil || back != m {
			t.Fatalf("%q parsed to %+v, rebuilt to %+v, %v", subject, m, back, err)
		}
	})
}
