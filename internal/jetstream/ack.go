package jetstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// ackSubscriber receives acks on $JS.ACK.<stream>.<consumer>.> on the
// acker's goroutine (JETSTREAM-MESSAGING.md §3.3).
type ackSubscriber struct{ c *consumer }

func (a ackSubscriber) Deliver(_ *broker.Subscription, subj, reply, _, payload []byte) {
	meta, err := jsapi.ParseAckSubject(string(subj))
	if err != nil {
		return
	}
	a.c.processAck(meta, string(reply), bytes.TrimSpace(payload))
}

// ack kinds.
const (
	ackAck = iota
	ackNak
	ackProgress
	ackNext
	ackTerm
	ackIgnore
)

// parseAck classifies an ack payload; rest is what follows the keyword.
func parseAck(p []byte) (kind int, rest []byte) {
	switch {
	case len(p) == 0, string(p) == "+ACK", string(p) == "+OK":
		return ackAck, nil
	case bytes.HasPrefix(p, []byte("-NAK")):
		return ackNak, bytes.TrimSpace(p[4:])
	case string(p) == "+WPI":
		return ackProgress, nil
	case bytes.HasPrefix(p, []byte("+NXT")):
		return ackNext, bytes.TrimSpace(p[4:])
	case bytes.HasPrefix(p, []byte("+TERM")):
		return ackTerm, bytes.TrimSpace(p[5:])
	}
	return ackIgnore, nil
}

// nakDelay reads the delay of "-NAK {"delay":ns}" or "-NAK 5s"; anything
// else is a plain NAK. A JSON NAK may also carry an "error" text (a
// holdfast extension, kept in the message's delivery history).
func nakDelay(rest []byte) (time.Duration, string) {
	if len(rest) == 0 {
		return 0, ""
	}
	if rest[0] == '{' {
		var o struct {
			jsapi.NakOptions
			Error string `json:"error"`
		}
		if json.Unmarshal(rest, &o) == nil {
			return o.Delay, o.Error
		}
		return 0, ""
	}
	d, err := time.ParseDuration(string(rest))
	if err != nil {
		return 0, ""
	}
	return d, ""
}

func (c *consumer) processAck(meta jsapi.AckMeta, reply string, payload []byte) {
	kind, rest := parseAck(payload)
	if kind == ackIgnore {
		return
	}
	now := c.js.now()
	res := &stepResult{}
	replied := true
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return
	}
	seq := meta.StreamSeq
	if seq > c.mu.ack.Delivered().Stream {
		c.mu.Unlock()
		return // beyond what was delivered: ignored and not answered
	}
	c.mu.lastActive = now
	if kind == ackAck || kind == ackNext {
		c.sampleAckLocked(res, meta, now)
	}
	switch kind {
	case ackAck:
		c.ackLocked(res, seq, meta.ConsumerSeq)
	case ackNak:
		delay, errText := nakDelay(rest)
		c.nakLocked(res, meta, delay, errText, now)
	case ackProgress:
		c.mu.ack.Progress(seq, now)
	case ackTerm:
		c.termLocked(res, meta, string(rest), now)
	case ackNext:
		c.ackLocked(res, seq, meta.ConsumerSeq)
		if reply != "" {
			c.requestLocked(res, reply, rest, now)
		}
		replied = false
	}
	c.noteDeadLettersLocked()
	c.mu.Unlock()
	// Retention releases and advisories go first, so a client that waited
	// for the ack reply sees their effect.
	res.send(c)
	switch {
	case !replied || reply == "":
	case c.cs != nil:
		// An ack sync is answered once the state change is durable.
		c.mu.Lock()
		c.mu.syncReplies = append(c.mu.syncReplies, reply)
		c.wakePersisterLocked()
		c.mu.Unlock()
	default:
		c.js.broker.Publish(nil, []byte(reply), nil, nil, nil)
	}
	c.poke()
}

// ackLocked acknowledges seq (everything up to it under AckAll).
func (c *consumer) ackLocked(res *stepResult, seq, _ uint64) {
	ack := c.mu.ack
	floor := ack.AckFloor().Stream
	r := ack.Ack(seq)
	switch r {
	case ackstate.Unknown:
		return
	case ackstate.Late:
		c.lateAckLocked(res, seq, "ack")
		if c.mu.cfg.AckPolicy != jsapi.AckAll {
			return
		}
	}
	c.mu.lastAck = time.Now()
	all := c.mu.cfg.AckPolicy == jsapi.AckAll
	c.dirtyLocked()
	if all {
		for q := floor + 1; q <= seq; q++ {
			res.release = append(res.release, q)
		}
		return
	}
	res.release = append(res.release, seq)
}

func (c *consumer) nakLocked(res *stepResult, meta jsapi.AckMeta, delay time.Duration, errText string, now int64) {
	r, ev := c.mu.ack.NakWithError(meta.StreamSeq, int64(delay), now, errText)
	switch r {
	case ackstate.Unknown:
		return
	case ackstate.Late:
		c.lateAckLocked(res, meta.StreamSeq, "nak")
		return
	}
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerMsgNakedT, c.st.name, c.name),
		v: &jsapi.NakAdvisory{TypedEvent: newEvent(jsapi.AdvisoryNakType), Stream: c.st.name, Consumer: c.name,
			ConsumerSeq: meta.ConsumerSeq, StreamSeq: meta.StreamSeq, Deliveries: meta.Delivered, Domain: c.js.opts.Domain}})
	if ev != nil {
		c.parkedLocked(res, *ev)
	}
}

func (c *consumer) termLocked(res *stepResult, meta jsapi.AckMeta, reason string, now int64) {
	r, ev := c.mu.ack.TermAt(meta.StreamSeq, now, reason)
	switch r {
	case ackstate.Unknown:
		return
	case ackstate.Late:
		c.lateAckLocked(res, meta.StreamSeq, "term")
		return
	}
	c.dirtyLocked()
	if ev == nil {
		res.release = append(res.release, meta.StreamSeq) // a dead letter holds it until moved
	}
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerMsgTerminatedT, c.st.name, c.name),
		v: &jsapi.TerminatedAdvisory{TypedEvent: newEvent(jsapi.AdvisoryTerminatedType), Stream: c.st.name, Consumer: c.name,
			ConsumerSeq: meta.ConsumerSeq, StreamSeq: meta.StreamSeq, Deliveries: meta.Delivered, Reason: reason, Domain: c.js.opts.Domain}})
}

// sampleAckLocked publishes the ack metric of sample_freq consumers
// (JETSTREAM-MESSAGING.md §12): explicit acks of pending messages only,
// every one at 100 % and more, a pseudo-random share below.
func (c *consumer) sampleAckLocked(res *stepResult, meta jsapi.AckMeta, now int64) {
	cfg := &c.mu.cfg
	if cfg.AckPolicy != jsapi.AckExplicit || cfg.SampleFrequency == "" {
		return
	}
	freq, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(cfg.SampleFrequency), "%"))
	if err != nil || freq <= 0 || (freq < 100 && rand.IntN(100) >= freq) {
		return
	}
	at, ok := c.mu.ack.DeliveredAt(meta.StreamSeq)
	if !ok {
		return
	}
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.MetricConsumerAckT, c.st.name, c.name),
		v: &jsapi.ConsumerAckMetric{TypedEvent: newEvent(jsapi.MetricConsumerAckType), Stream: c.st.name, Consumer: c.name,
			ConsumerSeq: meta.ConsumerSeq, StreamSeq: meta.StreamSeq, AckTime: time.Duration(now - at),
			Deliveries: meta.Delivered, Domain: c.js.opts.Domain}})
}
