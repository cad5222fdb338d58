package test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// TestJetStreamRePublish checks republish subjects, headers and the
// config errors.
func TestJetStreamRePublish(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	for _, tt := range []struct{ body, desc string }{
		{`{"name":"X","subjects":["x.>"],"republish":{"src":"x.>","dest":"x.y.>"}}`, "stream configuration for republish destination forms a cycle"},
		{`{"name":"X","subjects":["x.*"],"republish":{"src":"x.*","dest":"out.*"}}`, "stream configuration for republish with transform from 'x.*' to 'out.*' not valid"},
		{`{"name":"X","subjects":["x.*"],"republish":{"src":"x.*","dest":"out.$2"}}`, "stream configuration for republish with transform from 'x.*' to 'out.$2' not valid"},
		{`{"name":"X","subjects":["x"],"republish":{"dest":"out.q"}}`, "stream configuration for republish with transform from '>' to 'out.q' not valid"},
	} {
		wantAPIError(t, request(t, nc, "$JS.API.STREAM.CREATE.X", tt.body), 10052, tt.desc)
	}
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.RP",
		`{"name":"RP","subjects":["rp.*.*"],"republish":{"src":"rp.*.*","dest":"out.$2.{{wildcard(1)}}"}}`))
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.RH", `{"name":"RH","subjects":["rh.>"],"republish":{"dest":"outh.>","headers_only":true}}`))
	sub2, err := nc.SubscribeSync("out.>")
	if err != nil {
		t.Fatal(err)
	}
	sub3, err := nc.SubscribeSync("outh.>")
	if err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg("rp.a.b")
	m.Header.Set("X-A", "1")
	m.Data = []byte("one")
	if _, err := nc.RequestMsg(m, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	pubRaw(t, nc, "rp.a.b", "two", nil)
	pubRaw(t, nc, "rh.z.y", "three", nil)

	got := next(t, sub2)
	if got.Subject != "out.b.a" || string(got.Data) != "one" || got.Header.Get("X-A") != "1" ||
		got.Header.Get("Nats-Stream") != "RP" || got.Header.Get("Nats-Subject") != "rp.a.b" ||
		got.Header.Get("Nats-Sequence") != "1" || got.Header.Get("Nats-Last-Sequence") != "0" {
		t.Fatalf("republished: %s %+v %q", got.Subject, got.Header, got.Data)
	}
	if _, err := time.Parse(time.RFC3339Nano, got.Header.Get("Nats-Time-Stamp")); err != nil {
		t.Fatal(err)
	}
	got = next(t, sub2)
	if got.Header.Get("Nats-Sequence") != "2" || got.Header.Get("Nats-Last-Sequence") != "1" {
		t.Fatalf("second: %+v", got.Header)
	}
	got = next(t, sub3)
	if got.Subject != "outh.rh.z.y" || len(got.Data) != 0 || got.Header.Get("Nats-Msg-Size") != "5" {
		t.Fatalf("headers only: %s %+v %q", got.Subject, got.Header, got.Data)
	}
}

// TestJetStreamSubjectTransform checks that a stream stores the
// transformed subject, and the transform errors.
func TestJetStreamSubjectTransform(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	for _, tt := range []struct {
		body string
		code int
		desc string
	}{
		{`{"name":"X","subjects":["x.>"],"subject_transform":{"src":"x..","dest":"y.>"}}`, 10155, "stream transform source: invalid subject x.."},
		{`{"name":"X","subjects":["x.*"],"subject_transform":{"src":"x.*","dest":"y.*"}}`, 10156, "stream transform: invalid subject"},
		{`{"name":"X","subjects":["x.*"],"subject_transform":{"src":"x.*","dest":"y.$3"}}`, 10156,
			"stream transform: invalid mapping destination: wildcard index out of range in $3: [3]"},
	} {
		wantAPIError(t, request(t, nc, "$JS.API.STREAM.CREATE.X", tt.body), tt.code, tt.desc)
	}
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.ST", `{"name":"ST","subjects":["st.*"],"subject_transform":{"src":"st.*","dest":"x.$1"}}`))
	if got := pubRaw(t, nc, "st.q", "hi", nil); got != `{"stream":"ST","seq":1}` {
		t.Fatalf("publish: %s", got)
	}
	r := request(t, nc, "$JS.API.STREAM.MSG.GET.ST", `{"seq":1}`)
	if !strings.Contains(string(r.raw), `"subject":"x.q"`) {
		t.Fatalf("stored subject: %s", r.raw)
	}
}
