package jetstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// pullRequest is one waiting CONSUMER.MSG.NEXT request
// (JETSTREAM-MESSAGING.md §4).
type pullRequest struct {
	reply     string
	batch     int   // messages still wanted
	maxBytes  int   // 0: no byte budget
	bytesLeft int   // remaining byte budget
	expires   int64 // unix nanos; 0: none
	noWait    bool
	hb        time.Duration
	lastMsg   int64 // last message or heartbeat sent (for idle heartbeats)
	delivered int
	pg        jsapi.PriorityGroup
}

// Pull status texts (nats.go matches some of them case-insensitively).
const (
	statusNoMessages      = "No Messages"
	statusRequestTimeout  = "Request Timeout"
	statusRequestsPending = "Requests Pending"
	statusBatchCompleted  = "Batch Completed"
	statusMaxBytes        = "Message Size Exceeds MaxBytes"
	statusDeleted         = "Consumer Deleted"
	statusShutdown        = "Server Shutdown"
	statusMaxWaiting      = "Exceeded MaxWaiting"
	statusPushBased       = "Consumer is push based"
	statusIdleHeartbeat   = "Idle Heartbeat"
	hdrPendingMsgs        = "Nats-Pending-Messages"
	hdrPendingBytes       = "Nats-Pending-Bytes"
	hdrLastConsumer       = "Nats-Last-Consumer"
	hdrLastStream         = "Nats-Last-Stream"
)

// parseNextRequest decodes a pull request body: empty, a bare integer, or
// lenient JSON.
func parseNextRequest(body []byte) (jsapi.NextRequest, error) {
	var nr jsapi.NextRequest
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		nr.Batch = 1
	case body[0] == '{':
		if err := json.Unmarshal(body, &nr); err != nil {
			return nr, err
		}
	default:
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return nr, err
		}
		nr.Batch = n
	}
	if nr.Batch <= 0 {
		nr.Batch = 1
	}
	return nr, nil
}

// pendingHeaders are the Nats-Pending-* headers of a request that ends unfilled.
func (r *pullRequest) pendingHeaders() []string {
	return []string{hdrPendingMsgs, strconv.Itoa(r.batch), hdrPendingBytes, strconv.Itoa(r.bytesLeft)}
}

// request queues a pull request, or answers it at once with a status.
func (c *consumer) request(reply string, body []byte) {
	now := c.js.now()
	res := &stepResult{}
	c.mu.Lock()
	c.requestLocked(res, reply, body, now)
	c.mu.Unlock()
	res.send(c)
	c.poke()
}

func (c *consumer) requestLocked(res *stepResult, reply string, body []byte, now int64) {
	fail := func(code int, desc string, kv ...string) {
		res.out = append(res.out, statusMsg(reply, code, desc, kv...))
	}
	cfg := &c.mu.cfg
	if c.mu.closed {
		return
	}
	if cfg.DeliverSubject != "" {
		fail(409, statusPushBased)
		return
	}
	nr, err := parseNextRequest(body)
	switch {
	case err != nil:
		fail(400, "Bad Request - "+err.Error())
		return
	case cfg.MaxRequestBatch > 0 && nr.Batch > cfg.MaxRequestBatch:
		fail(409, fmt.Sprintf("Exceeded MaxRequestBatch of %d", cfg.MaxRequestBatch))
		return
	case cfg.MaxRequestExpires > 0 && nr.Expires > cfg.MaxRequestExpires:
		fail(409, fmt.Sprintf("Exceeded MaxRequestExpires of %v", cfg.MaxRequestExpires))
		return
	case cfg.MaxRequestMaxBytes > 0 && nr.MaxBytes > cfg.MaxRequestMaxBytes:
		fail(409, fmt.Sprintf("Exceeded MaxRequestMaxBytes of %d", cfg.MaxRequestMaxBytes))
		return
	case nr.Heartbeat > 0 && nr.Expires > 0 && 2*nr.Heartbeat > nr.Expires:
		fail(400, "Bad Request - heartbeat value too large")
		return
	}
	if code, desc := c.checkPriorityRequestLocked(&nr, now); code != 0 {
		fail(code, desc)
		return
	}
	if nr.NoWait && c.requestsPendingLocked(now) {
		fail(408, statusRequestsPending)
		return
	}
	c.mu.lastActive = now
	r := &pullRequest{reply: reply, batch: nr.Batch, maxBytes: nr.MaxBytes, bytesLeft: nr.MaxBytes,
		noWait: nr.NoWait, hb: nr.Heartbeat, lastMsg: now, pg: nr.PriorityGroup}
	if nr.Expires > 0 {
		r.expires = now + int64(nr.Expires)
	}
	if len(c.mu.waiting) >= cfg.MaxWaiting && cfg.MaxWaiting > 0 {
		fail(409, statusMaxWaiting)
		return
	}
	// prioritized: lower priority values first, arrival order within one.
	i := len(c.mu.waiting)
	if cfg.PriorityPolicy == jsapi.PriorityPrioritized {
		for i > 0 && c.mu.waiting[i-1].pg.Priority > r.pg.Priority {
			i--
		}
	}
	c.mu.waiting = slices.Insert(c.mu.waiting, i, r)
	// Serve it now, so a no_wait request sees exactly what is there, after
	// any removals the goroutine has not applied yet.
	c.removedLocked(res)
	c.pullLocked(res, now)
}

// pullLocked serves the waiting requests in order, then ends no_wait
// requests that found nothing more, expires old ones and sends heartbeats.
func (c *consumer) pullLocked(res *stepResult, now int64) {
	var pending uint64
	counted := false
	for {
		idx := -1
		for i, r := range c.mu.waiting {
			if r.expires > 0 && r.expires <= now {
				continue // expired below
			}
			if !c.js.broker.HasInterest(r.reply) {
				continue // the requester went away; dropped below
			}
			if c.eligibleLocked(r) {
				idx = i
				break
			}
		}
		if idx < 0 {
			break
		}
		r := c.mu.waiting[idx]
		cand, ok := c.nextLocked()
		if !ok {
			break
		}
		if !counted {
			pending, counted = c.numPendingLocked(), true
		}
		m := cand.msg
		if r.maxBytes > 0 {
			// The reply subject is left out of the estimate: it is not
			// known before the delivery is recorded.
			if size := len(m.Subject) + len(m.Header) + len(m.Data); size > r.bytesLeft {
				res.out = append(res.out, statusMsg(r.reply, 409, statusMaxBytes, r.pendingHeaders()...))
				c.mu.waiting = slices.Delete(c.mu.waiting, idx, idx+1)
				continue
			}
		}
		pin := c.pinLocked(res, r, now)
		if pin != "" {
			c.mu.pin.lastPull = now
		}
		out, size := c.deliverLocked(res, cand, r.reply, now, &pending, pin)
		res.out = append(res.out, out)
		r.batch--
		r.delivered++
		r.lastMsg = now
		if r.maxBytes > 0 {
			r.bytesLeft = max(r.bytesLeft-size, 0)
		}
		if r.batch == 0 || (r.maxBytes > 0 && r.bytesLeft == 0) {
			if r.batch == 0 && r.maxBytes > 0 && r.bytesLeft > 0 {
				res.out = append(res.out, statusMsg(r.reply, 409, statusBatchCompleted, r.pendingHeaders()...))
			}
			c.mu.waiting = slices.Delete(c.mu.waiting, idx, idx+1)
		}
	}
	c.finishWaitingLocked(res, now)
}

// finishWaitingLocked ends no_wait requests that found nothing more and
// expired ones, and sends idle heartbeats to the rest.
func (c *consumer) finishWaitingLocked(res *stepResult, now int64) {
	kept := c.mu.waiting[:0]
	for _, r := range c.mu.waiting {
		switch {
		case !c.js.broker.HasInterest(r.reply):
			// the requester went away: dropped silently
		case r.expires > 0 && r.expires <= now:
			res.out = append(res.out, statusMsg(r.reply, 408, statusRequestTimeout, r.pendingHeaders()...))
		case r.noWait:
			if r.expires > 0 {
				res.out = append(res.out, statusMsg(r.reply, 408, statusRequestTimeout, r.pendingHeaders()...))
			} else {
				res.out = append(res.out, statusMsg(r.reply, 404, statusNoMessages))
			}
		default:
			if r.hb > 0 {
				if now-r.lastMsg >= int64(r.hb) {
					d := c.mu.ack.Delivered()
					res.out = append(res.out, statusMsg(r.reply, 100, statusIdleHeartbeat,
						hdrLastConsumer, strconv.FormatUint(d.Consumer, 10), hdrLastStream, strconv.FormatUint(d.Stream, 10)))
					r.lastMsg = now
				}
				res.wakeAt(r.lastMsg + int64(r.hb))
			}
			res.wakeAt(r.expires)
			kept = append(kept, r)
		}
	}
	clear(c.mu.waiting[len(kept):])
	c.mu.waiting = kept
}

// endWaiting answers requests left when the consumer goes away.
func (c *consumer) endWaiting(waiting []*pullRequest, desc string) {
	for _, r := range waiting {
		var m outMsg
		if desc == statusShutdown {
			m = statusMsg(r.reply, 409, desc, r.pendingHeaders()...)
		} else {
			m = statusMsg(r.reply, 409, desc)
		}
		c.js.broker.Publish(nil, []byte(m.target), nil, m.hdr, nil)
	}
}

// requestsPendingLocked reports whether the requests already waiting will
// take every message there is to deliver, so that a no_wait request would
// find none of them: nats-server answers it 408 Requests Pending
// (JETSTREAM-MESSAGING.md §4.2).
func (c *consumer) requestsPendingLocked(now int64) bool {
	if len(c.mu.waiting) == 0 {
		return false
	}
	var want uint64
	for _, r := range c.mu.waiting {
		if r.expires == 0 || r.expires > now {
			want += uint64(r.batch)
		}
	}
	if want == 0 {
		return false
	}
	pending := c.numPendingLocked() + uint64(c.mu.ack.NumRedeliveryQueued())
	return pending > 0 && pending < want
}
