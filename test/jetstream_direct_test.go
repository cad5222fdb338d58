package test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// directReplies sends a direct get and collects replies up to and
// including the end-of-batch status (or the first reply when single).
func directReplies(t *testing.T, nc *nats.Conn, subj, body string, batch bool) []*nats.Msg {
	t.Helper()
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest(subj, inbox, []byte(body)); err != nil {
		t.Fatal(err)
	}
	var out []*nats.Msg
	for {
		m := next(t, sub)
		out = append(out, m)
		if !batch || m.Header.Get("Status") != "" {
			return out
		}
	}
}

func wantStatus(t *testing.T, m *nats.Msg, code, desc string) {
	t.Helper()
	if got, gotDesc := m.Header.Get("Status"), m.Header.Get("Description"); got != code || gotDesc != desc {
		t.Fatalf("want status %s %q, got %q %q (%q)", code, desc, got, gotDesc, m.Data)
	}
}

// TestJetStreamDirectGet covers both request forms, batches, multi_last and
// the status replies of DIRECT.GET.
func TestJetStreamDirectGet(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	st := fillStream(t, js, jetstream.StreamConfig{Name: "DG", Subjects: []string{"dg.*"}, AllowDirect: true},
		"dg.a", "dg.b", "dg.a", "dg.c")
	fillStream(t, js, jetstream.StreamConfig{Name: "NODIRECT", Subjects: []string{"nd"}}, "nd")
	m := nats.NewMsg("dg.h")
	m.Header.Set("X-Foo", "bar")
	m.Data = []byte("hv")
	if _, err := js.PublishMsg(c, m); err != nil {
		t.Fatal(err)
	}

	// The jetstream package uses direct get for allow_direct streams.
	got, err := st.GetLastMsgForSubject(c, "dg.a")
	if err != nil || got.Sequence != 3 || string(got.Data) != "data-dg.a" {
		t.Fatalf("last for subject: %+v %v", got, err)
	}
	if _, err := st.GetLastMsgForSubject(c, "dg.zz"); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("missing subject: %v", err)
	}

	r := directReplies(t, nc, "$JS.API.DIRECT.GET.DG", `{"seq":5}`, false)[0]
	if r.Header.Get("X-Foo") != "bar" || r.Header.Get("Nats-Stream") != "DG" || r.Header.Get("Nats-Subject") != "dg.h" ||
		r.Header.Get("Nats-Sequence") != "5" || string(r.Data) != "hv" {
		t.Fatalf("direct get by seq: %+v %q", r.Header, r.Data)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.Header.Get("Nats-Time-Stamp")); err != nil {
		t.Fatalf("time stamp: %v", err)
	}
	r = directReplies(t, nc, "$JS.API.DIRECT.GET.DG.dg.b", ``, false)[0]
	if r.Header.Get("Nats-Sequence") != "2" {
		t.Fatalf("subject form: %+v", r.Header)
	}
	r = directReplies(t, nc, "$JS.API.DIRECT.GET.DG.dg.*", ``, false)[0]
	if r.Header.Get("Nats-Sequence") != "5" {
		t.Fatalf("wildcard subject form: %+v", r.Header)
	}
	r = directReplies(t, nc, "$JS.API.DIRECT.GET.DG", `{"last_by_subj":"dg.c","no_hdr":true}`, false)[0]
	if r.Header != nil || string(r.Data) != "data-dg.c" {
		t.Fatalf("no_hdr: %+v %q", r.Header, r.Data)
	}

	for _, tt := range []struct{ subj, body, code, desc string }{
		{"$JS.API.DIRECT.GET.DG", `{"seq":99}`, "404", "Message Not Found"},
		{"$JS.API.DIRECT.GET.DG.dg.zz", ``, "404", "Message Not Found"},
		{"$JS.API.DIRECT.GET.DG", ``, "408", "Empty Request"},
		{"$JS.API.DIRECT.GET.DG", `{}`, "408", "Empty Request"},
		{"$JS.API.DIRECT.GET.DG", `{bad`, "408", "Malformed Request"},
		{"$JS.API.DIRECT.GET.DG", `{"seq":1,"last_by_subj":"dg.a"}`, "408", "Bad Request"},
		{"$JS.API.DIRECT.GET.DG.dg.a", `{"seq":1}`, "408", "Bad Request"},
	} {
		wantStatus(t, directReplies(t, nc, tt.subj, tt.body, false)[0], tt.code, tt.desc)
	}

	batch := directReplies(t, nc, "$JS.API.DIRECT.GET.DG", `{"seq":2,"batch":2}`, true)
	if len(batch) != 3 {
		t.Fatalf("batch replies: %d", len(batch))
	}
	if h := batch[0].Header; h.Get("Nats-Sequence") != "2" || h.Get("Nats-Num-Pending") != "3" || h.Get("Nats-Last-Sequence") != "0" {
		t.Fatalf("batch first: %+v", h)
	}
	if h := batch[1].Header; h.Get("Nats-Sequence") != "3" || h.Get("Nats-Num-Pending") != "2" || h.Get("Nats-Last-Sequence") != "2" {
		t.Fatalf("batch second: %+v", h)
	}
	wantStatus(t, batch[2], "204", "EOB")
	if h := batch[2].Header; h.Get("Nats-Num-Pending") != "2" || h.Get("Nats-Last-Sequence") != "3" {
		t.Fatalf("EOB: %+v", h)
	}

	multi := directReplies(t, nc, "$JS.API.DIRECT.GET.DG", `{"multi_last":["dg.a","dg.b"]}`, true)
	if len(multi) != 3 || multi[0].Header.Get("Nats-Sequence") != "2" || multi[1].Header.Get("Nats-Sequence") != "3" ||
		multi[1].Header.Get("Nats-Num-Pending") != "0" {
		t.Fatalf("multi_last: %d replies, %+v", len(multi), multi[0].Header)
	}
	wantStatus(t, multi[2], "204", "EOB")
	if multi[2].Header.Get("Nats-UpTo-Sequence") != "5" {
		t.Fatalf("multi_last EOB: %+v", multi[2].Header)
	}
	wantStatus(t, directReplies(t, nc, "$JS.API.DIRECT.GET.DG", `{"multi_last":["zz.>"]}`, false)[0], "404", "No Results")

	// Without allow_direct (or without the stream) nobody answers.
	if _, err := nc.Request("$JS.API.DIRECT.GET.NODIRECT", []byte(`{"seq":1}`), 2*time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("direct get without allow_direct: %v", err)
	}
}

// TestJetStreamGetByTimeAndUpTo covers start_time (MSG.GET and direct) and
// that up_to_seq bounds multi_last but not a plain batch.
func TestJetStreamGetByTimeAndUpTo(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := fillStream(t, js, jetstream.StreamConfig{Name: "TM", Subjects: []string{"tm.*"}, AllowDirect: true},
		"tm.a", "tm.b", "tm.c", "tm.d")
	m3, err := st.GetMsg(ctx(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	start := m3.Time.UTC().Format(time.RFC3339Nano)
	r := request(t, nc, "$JS.API.STREAM.MSG.GET.TM", `{"start_time":"`+start+`"}`)
	if !strings.Contains(string(r.raw), `"seq":3`) {
		t.Fatalf("start_time: %s", r.raw)
	}
	got := directReplies(t, nc, "$JS.API.DIRECT.GET.TM", `{"start_time":"`+start+`"}`, false)[0]
	if got.Header.Get("Nats-Sequence") != "3" {
		t.Fatalf("direct start_time: %+v", got.Header)
	}
	batch := directReplies(t, nc, "$JS.API.DIRECT.GET.TM", `{"seq":1,"batch":10,"up_to_seq":2}`, true)
	if len(batch) != 5 || batch[3].Header.Get("Nats-Num-Pending") != "0" {
		t.Fatalf("up_to_seq batch: %d replies %+v", len(batch), batch[len(batch)-1].Header)
	}
	wantStatus(t, batch[4], "204", "EOB")
	multi := directReplies(t, nc, "$JS.API.DIRECT.GET.TM", `{"multi_last":["tm.*"],"up_to_seq":2}`, true)
	if len(multi) != 3 || multi[1].Header.Get("Nats-Sequence") != "2" || multi[2].Header.Get("Nats-UpTo-Sequence") != "2" {
		t.Fatalf("up_to_seq multi_last: %d replies %+v", len(multi), multi[len(multi)-1].Header)
	}
}
