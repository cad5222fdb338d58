package jetstream

import (
	"strconv"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// Push flow control (JETSTREAM-MESSAGING.md §5): after fcWindow/2 bytes the
// consumer sends a "100 FlowControl Request" with a $JS.FC reply and stalls
// once fcWindow bytes went out without an answer.
const fcWindow = 2 << 20

// pushInterestPoll is how often a push consumer without a listener checks again.
const pushInterestPoll = 50 * time.Millisecond

// pushState is a push consumer's flow-control state.
type pushState struct {
	fcBytes   int    // bytes delivered since the last flow-control request
	fcPending string // reply subject of the unanswered request; "" if none
	fcSerial  uint64
	// rate_limit_bps token bucket, in bytes; rateAt is its last refill.
	rateTokens float64
	rateAt     int64
}

// rateBurst is the bucket size: twice the default max payload, as nats-server.
const rateBurst = 2 << 20

// rateWait refills the bucket and reports how long a delivery of
// size bytes must wait (0: it may go now, and the tokens are taken).
func (ps *pushState) rateWait(bps uint64, size int, now int64) int64 {
	perNano := float64(bps) / 8 / 1e9
	if ps.rateAt == 0 {
		ps.rateTokens = rateBurst
	} else {
		ps.rateTokens = min(rateBurst, ps.rateTokens+float64(now-ps.rateAt)*perNano)
	}
	ps.rateAt = now
	need := float64(min(size, rateBurst))
	if ps.rateTokens < need {
		return int64((need-ps.rateTokens)/perNano) + 1
	}
	ps.rateTokens -= need
	return 0
}

// pushLocked delivers to the deliver subject while someone listens.
func (c *consumer) pushLocked(res *stepResult, now int64) {
	cfg := &c.mu.cfg
	target := cfg.DeliverSubject
	if !c.js.broker.HasInterest(target) {
		// The broker does not announce new interest; look again shortly.
		res.wakeAt(now + int64(pushInterestPoll))
		return
	}
	ps := &c.mu.push
	var pending uint64
	counted := false
	for {
		if cfg.FlowControl && ps.fcPending != "" && ps.fcBytes >= fcWindow/2 {
			break // stalled until the client answers
		}
		cand, ok := c.nextLocked()
		if !ok {
			break
		}
		if cfg.RateLimit > 0 {
			m := cand.msg
			if wait := ps.rateWait(cfg.RateLimit, len(m.Subject)+len(m.Header)+len(m.Data), now); wait > 0 {
				res.wakeAt(now + wait)
				break
			}
		}
		if !counted {
			pending, counted = c.numPendingLocked(), true
		}
		out, size := c.deliverLocked(res, cand, target, now, &pending, "")
		res.out = append(res.out, out)
		c.mu.lastSend = now
		if cfg.FlowControl {
			ps.fcBytes += size
			if ps.fcPending == "" && ps.fcBytes >= fcWindow/2 {
				c.flowControlLocked(res, target)
			}
		}
	}
	if hb := int64(cfg.Heartbeat); hb > 0 {
		if now-c.mu.lastSend >= hb {
			d := c.mu.ack.Delivered()
			kv := []string{hdrLastConsumer, strconv.FormatUint(d.Consumer, 10), hdrLastStream, strconv.FormatUint(d.Stream, 10)}
			if ps.fcPending != "" {
				kv = append(kv, "Nats-Consumer-Stalled", ps.fcPending)
			}
			res.out = append(res.out, statusMsg(target, 100, statusIdleHeartbeat, kv...))
			c.mu.lastSend = now
		}
		res.wakeAt(c.mu.lastSend + hb)
	}
}

// flowControlLocked sends a flow-control request.
func (c *consumer) flowControlLocked(res *stepResult, target string) {
	ps := &c.mu.push
	ps.fcSerial++
	ps.fcPending = jsapi.FlowControlPrefix + c.st.name + "." + c.name + "." + fcToken(ps.fcSerial)
	ps.fcBytes = 0
	m := statusMsg(target, 100, "FlowControl Request")
	m.reply = ps.fcPending
	res.out = append(res.out, m)
}

// fcToken is a short base62 token for a flow-control reply subject.
func fcToken(n uint64) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [4]byte
	for i := range b {
		b[i] = digits[n%62]
		n /= 62
	}
	return string(b[:])
}

// fcSubscriber receives flow-control answers on $JS.FC.<stream>.<consumer>.*.
type fcSubscriber struct{ c *consumer }

func (f fcSubscriber) Deliver(_ *broker.Subscription, subj, _, _, _ []byte) {
	c := f.c
	c.mu.Lock()
	if c.mu.push.fcPending == string(subj) {
		c.mu.push.fcPending = ""
	}
	c.mu.Unlock()
	c.poke()
}
