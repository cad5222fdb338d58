package conn

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// A spare outbound buffer larger than this is released at the next keepalive
// tick, so that an idle connection does not pin a burst's worth of memory
// while a busy one keeps reusing it (regrowing it per burst cost a quarter of
// the CPU in the pub/sub benchmark: docs/benchmarks.md).
const idleSpareBuffer = 1 << 20

// A spare larger than this is never kept: a burst that far behind is rare,
// and holding two such buffers per lagging connection costs more memory
// than regrowing costs CPU.
const maxSpareBuffer = 8 << 20

// Conn is one client connection.
type Conn struct {
	id    uint64
	nc    net.Conn
	opts  *Options
	log   *slog.Logger
	start time.Time

	// Read-loop state: only the reader goroutine touches these.
	parser       *proto.Parser
	connected    bool
	infoSent     bool // the connect_info INFO after the first PING
	verbose      bool
	pedantic     bool
	echo         bool
	noResponders bool
	protocol     int

	headers     atomic.Bool  // negotiated headers; read by Deliver
	system      atomic.Bool  // authenticated as a system-account user; read by the broker on publish
	lastIn      atomic.Int64 // unix nanos of the last read from the socket
	pingsOut    atomic.Int32
	rttStart    atomic.Int64  // unix nanos the RTT-measuring PING was sent; 0 when none is out
	rtt         atomic.Int64  // nanoseconds
	connectedCh chan struct{} // closed on a successful CONNECT; tells the writer to arm the first PING

	inMsgs, inBytes atomic.Uint64

	mu struct {
		sync.Mutex
		out   []byte // pending outbound bytes
		spare []byte // the buffer the writer returned, reused for out
		// outMsgs and outBytes count deliveries; kept under the lock Deliver
		// holds anyway rather than as two more atomic adds per message.
		outMsgs, outBytes uint64
		wake              bool // the writer has been woken and has not yet drained out
		closed            bool
		reason            CloseReason
		subs              map[string]*broker.Subscription // by sid
		client            ClientInfo
	}
	wake chan struct{} // capacity 1: there is data to write
	done chan struct{} // closed when the connection starts closing
	wg   sync.WaitGroup
}

// ClientInfo is what the client told about itself in CONNECT.
type ClientInfo struct {
	Name, Lang, Version, User string
}

// New wraps an accepted socket. Call Run to serve it.
func New(nc net.Conn, id uint64, opts *Options) *Conn {
	c := &Conn{
		id:          id,
		nc:          nc,
		opts:        opts,
		log:         opts.Logger.With("cid", id),
		start:       time.Now(),
		parser:      proto.NewParser(proto.ServerSide, proto.Limits{MaxControlLine: opts.MaxControlLine, MaxPayload: opts.MaxPayload}),
		verbose:     true,
		pedantic:    true,
		echo:        true,
		connectedCh: make(chan struct{}),
		wake:        make(chan struct{}, 1),
		done:        make(chan struct{}),
	}
	c.mu.subs = make(map[string]*broker.Subscription)
	return c
}

// System reports whether the client authenticated as a system-account user;
// it implements broker.SystemOrigin.
func (c *Conn) System() bool { return c.system.Load() }

// ID is the connection's client id (CID).
func (c *Conn) ID() uint64 { return c.id }

// Run serves the connection until it closes. It starts the writer goroutine and
// waits for it before returning.
func (c *Conn) Run() {
	c.lastIn.Store(time.Now().UnixNano())
	c.wg.Go(c.writeLoop)
	c.sendInfo()
	if c.opts.Auth.Required() {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.opts.AuthTimeout))
	}
	reason := c.readLoop()
	c.closeWith(reason, true)
	c.wg.Wait()
	c.removeSubs()
	c.log.Debug("client closed", "reason", c.Reason())
}

// Close starts closing the connection, flushing what is queued; Run returns
// once it is closed.
func (c *Conn) Close(reason CloseReason) { c.closeWith(reason, true) }

// Abort closes the connection at once, dropping what is queued.
func (c *Conn) Abort(reason CloseReason) { c.closeWith(reason, false) }

// Done is closed when the connection starts closing.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Reason tells why the connection closed ("" while open).
func (c *Conn) Reason() CloseReason {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.reason
}

// closeWith marks the connection closed. With flush, the writer writes what is
// queued (bounded by WriteDeadline) before closing the socket; without it the
// socket closes at once and queued bytes are dropped.
func (c *Conn) closeWith(reason CloseReason, flush bool) {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return
	}
	c.mu.closed = true
	c.mu.reason = reason
	if !flush {
		c.mu.out = nil
	}
	c.mu.Unlock()
	close(c.done)
	if !flush {
		_ = c.nc.Close()
	}
}

func (c *Conn) removeSubs() {
	c.mu.Lock()
	subs := c.mu.subs
	c.mu.subs = nil
	c.mu.Unlock()
	for _, s := range subs {
		c.opts.Broker.Unsubscribe(s)
	}
}

func (c *Conn) sendInfo() {
	info := c.opts.Info
	info.ClientID = c.id
	info.ClientIP = c.remoteIP()
	b, err := json.Marshal(&info)
	if err != nil {
		panic("conn: INFO does not marshal: " + err.Error()) // a broken invariant: ServerInfo is plain data
	}
	c.enqueue(func(dst []byte) []byte { return proto.AppendInfo(dst, b) })
}

func (c *Conn) remoteIP() string {
	if addr, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
		return addr.IP.String()
	}
	return ""
}

// readLoop parses ops until the socket fails or an op closes the connection.
func (c *Conn) readLoop() CloseReason {
	buf := make([]byte, 4096)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.lastIn.Store(time.Now().UnixNano())
			if perr := c.parser.Parse(buf[:n], c); perr != nil {
				return c.parseFailure(perr)
			}
			buf = resizeReadBuffer(buf, n)
		}
		if err != nil {
			return c.readFailure(err)
		}
	}
}

// resizeReadBuffer grows the buffer after a full read and shrinks it after a
// small one, between 512 bytes and 64 KiB, so that busy publishers read in big
// chunks while idle connections cost little.
func resizeReadBuffer(buf []byte, n int) []byte {
	switch {
	case n == len(buf) && len(buf) < 64<<10:
		return make([]byte, 2*len(buf))
	case n < len(buf)/8 && len(buf) > 512:
		return make([]byte, len(buf)/2)
	}
	return buf
}

func (c *Conn) readFailure(err error) CloseReason {
	var ne net.Error
	if !c.connected && c.opts.Auth.Required() && errors.As(err, &ne) && ne.Timeout() {
		c.sendErr("Authentication Timeout")
		return ReasonAuthTimeout
	}
	select {
	case <-c.done:
		return c.Reason()
	default:
	}
	return ReasonClientClosed
}

// parseFailure turns an error from the parser or a handler into -ERR and a reason.
func (c *Conn) parseFailure(err error) CloseReason {
	var ce *closeError
	if errors.As(err, &ce) {
		return ce.reason
	}
	var pe *proto.ProtocolError
	if errors.As(err, &pe) {
		if pe.SendErr {
			c.sendErr(pe.Msg)
		}
		c.log.Warn("client protocol error", "error", pe.Msg)
		switch {
		case errors.Is(err, proto.ErrMaxPayload):
			return ReasonMaxPayload
		case errors.Is(err, proto.ErrMaxControlLine):
			return ReasonMaxControlLine
		}
		return ReasonProtocolViolation
	}
	c.log.Warn("client error", "error", err)
	return ReasonProtocolViolation
}

// closeError stops the read loop with a reason; any -ERR was already queued.
type closeError struct{ reason CloseReason }

func (e *closeError) Error() string { return "conn: closing: " + string(e.reason) }

// sendErr queues -ERR 'msg'.
func (c *Conn) sendErr(msg string) {
	c.enqueue(func(dst []byte) []byte { return proto.AppendErr(dst, msg) })
}

// enqueue appends protocol bytes for the writer.
func (c *Conn) enqueue(appendTo func([]byte) []byte) {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return
	}
	c.mu.out = appendTo(c.mu.out)
	wake := c.wakeLocked()
	c.mu.Unlock()
	if wake {
		c.signal()
	}
}

// wakeLocked reports whether the caller must signal the writer.
func (c *Conn) wakeLocked() bool {
	if c.mu.wake {
		return false
	}
	c.mu.wake = true
	return true
}

func (c *Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}
