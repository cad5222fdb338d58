package test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestBadInput sends each malformed form over a raw socket and checks the
// exact reply and whether the connection is closed. The expectations were
// recorded from nats-server 2.15.2 (run with make test-compat).
func TestBadInput(t *testing.T) {
	s := servertest.New(t)
	const hello = "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
	tests := []struct {
		name   string
		send   string
		reply  []string // lines before the close (or before PONG when kept)
		closes bool
	}{
		{"unknown op", hello + "FOO bar\r\n", []string{"-ERR 'Unknown Protocol Operation'"}, true},
		{"connect not json", "CONNECT hello\r\nPING\r\n", nil, true},
		{"connect bad json", "CONNECT {bad}\r\nPING\r\n", nil, true},
		{"pub without size", hello + "PUB foo\r\n", nil, true},
		{"pub negative size", hello + "PUB foo -1\r\n", nil, true},
		{"pub size not a number", hello + "PUB foo x1\r\n", nil, true},
		{"pub too many args", hello + "PUB a b c 1\r\n", nil, true},
		{"pub payload shorter than declared", hello + "PUB foo 5\r\nhi\r\nPING\r\n", []string{"-ERR 'Unknown Protocol Operation'"}, true},
		{"pub payload longer than declared", hello + "PUB foo 1\r\nhello\r\nPING\r\n", []string{"-ERR 'Unknown Protocol Operation'"}, true},
		{"hpub header larger than total", hello + "HPUB foo 10 5\r\n", nil, true},
		{"sub without args", hello + "SUB\r\n", []string{"-ERR 'Unknown Protocol Operation'"}, true},
		{"unsub without args", hello + "UNSUB\r\n", []string{"-ERR 'Unknown Protocol Operation'"}, true},
		{"control line too long", hello + "PUB " + strings.Repeat("a", 5000) + " 1\r\n", []string{"-ERR 'maximum control line exceeded'"}, true},
		{"invalid client protocol", "CONNECT {\"verbose\":false,\"protocol\":2}\r\n", []string{"-ERR 'invalid client protocol'"}, true},
		{"no responders without headers", "CONNECT {\"verbose\":false,\"no_responders\":true}\r\n", []string{"-ERR 'no responders requires headers support'"}, true},
		{"sub invalid subject", hello + "SUB foo..bar 1\r\nPING\r\n", []string{"-ERR 'Invalid Subject'", "PONG"}, false},
		{"sub trailing dot", hello + "SUB foo. 1\r\nPING\r\n", []string{"-ERR 'Invalid Subject'", "PONG"}, false},
		{"sub full wildcard not last", hello + "SUB >.a 1\r\nPING\r\n", []string{"-ERR 'Invalid Subject'", "PONG"}, false},
		{"pedantic wildcard publish", "CONNECT {\"verbose\":false,\"pedantic\":true}\r\nPUB foo.* 1\r\nx\r\nPING\r\n", []string{"-ERR 'Invalid Publish Subject'", "PONG"}, false},
		{"non-pedantic wildcard publish", "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPUB foo.* 1\r\nx\r\nPING\r\n", []string{"PONG"}, false},
		{"unsub unknown sid", hello + "UNSUB 99\r\nPING\r\n", []string{"PONG"}, false},
		{"duplicate sid ignored", hello + "SUB foo 1\r\nSUB bar 1\r\nPUB bar 1\r\nx\r\nPUB foo 1\r\ny\r\nPING\r\n", []string{"MSG foo 1 1", "y", "PONG"}, false},
		{"lower-case ops", hello + "sub foo 1\r\npub foo 1\r\nz\r\nping\r\n", []string{"MSG foo 1 1", "z", "PONG"}, false},
		{"tabs and runs of spaces", hello + "SUB\tfoo  1\r\nPUB   foo\t1\r\nw\r\nPING\r\n", []string{"MSG foo 1 1", "w", "PONG"}, false},
		{"pub before connect", "PUB foo 2\r\nhi\r\nPING\r\n", []string{"+OK", "PONG"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialRaw(t, s)
			r.send(tt.send)
			if tt.closes {
				r.closed(tt.reply...)
				return
			}
			r.expect(tt.reply...)
		})
	}
	// The server still serves everybody else.
	r := dialRaw(t, s)
	r.send(hello + "PING\r\n")
	r.expect("PONG")
}

// TestEndlessControlLine is a client that trickles a control line that never
// ends: the server holds at most max_control_line bytes of it, then closes.
func TestEndlessControlLine(t *testing.T) {
	s := servertest.New(t)
	r := dialRaw(t, s)
	r.send("CONNECT {\"verbose\":false}\r\nSUB ")
	chunk := strings.Repeat("a", 64)
	for range 4096/64 + 1 {
		r.send(chunk)
	}
	r.closed("-ERR 'maximum control line exceeded'")
	other := dialRaw(t, s)
	other.send("CONNECT {\"verbose\":false}\r\nPING\r\n")
	other.expect("PONG")
}

// TestBadInputSplitAcrossReads feeds a valid stream one byte per write: the
// parser must give the same result however the bytes arrive.
func TestBadInputSplitAcrossReads(t *testing.T) {
	s := servertest.New(t)
	r := dialRaw(t, s)
	stream := "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB s 1\r\nHPUB s 12 17\r\nNATS/1.0\r\n\r\nhello\r\nPING\r\n"
	for i := range len(stream) {
		r.send(stream[i : i+1])
	}
	r.expect("HMSG s 1 12 17", "NATS/1.0", "", "hello", "PONG")
}

// TestSlowConsumer floods a subscriber that never reads: the server drops it
// once its pending bytes pass max_pending, while the publisher and a healthy
// subscriber carry on and receive everything.
func TestSlowConsumer(t *testing.T) {
	s := servertest.New(t, func(o *server.Options) { o.MaxPending = 2 << 20 })
	// A small receive buffer set before connecting (afterwards Linux keeps
	// autotuning it up to tcp_rmem's maximum) keeps the kernel from absorbing
	// the flood on the slow side.
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	slow, err := d.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n")
	var buf [4096]byte
	var seen string
	for !strings.Contains(seen, "PONG") { // INFO, then PONG: the SUB is in place
		_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := slow.Read(buf[:])
		if err != nil {
			t.Fatal(err)
		}
		seen += string(buf[:n])
	}

	good := connect(t, s)
	gs, _ := good.SubscribeSync("flood")
	gs.SetPendingLimits(-1, -1)
	good.Flush()
	pub := connect(t, s)
	payload := make([]byte, 64<<10)
	// 25 MiB in all, far beyond max_pending and any socket buffer. The
	// publisher waits for the healthy subscriber after every 512 KiB, so only
	// the subscriber that never reads can fall max_pending behind.
	const n, chunk = 400, 8
	for i := 0; i < n; i += chunk {
		for range chunk {
			if err := pub.Publish("flood", payload); err != nil {
				t.Fatal(err)
			}
		}
		if err := pub.Flush(); err != nil {
			t.Fatalf("publisher was affected by the slow consumer: %v", err)
		}
		for range chunk {
			next(t, gs)
		}
	}
	// The slow connection was closed: draining it ends in EOF, not a timeout.
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, slow); err != nil {
		t.Fatalf("slow consumer not disconnected: %v", err)
	}
}
