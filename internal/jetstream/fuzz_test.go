package jetstream

import (
	"testing"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// FuzzRoute checks that no API subject makes routing panic and that a
// routed subject always names its response type.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{"INFO", "STREAM.CREATE.S", "STREAM.MSG.GET.S", "STREAM.NAMES", "STREAM..", "STREAM.LEADER.STEPDOWN.x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		if ep, _, ok := route(rest); ok && (ep.typ == "" || ep.fn == nil) {
			t.Fatalf("route(%q) has no type or handler", rest)
		}
	})
}

// FuzzDirectRequest feeds direct-get bodies through the parser: it must not
// panic, and an accepted request must select something.
func FuzzDirectRequest(f *testing.F) {
	f.Add("", []byte(`{"seq":1}`))
	f.Add("k.a", []byte(``))
	f.Add("", []byte(`{"multi_last":["a.>"],"up_to_seq":3}`))
	f.Add("", []byte(`{"last_by_subj":"a","batch":2}`))
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		req, code, _ := parseDirect(key, body)
		if code == 0 && req.Seq == 0 && req.LastFor == "" && req.NextFor == "" &&
			len(req.MultiLastFor) == 0 && req.StartTime == nil {
			t.Fatalf("accepted an empty request: key %q body %q", key, body)
		}
	})
}

// FuzzParseTTL checks that accepted TTLs are "none", "never" or at least a second.
func FuzzParseTTL(f *testing.F) {
	for _, s := range []string{"1s", "never", "30", "0", "1h", "-1", "0.5s", jsapi.TTLNever} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ttl, err := parseTTL(v)
		if err == nil && ttl != 0 && ttl != -1 && ttl < 1e9 {
			t.Fatalf("parseTTL(%q) = %d", v, ttl)
		}
	})
}
