package test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

func TestPubSub(t *testing.T) {
	s := servertest.New(t)
	sub := connect(t, s)
	pub := connect(t, s)
	ss, err := sub.SubscribeSync("greet.joe")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := pub.Publish("greet.joe", fmt.Appendf(nil, "hello %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		m := next(t, ss)
		if want := fmt.Sprintf("hello %d", i); string(m.Data) != want || m.Subject != "greet.joe" {
			t.Fatalf("message %d: %q on %q, want %q", i, m.Data, m.Subject, want)
		}
	}
	pub.Publish("greet.bob", []byte("not for joe"))
	noMore(t, ss, pub, sub)
}

func TestWildcards(t *testing.T) {
	s := servertest.New(t)
	nc := connect(t, s)
	subs := map[string]*nats.Subscription{}
	for _, f := range []string{"a.*", "a.>", "a.*.c", "*.b.c", ">", "a.b.c"} {
		ss, err := nc.SubscribeSync(f)
		if err != nil {
			t.Fatal(err)
		}
		subs[f] = ss
	}
	nc.Flush()
	tests := []struct {
		subject string
		match   []string
	}{
		{"a.b", []string{"a.*", "a.>", ">"}},
		{"a.b.c", []string{"a.>", "a.*.c", "*.b.c", ">", "a.b.c"}},
		{"x.b.c", []string{"*.b.c", ">"}},
		{"a", []string{">"}},
		{"a.b.c.d", []string{"a.>", ">"}},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			if err := nc.Publish(tt.subject, []byte(tt.subject)); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.match {
				if m := next(t, subs[f]); m.Subject != tt.subject {
					t.Fatalf("filter %q got %q, want %q", f, m.Subject, tt.subject)
				}
			}
			for f, ss := range subs {
				noMore(t, ss, nc)
				_ = f
			}
		})
	}
}

func TestQueueGroups(t *testing.T) {
	s := servertest.New(t)
	nc := connect(t, s)
	const n = 1000
	var members [3]*nats.Subscription
	var memberConns [3]*nats.Conn
	for i := range members {
		memberConns[i] = connect(t, s)
		var err error
		if members[i], err = memberConns[i].QueueSubscribeSync("work", "workers"); err != nil {
			t.Fatal(err)
		}
		members[i].SetPendingLimits(-1, -1)
		memberConns[i].Flush()
	}
	other, _ := nc.QueueSubscribeSync("work", "auditors")
	other.SetPendingLimits(-1, -1)
	plain, _ := nc.SubscribeSync("work")
	plain.SetPendingLimits(-1, -1)
	nc.Flush()
	for i := range n {
		nc.Publish("work", fmt.Appendf(nil, "%d", i))
	}
	for range n {
		next(t, plain)
		next(t, other)
	}
	total := 0
	for i, m := range members {
		memberConns[i].Flush() // everything routed to this member has arrived
		nc.Flush()
		got, _, _ := m.Pending()
		if got == 0 {
			t.Errorf("member %d got no messages: the group is not spread", i)
		}
		total += got
	}
	if total != n {
		t.Fatalf("queue group got %d messages in total, want exactly %d", total, n)
	}
}

func TestRequestReply(t *testing.T) {
	s := servertest.New(t)
	responder := connect(t, s)
	if _, err := responder.Subscribe("svc.echo", func(m *nats.Msg) {
		m.Respond(append([]byte("echo: "), m.Data...))
	}); err != nil {
		t.Fatal(err)
	}
	responder.Flush()
	nc := connect(t, s)
	for i := range 20 {
		reply, err := nc.Request("svc.echo", fmt.Appendf(nil, "%d", i), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("echo: %d", i); string(reply.Data) != want {
			t.Fatalf("reply %q, want %q", reply.Data, want)
		}
	}
	// Old-style requests use a fresh inbox with UNSUB max 1 each time.
	old := connect(t, s, nats.UseOldRequestStyle())
	reply, err := old.Request("svc.echo", []byte("old"), 5*time.Second)
	if err != nil || string(reply.Data) != "echo: old" {
		t.Fatalf("old-style request: %v %q", err, reply.Data)
	}
}

func TestHeaders(t *testing.T) {
	s := servertest.New(t)
	nc := connect(t, s)
	ss, _ := nc.SubscribeSync("h")
	nc.Flush()
	m := nats.NewMsg("h")
	m.Header.Set("X-Trace", "abc")
	m.Header.Add("Multi", "1")
	m.Header.Add("Multi", "2")
	m.Header["lower-case"] = []string{"kept"}
	m.Data = []byte("body")
	if err := nc.PublishMsg(m); err != nil {
		t.Fatal(err)
	}
	got := next(t, ss)
	if string(got.Data) != "body" || got.Header.Get("X-Trace") != "abc" ||
		fmt.Sprint(got.Header.Values("Multi")) != "[1 2]" || got.Header["lower-case"][0] != "kept" {
		t.Fatalf("headers not delivered verbatim: %q %v", got.Data, got.Header)
	}
}

func TestHeadersStrippedForClientsWithoutHeaders(t *testing.T) {
	s := servertest.New(t)
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false,\"headers\":false}\r\nSUB h 1\r\nPING\r\n")
	r.expect("PONG")
	nc := connect(t, s)
	m := nats.NewMsg("h")
	m.Header.Set("A", "b")
	m.Data = []byte("hello")
	nc.PublishMsg(m)
	nc.Flush()
	r.expect("MSG h 1 5", "hello")
}

func TestNoResponders(t *testing.T) {
	s := servertest.New(t)
	nc := connect(t, s)
	_, err := nc.Request("nobody.home", []byte("?"), 5*time.Second)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("request without responders: %v, want ErrNoResponders", err)
	}
	// The status message on the wire, as nats-server 2.12+ sends it (PROTOCOL.md §7).
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB _INBOX.x.* 7\r\nPUB nostream.x _INBOX.x.1 0\r\n\r\nPING\r\n")
	r.expect("HMSG _INBOX.x.1 7 42 42", "NATS/1.0 503", "Nats-Subject: nostream.x", "", "", "PONG")
	// Without no_responders the requester hears nothing.
	q := dialRaw(t, s)
	q.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB _INBOX.y.* 1\r\nPUB nostream.y _INBOX.y.1 0\r\n\r\nPING\r\n")
	q.expect("PONG")
}

func TestMaxPayload(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) { o.MaxPayload = 1024 })
	nc := connect(t, s)
	if got := nc.MaxPayload(); got != 1024 {
		t.Fatalf("INFO max_payload %d, want 1024", got)
	}
	if err := nc.Publish("big", make([]byte, 1025)); !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("client-side check: %v", err)
	}
	// A client that ignores the limit is cut off; others carry on.
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false}\r\nPUB big 1025\r\n")
	r.closed("-ERR 'Maximum Payload Violation'")
	r2 := dialRaw(t, s)
	r2.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nHPUB big 12 1025\r\n")
	r2.closed("-ERR 'Maximum Payload Violation'")
	if err := nc.Publish("ok", make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestAutoUnsubscribe(t *testing.T) {
	s := servertest.New(t)
	nc := connect(t, s)
	ss, _ := nc.SubscribeSync("auto")
	if err := ss.AutoUnsubscribe(3); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	for range 10 {
		nc.Publish("auto", []byte("x"))
	}
	nc.Flush()
	// Watch the same subject with a second subscription to know all ten were routed.
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false}\r\nSUB auto 1\r\nUNSUB 1 2\r\nPING\r\n")
	r.expect("PONG")
	pub := connect(t, s)
	for range 5 {
		pub.Publish("auto", []byte("y"))
	}
	pub.Flush()
	r.expect("MSG auto 1 1", "y", "MSG auto 1 1", "y")
	r.send("PING\r\n")
	r.expect("PONG") // nothing more after the limit
	got := 0
	for {
		if _, err := ss.NextMsg(0); err != nil {
			break
		}
		got++
	}
	if got != 3 {
		t.Fatalf("auto-unsubscribed subscription got %d messages, want 3", got)
	}
}

func TestUnsubscribeAfterLimitAlreadyReached(t *testing.T) {
	s := servertest.New(t)
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false}\r\nSUB x 1\r\nPUB x 1\r\na\r\nPUB x 1\r\nb\r\nUNSUB 1 1\r\nPUB x 1\r\nc\r\nPING\r\n")
	r.expect("MSG x 1 1", "a", "MSG x 1 1", "b", "PONG")
}

func TestFanOut200(t *testing.T) {
	s := servertest.New(t)
	const subscribers, msgs = 200, 20
	subs := make([]*nats.Subscription, subscribers)
	for i := range subs {
		nc := connect(t, s)
		ss, err := nc.SubscribeSync("fan.>")
		if err != nil {
			t.Fatal(err)
		}
		nc.Flush()
		subs[i] = ss
	}
	pub := connect(t, s)
	for i := range msgs {
		pub.Publish(fmt.Sprintf("fan.%d", i), []byte("x"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, subscribers)
	for _, ss := range subs {
		wg.Go(func() {
			for i := range msgs {
				m, err := ss.NextMsg(10 * time.Second)
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf("fan.%d", i); m.Subject != want {
					errs <- fmt.Errorf("got %q, want %q", m.Subject, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestNoEcho(t *testing.T) {
	s := servertest.New(t)
	quiet := connect(t, s, nats.NoEcho())
	loud := connect(t, s)
	qs, _ := quiet.SubscribeSync("e")
	ls, _ := loud.SubscribeSync("e")
	quiet.Flush()
	loud.Flush()
	quiet.Publish("e", []byte("from quiet"))
	loud.Publish("e", []byte("from loud"))
	if m := next(t, qs); string(m.Data) != "from loud" {
		t.Fatalf("no-echo connection got %q", m.Data)
	}
	noMore(t, qs, quiet, loud)
	// The two publishers race: the echo connection gets both, in either order.
	got := map[string]bool{string(next(t, ls).Data): true, string(next(t, ls).Data): true}
	if !got["from quiet"] || !got["from loud"] {
		t.Fatalf("echo connection got %v, want both messages", got)
	}
}

func TestAuthUserPassword(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) { o.Username, o.Password = "alice", "s3cret" })
	if _, err := nats.Connect(s.URL, nats.UserInfo("alice", "wrong")); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("wrong password: %v, want authorization violation", err)
	}
	if _, err := nats.Connect(s.URL); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("no credentials: %v", err)
	}
	nc := connect(t, s, nats.UserInfo("alice", "s3cret"))
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Any op before CONNECT is a violation when auth is required.
	r := dialRaw(t, s)
	r.send("PUB x 1\r\na\r\n")
	r.closed("-ERR 'Authorization Violation'")
}

func TestAuthToken(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) { o.Token = "tok" })
	if _, err := nats.Connect(s.URL, nats.Token("bad")); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("bad token: %v", err)
	}
	connect(t, s, nats.Token("tok"))
}

func TestAuthTimeout(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) {
		o.Token = "tok"
		o.AuthTimeout = 100 * time.Millisecond
	})
	r := dialRaw(t, s)
	r.send("CONN") // a client that never finishes CONNECT
	r.closed("-ERR 'Authentication Timeout'")
}

func TestStaleConnection(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) {
		o.PingInterval = 50 * time.Millisecond
		o.MaxPingsOut = 2
	})
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false}\r\n")
	// A client that never answers PING is closed after ping_max unanswered PINGs.
	r.closed("PING", "PING", "-ERR 'Stale Connection'")
}

func TestServerShutdownClosesClients(t *testing.T) {
	s := servertest.New(t)
	closed := make(chan struct{})
	nc, err := nats.Connect(s.URL, nats.NoReconnect(), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Flush()
	s.Shutdown()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("client not closed by shutdown")
	}
}

func TestVerbose(t *testing.T) {
	s := servertest.New(t)
	r := dialRaw(t, s)
	r.send("CONNECT {}\r\nSUB v 1\r\nPUB v 2\r\nhi\r\nUNSUB 1\r\nPING\r\n")
	r.expect("+OK", "+OK", "+OK", "MSG v 1 2", "hi", "+OK", "PONG")
}
