package conn

import (
	"errors"
	"net"
	"time"

	"github.com/holdfast-mq/holdfast/internal/proto"
)

// writeLoop is the only code that writes to the socket. It drains the outbound
// buffer when woken, sends keepalive PINGs, and on close flushes and closes.
func (c *Conn) writeLoop() {
	timer := time.NewTimer(c.opts.PingInterval)
	defer timer.Stop()
	connected := c.connectedCh
	first := false // the next timer tick is the first PING after CONNECT
	for {
		select {
		case <-c.wake:
			c.flushOut()
		case <-connected:
			connected = nil
			first = true
			timer.Reset(c.opts.FirstPing)
		case <-timer.C:
			c.trimSpare()
			c.keepalive(first)
			first = false
			timer.Reset(c.opts.PingInterval)
		case <-c.done:
			c.flushOut()
			_ = c.nc.Close()
			return
		}
	}
}

// flushOut writes everything queued, swapping buffers so that deliveries keep
// appending while the write is in progress.
func (c *Conn) flushOut() {
	for {
		c.mu.Lock()
		buf := c.mu.out
		if len(buf) == 0 {
			c.mu.wake = false
			c.mu.Unlock()
			return
		}
		c.mu.out, c.mu.spare = c.mu.spare[:0], nil
		c.mu.Unlock()

		_ = c.nc.SetWriteDeadline(time.Now().Add(c.opts.WriteDeadline))
		_, err := c.nc.Write(buf)
		if err != nil {
			c.writeFailure(err)
			return
		}
		c.mu.Lock()
		if cap(buf) <= maxSpareBuffer {
			c.mu.spare = buf[:0]
		}
		c.mu.Unlock()
	}
}

func (c *Conn) writeFailure(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.slowConsumer(ReasonSlowConsumerDeadline)
		return
	}
	c.closeWith(ReasonWriteError, false)
}

// keepalive sends a PING unless the client was heard from within the interval,
// and closes a connection that left MaxPingsOut PINGs unanswered. The first PING
// after CONNECT is always sent: clients use it to measure the round trip.
func (c *Conn) keepalive(first bool) {
	if !first && c.pingsOut.Load() == 0 && time.Since(time.Unix(0, c.lastIn.Load())) < c.opts.PingInterval {
		return // traffic proves the client is alive
	}
	if int(c.pingsOut.Load()) >= c.opts.MaxPingsOut {
		c.sendErr("Stale Connection")
		c.log.Debug("stale client connection")
		c.closeWith(ReasonStale, true)
		return
	}
	c.pingsOut.Add(1)
	if first {
		c.rttStart.Store(time.Now().UnixNano())
	}
	c.enqueue(proto.AppendPing)
}

// trimSpare releases a large spare buffer. The writer calls it on every
// keepalive tick, so a busy connection regrows it at most once per ping
// interval and an idle one gives the memory back within one.
func (c *Conn) trimSpare() {
	c.mu.Lock()
	if cap(c.mu.spare) > idleSpareBuffer {
		c.mu.spare = nil
	}
	c.mu.Unlock()
}
