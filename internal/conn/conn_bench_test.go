package conn

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

var benchPayload = bytes.Repeat([]byte("x"), 128)

// BenchmarkDeliver appends one MSG to a connection's outbound buffer, the work
// a publisher's goroutine does per subscriber. Every 1024 messages the buffer
// is emptied, as the writer would after a coalesced write.
func BenchmarkDeliver(b *testing.B) {
	cases := []struct {
		name       string
		reply, hdr []byte
	}{
		{"plain", nil, nil},
		{"reply", []byte("_INBOX.Qx6yQvDFCQtHg1yWM5XqFO.Qx6yQvDFCQtHg1yWM5Xqa9"), nil},
		{"headers", nil, []byte("NATS/1.0\r\nNats-Msg-Id: 4242\r\n\r\n")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			local, remote := net.Pipe()
			defer local.Close()
			defer remote.Close()
			opts := Options{Broker: broker.New(broker.Options{})}.WithDefaults()
			c := New(local, 1, &opts)
			c.headers.Store(true)
			sub := &broker.Subscription{Subject: "bench.deliver", SID: []byte("1"), Owner: c}
			subj := []byte("bench.deliver")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.Deliver(sub, subj, tc.reply, tc.hdr, benchPayload)
				if i++; i%1024 == 0 {
					c.mu.Lock()
					c.mu.out = c.mu.out[:0]
					c.mu.Unlock()
				}
			}
			c.mu.Lock()
			closed := c.mu.closed
			c.mu.Unlock()
			if closed {
				b.Fatal("connection closed during the benchmark")
			}
		})
	}
}

// benchServer serves conn.Conns on a loopback listener with one shared broker,
// as server.Server does, without the server package (conn may not import it).
type benchServer struct {
	ln    net.Listener
	opts  Options
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []*Conn
}

func startBenchServer(b *testing.B) *benchServer {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &benchServer{ln: ln}
	s.opts = Options{
		Broker: broker.New(broker.Options{}),
		Info:   proto.ServerInfo{ServerID: "BENCH", Proto: 1, Headers: true, MaxPayload: 1 << 20},
		// No keepalive PING may land in the middle of the byte stream a
		// benchmark counts.
		FirstPing:    time.Hour,
		PingInterval: time.Hour,
	}.WithDefaults()
	s.wg.Go(func() {
		for id := uint64(1); ; id++ {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			c := New(nc, id, &s.opts)
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Go(c.Run)
		}
	})
	b.Cleanup(s.close)
	return s
}

func (s *benchServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Abort(ReasonServerShutdown)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// dial connects a raw client: it reads INFO, sends CONNECT (protocol 0, so no
// second INFO follows the PING), then the extra ops, then PING, and returns
// after PONG, when the server has applied everything sent.
func (s *benchServer) dial(b *testing.B, ops string) (net.Conn, *bufio.Reader) {
	b.Helper()
	nc, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = nc.Close() })
	r := bufio.NewReaderSize(nc, 64<<10)
	if line, err := r.ReadString('\n'); err != nil || len(line) < 5 || line[:5] != "INFO " {
		b.Fatalf("want INFO, got %q (%v)", line, err)
	}
	hello := `CONNECT {"verbose":false,"pedantic":false,"protocol":0}` + "\r\n" + ops + "PING\r\n"
	if _, err := io.WriteString(nc, hello); err != nil {
		b.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "PONG\r\n" {
		b.Fatalf("want PONG, got %q (%v)", line, err)
	}
	return nc, r
}

// publish writes n PUBs of benchPayload through a 32 KiB buffer, as nats.go
// batches its writes, followed by a PING.
func publish(b *testing.B, nc net.Conn, subject string, n int) {
	frame := fmt.Appendf(nil, "PUB %s %d\r\n%s\r\n", subject, len(benchPayload), benchPayload)
	w := bufio.NewWriterSize(nc, 32<<10)
	for range n {
		_, _ = w.Write(frame)
	}
	_, _ = w.WriteString("PING\r\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPubSub sends 128-byte messages from one raw TCP client through the
// broker to one subscribing client, as `nats bench pub` and `nats bench sub`
// do; an op is one message received, and msgs/s counts them end to end.
// It loops over b.N rather than b.Loop because the subscriber must know how
// many bytes to wait for, and that wait belongs in the timing.
func BenchmarkPubSub(b *testing.B) {
	s := startBenchServer(b)
	_, subR := s.dial(b, "SUB bench.e2e 1\r\n")
	pub, pubR := s.dial(b, "")
	want := fmt.Appendf(nil, "MSG bench.e2e 1 %d\r\n%s\r\n", len(benchPayload), benchPayload)
	total := b.N * len(want)

	done := make(chan error, 1)
	go func() { done <- readMsgs(subR, want, total) }()

	b.ReportAllocs()
	b.ResetTimer()
	publish(b, pub, "bench.e2e", b.N)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if line, err := pubR.ReadString('\n'); err != nil || line != "PONG\r\n" {
		b.Fatalf("publisher: want PONG, got %q (%v)", line, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// readMsgs reads total bytes, which must be copies of want. It compares with
// bytes.Equal a segment at a time so that checking costs the server little CPU.
func readMsgs(r *bufio.Reader, want []byte, total int) error {
	buf := make([]byte, 64<<10)
	off := 0 // position within the repeating frame
	for read := 0; read < total; {
		n, err := r.Read(buf[:min(len(buf), total-read)])
		for chunk := buf[:n]; len(chunk) > 0; {
			k := min(len(chunk), len(want)-off)
			if !bytes.Equal(chunk[:k], want[off:off+k]) {
				return fmt.Errorf("at byte %d of the stream: got %q, want %q", read, chunk[:k], want[off:off+k])
			}
			chunk, read, off = chunk[k:], read+k, (off+k)%len(want)
		}
		if err != nil {
			return fmt.Errorf("after %d of %d bytes: %w", read, total, err)
		}
	}
	return nil
}

// BenchmarkPubOnly sends 128-byte messages nobody subscribes to: the read,
// parse and publish path alone, as `nats bench pub` without a subscriber.
func BenchmarkPubOnly(b *testing.B) {
	s := startBenchServer(b)
	pub, pubR := s.dial(b, "")
	b.ReportAllocs()
	b.ResetTimer()
	publish(b, pub, "bench.nobody", b.N)
	if line, err := pubR.ReadString('\n'); err != nil || line != "PONG\r\n" {
		b.Fatalf("want PONG, got %q (%v)", line, err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
