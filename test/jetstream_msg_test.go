package test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// fillStream creates stream name on "<prefix>.*" and publishes the subjects in order.
func fillStream(t *testing.T, js jetstream.JetStream, cfg jetstream.StreamConfig, subjects ...string) jetstream.Stream {
	t.Helper()
	st := createStream(t, js, cfg)
	for _, s := range subjects {
		if _, err := js.Publish(ctx(t), s, []byte("data-"+s)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestJetStreamPurge covers purge with filter, seq and keep.
func TestJetStreamPurge(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	subjects := []string{"p.a", "p.b", "p.a", "p.b", "p.a", "p.c"}
	st := fillStream(t, js, jetstream.StreamConfig{Name: "P", Subjects: []string{"p.*"}}, subjects...)

	r := request(t, nc, "$JS.API.STREAM.PURGE.P", `{"seq":2,"keep":1}`)
	wantAPIError(t, r, 10003, "bad request")
	if !strings.Contains(string(r.raw), `"purged":0`) {
		t.Fatalf("purge error without purged: %s", r.raw)
	}
	r = request(t, nc, "$JS.API.STREAM.PURGE.P", `{"filter":"p.a","keep":1}`)
	if string(r.raw) != `{"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":2}` {
		t.Fatalf("purge keep: %s", r.raw)
	}
	if err := st.Purge(c, jetstream.WithPurgeSequence(3)); err != nil { // removes 2 (p.b)
		t.Fatal(err)
	}
	info, err := st.Info(c)
	if err != nil || info.State.Msgs != 3 || info.State.FirstSeq != 4 {
		t.Fatalf("after seq purge: %+v %v", info.State, err)
	}
	if err := st.Purge(c, jetstream.WithPurgeSubject("p.c")); err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(c); err != nil {
		t.Fatal(err)
	}
	info, err = st.Info(c)
	if err != nil || info.State.Msgs != 0 || info.State.FirstSeq != 7 || info.State.LastSeq != 6 {
		t.Fatalf("after full purge: %+v %v", info.State, err)
	}
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.PURGE.NOPE", ""), 10059, "stream not found")
}

// TestJetStreamMsgGet covers MSG.GET by seq, last_by_subj and next_by_subj.
func TestJetStreamMsgGet(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	st := fillStream(t, js, jetstream.StreamConfig{Name: "G", Subjects: []string{"g.*"}}, "g.a", "g.b", "g.a", "g.c")
	m := nats.NewMsg("g.h")
	m.Header.Set("X-Foo", "bar")
	m.Data = []byte("with header")
	if _, err := js.PublishMsg(c, m); err != nil {
		t.Fatal(err)
	}

	got, err := st.GetMsg(c, 2)
	if err != nil || got.Subject != "g.b" || string(got.Data) != "data-g.b" || got.Sequence != 2 {
		t.Fatalf("by seq: %+v %v", got, err)
	}
	got, err = st.GetLastMsgForSubject(c, "g.a")
	if err != nil || got.Sequence != 3 {
		t.Fatalf("last by subject: %+v %v", got, err)
	}
	got, err = st.GetLastMsgForSubject(c, "g.*")
	if err != nil || got.Sequence != 5 || got.Header.Get("X-Foo") != "bar" {
		t.Fatalf("last by wildcard: %+v %v", got, err)
	}
	if _, err := st.GetMsg(c, 99); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("missing seq: %v", err)
	}
	r := request(t, nc, "$JS.API.STREAM.MSG.GET.G", `{"seq":2,"next_by_subj":"g.a"}`)
	wantOK(t, r)
	var resp struct {
		Message struct {
			Subject string `json:"subject"`
			Seq     uint64 `json:"seq"`
			Hdrs    []byte `json:"hdrs"`
			Data    []byte `json:"data"`
			Time    time.Time
		} `json:"message"`
	}
	if err := json.Unmarshal(r.raw, &resp); err != nil || resp.Message.Seq != 3 {
		t.Fatalf("next_by_subj: %s", r.raw)
	}
	r = request(t, nc, "$JS.API.STREAM.MSG.GET.G", `{"seq":5}`)
	if err := json.Unmarshal(r.raw, &resp); err != nil || string(resp.Message.Hdrs) != "NATS/1.0\r\nX-Foo: bar\r\n\r\n" {
		t.Fatalf("hdrs: %s", r.raw)
	}
	if want := base64.StdEncoding.EncodeToString([]byte("with header")); !strings.Contains(string(r.raw), want) {
		t.Fatalf("data not base64: %s", r.raw)
	}
	for _, body := range []string{``, `{}`, `{"seq":1,"last_by_subj":"g.a"}`, `{"last_by_subj":"g.a","next_by_subj":"g.a"}`, `{"seq":1,"batch":2}`} {
		wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.GET.G", body), 10003, "bad request")
	}
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.GET.G", `{"last_by_subj":"g.zz"}`), 10037, "no message found")
}

// TestJetStreamMsgDelete covers MSG.DELETE with and without erase, and the
// info options that show the gaps.
func TestJetStreamMsgDelete(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	c := ctx(t)
	st := fillStream(t, js, jetstream.StreamConfig{Name: "MD", Subjects: []string{"md.*"}}, "md.a", "md.b", "md.c", "md.d", "md.a")
	if err := st.DeleteMsg(c, 2); err != nil {
		t.Fatal(err)
	}
	if err := st.SecureDeleteMsg(c, 3); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.DELETE.MD", `{"seq":2}`), 10043, "sequence 2 not found")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.DELETE.MD", `{"seq":0}`), 10057, "no message found")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.DELETE.MD", `{"seq":99,"no_erase":true}`), 10057, "stream store EOF")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.MSG.DELETE.MD", ``), 10003, "bad request")
	if _, err := st.GetMsg(c, 2); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Fatalf("deleted message still there: %v", err)
	}
	info, err := st.Info(c, jetstream.WithDeletedDetails(true), jetstream.WithSubjectFilter("md.*"))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 3 || info.State.NumDeleted != 2 || len(info.State.Deleted) != 2 ||
		info.State.Deleted[0] != 2 || info.State.Deleted[1] != 3 || info.State.NumSubjects != 2 ||
		info.State.Subjects["md.a"] != 2 || info.State.Subjects["md.d"] != 1 {
		t.Fatalf("state: %+v", info.State)
	}
	r := request(t, nc, "$JS.API.STREAM.INFO.MD", `{"subjects_filter":">"}`)
	if !strings.Contains(string(r.raw), `"total":2,"offset":0,"limit":100000`) {
		t.Fatalf("subject paging: %.300s", r.raw)
	}
}
