package test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// connect opens a nats.go connection that is closed when the test ends.
func connect(t *testing.T, s *servertest.Server, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.URL, opts...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// next waits for one message; the timeout only bounds a failing test.
func next(t *testing.T, sub *nats.Subscription) *nats.Msg {
	t.Helper()
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("next message on %q: %v", sub.Subject, err)
	}
	return m
}

// noMore asserts that nothing else is pending on sub once the server has
// answered a round trip on every given connection (so nothing is in flight).
func noMore(t *testing.T, sub *nats.Subscription, conns ...*nats.Conn) {
	t.Helper()
	for _, nc := range conns {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, _ := sub.Pending(); n != 0 {
		m, _ := sub.NextMsg(0)
		t.Fatalf("unexpected message on %q: %+v", sub.Subject, m)
	}
}

// raw is a plain TCP client speaking the protocol by hand.
type raw struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

// dialRaw connects and consumes the INFO line.
func dialRaw(t *testing.T, s *servertest.Server) *raw {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &raw{t: t, c: c, rd: bufio.NewReader(c)}
	if line := r.line(); !strings.HasPrefix(line, "INFO {") {
		t.Fatalf("first line %q, want INFO", line)
	}
	return r
}

func (r *raw) send(s string) {
	r.t.Helper()
	if _, err := r.c.Write([]byte(s)); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// line reads one line without its \r\n; the deadline only bounds a failing test.
func (r *raw) line() string {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read line: %v (got %q)", err, s)
	}
	return strings.TrimRight(s, "\r\n")
}

// expect reads lines and compares them.
func (r *raw) expect(lines ...string) {
	r.t.Helper()
	for _, want := range lines {
		if got := r.line(); got != want {
			r.t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// closed asserts the server closes the connection, after sending exactly the
// given lines first.
func (r *raw) closed(lines ...string) {
	r.t.Helper()
	r.expect(lines...)
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, err := r.rd.ReadString('\n')
	if err == nil {
		r.t.Fatalf("connection still open, got %q", rest)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		r.t.Fatalf("connection not closed by the server")
	}
	if rest != "" {
		r.t.Fatalf("unexpected bytes before close: %q", rest)
	}
}
