package jetstream

import (
	"sync"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// Dead letters for limits (reasons expired and maxlen, docs/dead-letter.md).
// Before a limit removes a message the store asks the stream's Hold hook.
// When a consumer that dead-letters for that reason wants the message, the
// hook queues the question for it and holds the message; the consumer's
// next step records a dead letter if it still owes the message (pending,
// parked, or not delivered yet), and answers once the copy is durable (or
// at once if it does not owe it). When every consumer asked has answered,
// the message is cleared and the stream re-applies its limits, which now
// remove it under the limit's own reason.
//
// Locks: the hook runs under the store's lock (and often the stream's); it
// takes dlqHolds.mu, then the consumer set's lock, then each consumer's
// owed queue (a leaf). Nothing takes them in another order.

// dlqHolds is a stream's held messages.
type dlqHolds struct {
	mu      sync.Mutex
	asked   map[uint64]int  // seq -> consumers still to answer
	cleared map[uint64]bool // every consumer answered: the next ask lets it go
}

// owedQueue carries the hook's questions to a consumer; a leaf lock.
type owedQueue struct {
	mu    sync.Mutex
	items []owedMsg
}

type owedMsg struct {
	seq uint64
	why ackstate.DLReason
}

// limitReason maps a store removal reason to a dead-letter reason.
func limitReason(r store.Reason) (ackstate.DLReason, bool) {
	switch r {
	case store.ReasonMaxAge, store.ReasonTTL:
		return ackstate.DLExpired, true
	case store.ReasonMaxMsgs, store.ReasonMaxBytes, store.ReasonMaxPerSubject:
		return ackstate.DLMaxLen, true
	}
	return 0, false
}

// holdForDeadLetters is the store's Config.Hold.
func (st *stream) holdForDeadLetters(reason store.Reason, seq uint64, subj string) bool {
	if st.dlqLimitCons.Load() == 0 && st.dlqWaitCons.Load() == 0 {
		return false
	}
	why, ok := limitReason(reason)
	if !ok {
		return false
	}
	h := &st.dlqHolds
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cleared[seq] {
		delete(h.cleared, seq)
		return false
	}
	if h.asked[seq] > 0 {
		return true
	}
	n := 0
	st.cons.mu.Lock()
	for _, c := range st.cons.m {
		// Consumers that dead-letter for this limit and want the message, and
		// any consumer with dead letters waiting for their copy (the message
		// may be one of them, whatever the filter says now).
		if (ackstate.DLReasons(c.dlqLimit.Load()).Has(why) && c.matches(subj)) || c.dlqWaiting.Load() > 0 {
			c.owed.mu.Lock()
			c.owed.items = append(c.owed.items, owedMsg{seq: seq, why: why})
			c.owed.mu.Unlock()
			c.poke()
			n++
		}
	}
	st.cons.mu.Unlock()
	if n == 0 {
		return false
	}
	if h.asked == nil {
		h.asked = make(map[uint64]int)
	}
	h.asked[seq] = n
	return true
}

// holdAnswered records consumers' answers; when a message's last answer
// arrives it is cleared and the limits are applied again.
func (st *stream) holdAnswered(seqs []uint64) {
	h := &st.dlqHolds
	h.mu.Lock()
	cleared := false
	for _, seq := range seqs {
		n, ok := h.asked[seq]
		if !ok {
			continue
		}
		if n > 1 {
			h.asked[seq] = n - 1
			continue
		}
		delete(h.asked, seq)
		if h.cleared == nil {
			h.cleared = make(map[uint64]bool)
		}
		h.cleared[seq] = true
		cleared = true
	}
	h.mu.Unlock()
	if cleared {
		st.reapplyLimits()
	}
}

// forgetHold drops a removed message from the hold maps (OnRemove: under
// the store's lock).
func (st *stream) forgetHold(seq uint64) {
	if st.dlqLimitCons.Load() == 0 {
		return
	}
	h := &st.dlqHolds
	h.mu.Lock()
	delete(h.asked, seq)
	delete(h.cleared, seq)
	h.mu.Unlock()
}

// reapplyLimits runs the count and size limits and an expiry pass now,
// before the consumer reports the move (so a client that saw the advisory
// finds the message gone).
func (st *stream) reapplyLimits() {
	st.mu.Lock()
	if !st.mu.closed {
		if err := st.store.UpdateConfig(st.js.storeConfig(&st.mu.cfg)); err != nil {
			st.log.Error("limits not applied after dead letters", "error", err)
		}
	}
	st.mu.Unlock()
	st.expire()
}

// refreshDeadLetterLimits recounts the consumers that dead-letter for a
// limit, after a consumer was created, updated or removed.
func (st *stream) refreshDeadLetterLimits() {
	n := int32(0)
	for _, c := range st.cons.list() {
		if c.dlqLimit.Load() != 0 {
			n++
		}
	}
	st.dlqLimitCons.Store(n)
}

// setDeadLetterLimits records which limit reasons the consumer dead-letters.
func (c *consumer) setDeadLetterLimits(rs ackstate.DLReasons) {
	c.dlqLimit.Store(uint32(rs & (ackstate.DLReasons(0).With(ackstate.DLExpired).With(ackstate.DLMaxLen))))
}

// owedLocked answers the hook's questions (in a step).
func (c *consumer) owedLocked(res *stepResult, now int64) {
	c.owed.mu.Lock()
	items := c.owed.items
	c.owed.items = nil
	c.owed.mu.Unlock()
	for _, o := range items {
		switch {
		case c.mu.cfg.DeadLetter != nil && dlqReasons(c.mu.cfg.DeadLetter).Has(o.why) && c.mu.ack.DeadLetterOwed(o.seq, o.why, now):
			c.dirtyLocked()
			c.holdForLocked(o.seq)
		case c.mu.ack.IsDeadLetter(o.seq):
			c.holdForLocked(o.seq) // already on its way for another reason
		default:
			res.holdAnswered = append(res.holdAnswered, o.seq)
		}
	}
}

func (c *consumer) holdForLocked(seq uint64) {
	if c.mu.dlq.holdFor == nil {
		c.mu.dlq.holdFor = make(map[uint64]bool)
	}
	c.mu.dlq.holdFor[seq] = true
}

// answerHoldLocked answers for seq once its dead letter is durable or dropped.
func (c *consumer) answerHoldLocked(res *stepResult, seq uint64) {
	if c.mu.dlq.holdFor[seq] {
		delete(c.mu.dlq.holdFor, seq)
		res.holdAnswered = append(res.holdAnswered, seq)
	}
}

// releaseHolds answers every question a removed consumer still had.
func (c *consumer) releaseHolds() {
	c.owed.mu.Lock()
	items := c.owed.items
	c.owed.items = nil
	c.owed.mu.Unlock()
	c.mu.Lock()
	seqs := make([]uint64, 0, len(items)+len(c.mu.dlq.holdFor))
	for seq := range c.mu.dlq.holdFor {
		seqs = append(seqs, seq)
	}
	c.mu.dlq.holdFor = nil
	c.mu.Unlock()
	for _, o := range items {
		seqs = append(seqs, o.seq)
	}
	if len(seqs) > 0 {
		c.st.holdAnswered(seqs)
	}
}

// noteDeadLettersLocked publishes how many dead letters the consumer has
// waiting for their copy, for the Hold hook (which may not take c.mu): a
// limit then asks this consumer about every message it would remove, so
// that a dead letter of any reason is not removed before its copy is
// durable. Called before c.mu is released by every operation that can
// record or finish dead letters.
func (c *consumer) noteDeadLettersLocked() {
	n := int64(c.mu.ack.NumDeadLetters())
	old := c.dlqWaiting.Swap(n)
	switch {
	case old == 0 && n > 0:
		c.st.dlqWaitCons.Add(1)
	case old > 0 && n == 0:
		c.st.dlqWaitCons.Add(-1)
	}
}

// forgetDeadLetters takes a removed consumer out of the count.
func (c *consumer) forgetDeadLetters() {
	if c.dlqWaiting.Swap(0) > 0 {
		c.st.dlqWaitCons.Add(-1)
	}
}
