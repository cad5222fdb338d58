package conn

import (
	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// Deliver queues a message for one of this connection's subscriptions. It is
// called from the publisher's goroutine and never blocks on the socket: a
// connection whose queue passes MaxPending is closed as a slow consumer.
// It implements broker.Subscriber.
func (c *Conn) Deliver(sub *broker.Subscription, subj, reply, hdr, payload []byte) {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return
	}
	if len(hdr) > 0 && c.headers.Load() {
		c.mu.out = proto.AppendMsgHeader(c.mu.out, subj, reply, sub.SID, len(hdr), len(hdr)+len(payload))
		c.mu.out = append(c.mu.out, hdr...)
	} else {
		// A connection without headers gets the payload only (PROTOCOL.md §6).
		c.mu.out = proto.AppendMsgHeader(c.mu.out, subj, reply, sub.SID, 0, len(payload))
	}
	c.mu.out = append(c.mu.out, payload...)
	c.mu.out = append(c.mu.out, '\r', '\n')
	if max := sub.Max(); max > 0 && sub.Delivered() >= max && c.mu.subs[string(sub.SID)] == sub {
		delete(c.mu.subs, string(sub.SID)) // auto-unsubscribe reached its limit
	}
	c.mu.outMsgs++
	c.mu.outBytes += uint64(len(hdr) + len(payload))
	slow := len(c.mu.out) > c.opts.MaxPending
	wake := c.wakeLocked()
	c.mu.Unlock()
	if slow {
		c.slowConsumer(ReasonSlowConsumerPending)
		return
	}
	if wake {
		c.signal()
	}
}

func (c *Conn) slowConsumer(reason CloseReason) {
	c.log.Warn("slow consumer detected", "reason", string(reason))
	c.closeWith(reason, false)
}
