package jetstream

import (
	"fmt"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Interest and work-queue retention (RETENTION.md, issue 6): a message is
// removed exactly when no consumer whose filter matches its subject still
// holds it. A consumer holds a sequence it has not delivered yet, one
// delivered and awaiting an ack, and one parked after max_deliver
// (ackstate.State.Holds). AckNone consumers release what they deliver.

// interestRetention reports whether the stream removes messages on acks.
func (st *stream) interestRetention() bool {
	r := st.config().Retention
	return r == jsapi.InterestPolicy || r == jsapi.WorkQueuePolicy
}

// anyConsumerWants reports whether some consumer's filter matches subj;
// it is the publish path's interest check (no consumer lock taken).
func (st *stream) anyConsumerWants(subj string) bool {
	st.cons.mu.Lock()
	defer st.cons.mu.Unlock()
	for _, c := range st.cons.m {
		if c.matches(subj) {
			return true
		}
	}
	return false
}

// held reports whether a consumer other than except holds seq on subj. A
// parked message is held whatever the consumer's filter is now: parked state
// survives config updates (issue 6), so a filter that stopped matching the
// message does not release it; ack, TERM or deleting the consumer does. A
// recorded dead letter is held the same way until its copy is durable
// (docs/dead-letter.md: nothing leaves the source before its copy exists).
func (st *stream) held(seq uint64, subj string, except *consumer) bool {
	for _, c := range st.cons.list() {
		if c == except {
			continue
		}
		matches := c.matches(subj)
		c.mu.Lock()
		h := !c.mu.closed && ((matches && c.mu.ack.Holds(seq)) || c.mu.ack.IsParked(seq) || c.mu.ack.IsDeadLetter(seq))
		c.mu.Unlock()
		if h {
			return true
		}
	}
	return false
}

// release removes the given sequences from an interest or work-queue
// stream when no consumer holds them any more. Callers hold no locks.
func (st *stream) release(seqs []uint64) {
	st.releaseExcept(seqs, nil, store.ReasonAcked)
}

func (st *stream) releaseExcept(seqs []uint64, except *consumer, reason store.Reason) {
	if len(seqs) == 0 || !st.interestRetention() {
		return
	}
	for _, seq := range seqs {
		m, err := st.store.Load(seq)
		if err != nil {
			continue
		}
		if st.held(seq, m.Subject, except) {
			continue
		}
		st.mu.Lock()
		if !st.mu.closed {
			if _, err := st.store.Delete(seq, false, reason); err != nil {
				st.log.Error("acknowledged message not removed", "seq", seq, "error", err)
			}
		}
		st.mu.Unlock()
	}
}

// releaseConsumer lets go of what a deleted consumer held on an interest
// stream (RETENTION.md §3.3): with consumers left, the messages from its
// ack floor on (and its parked ones and dead letters) that no remaining consumer holds are
// removed; when it was the last consumer, the stream is purged, as
// nats-server does. Work queues keep their messages (§4.2).
func (st *stream) releaseConsumer(c *consumer) {
	if st.config().Retention != jsapi.InterestPolicy {
		return
	}
	if st.cons.len() == 0 {
		st.mu.Lock()
		if !st.mu.closed {
			// The store reports a compaction as purge; onStoreRemove counts
			// these removals as consumer_deleted, the reason they happen.
			st.releasing.Store(true)
			if _, err := st.store.Compact(st.store.State().LastSeq + 1); err != nil {
				st.log.Error("interest stream not purged after its last consumer", "error", err)
			}
			st.releasing.Store(false)
		}
		st.mu.Unlock()
		return
	}
	c.mu.Lock()
	from := c.mu.ack.AckFloor().Stream + 1
	parked := c.mu.ack.ParkedSeqs()
	// Recorded dead letters not copied yet are dropped with the consumer
	// (docs/dead-letter.md); they do not hold the ack floor back, so they
	// may lie below from.
	parked = append(parked, c.mu.ack.DeadLetterSeqs()...)
	c.mu.Unlock()
	st.releaseExcept(parked, c, store.ReasonConsumerDeleted)
	st.releaseFrom(from, c.matches, c, store.ReasonConsumerDeleted)
}

// releaseFrom checks every message from sequence from on whose subject
// passes keep, in batches, so a large stream holds no lock for long.
func (st *stream) releaseFrom(from uint64, keep func(string) bool, except *consumer, reason store.Reason) {
	const batch = 256
	for {
		var seqs []uint64
		for len(seqs) < batch {
			m, err := st.store.LoadNext("", from)
			if err != nil {
				break
			}
			if keep(m.Subject) {
				seqs = append(seqs, m.Seq)
			}
			from = m.Seq + 1
		}
		if len(seqs) == 0 {
			return
		}
		st.releaseExcept(seqs, except, reason)
	}
}

// noteRemoved tells the consumers that a message left the stream for a
// reason other than retention (limits, delete, purge), so that one still
// pending is terminated (RETENTION.md §6.2). It runs under the store's
// lock: it only queues the sequence for consumers that may hold it.
func (s *consumerSet) noteRemoved(reason store.Reason, seq uint64) {
	if reason == store.ReasonAcked || reason == store.ReasonConsumerDeleted {
		return // nobody held it
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.m {
		if reason == store.ReasonPurge && !c.purged.Swap(true) {
			c.poke()
		}
		if seq > c.deliveredHW.Load() {
			continue
		}
		c.rm.mu.Lock()
		c.rm.seqs = append(c.rm.seqs, seq)
		c.rm.limits = c.rm.limits || reason != store.ReasonDelete
		c.rm.mu.Unlock()
		c.poke()
	}
}

// removedLocked terminates pending messages that left the stream and drops
// parked ones, with the TERM advisory nats-server sends.
func (c *consumer) removedLocked(res *stepResult) {
	c.rm.mu.Lock()
	seqs, limits, skipTo := c.rm.seqs, c.rm.limits, c.rm.skipTo
	c.rm.seqs, c.rm.limits, c.rm.skipTo = nil, false, 0
	c.rm.mu.Unlock()
	reason := "Unacknowledged message was deleted"
	if limits {
		reason = "Message deleted by stream limits"
	}
	if c.purged.Swap(false) {
		defer c.skipPurgedLocked()
	}
	if skipTo > 0 {
		defer c.skipFilteredLocked(skipTo)
	}
	for _, seq := range seqs {
		wasPending := c.mu.ack.IsPending(seq)
		if c.mu.ack.Term(seq) == ackstate.Unknown {
			continue
		}
		c.dirtyLocked()
		if wasPending {
			res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerMsgTerminatedT, c.st.name, c.name),
				v: &jsapi.TerminatedAdvisory{TypedEvent: newEvent(jsapi.AdvisoryTerminatedType), Stream: c.st.name, Consumer: c.name,
					StreamSeq: seq, Reason: reason, Domain: c.js.opts.Domain}})
		}
	}
}

// skipPurgedLocked moves a consumer that has not reached the stream's new
// first sequence after a purge up to it, as nats-server does.
func (c *consumer) skipPurgedLocked() {
	if first := c.st.store.State().FirstSeq; first > 0 {
		c.skipToLocked(first - 1)
	}
}

// skipToLocked moves a consumer whose next delivery lies at or below seq
// past it: every message it could still owe there is gone.
func (c *consumer) skipToLocked(seq uint64) {
	if seq <= c.mu.ack.Delivered().Stream {
		return
	}
	c.mu.ack.SkipTo(seq)
	c.deliveredHW.Store(seq)
	c.mu.lastAck = time.Now()
	c.dirtyLocked()
}

// skipFilteredLocked is skipToLocked after a purge with a subject filter,
// once the purged messages have left the pending list. It moves the
// consumer only when it owes nothing else: a message still pending, parked
// or waiting as a dead letter below seq matched an earlier filter and still
// exists, and SkipTo would drop it.
func (c *consumer) skipFilteredLocked(seq uint64) {
	ack := c.mu.ack
	if ack.NumAckPending() > 0 || ack.NumParked() > 0 || ack.NumDeadLetters() > 0 {
		return
	}
	c.skipToLocked(seq)
}

// purgedFilter moves the consumers a purge with a subject filter covers,
// those whose every filter is a subset of it, to just below the first
// message left that they match (the stream's last sequence when none is),
// as nats-server does (RETENTION.md §6.1). Consumers it does not cover keep
// their place; the purged messages leave their pending lists one by one.
func (st *stream) purgedFilter(filter string) {
	last := st.store.State().LastSeq
	for _, c := range st.cons.list() {
		fs := *c.filters.Load()
		if len(fs) == 0 {
			fs = []string{">"}
		}
		to := last
		covered := true
		for _, f := range fs {
			if !subject.SubsetOf(f, filter) {
				covered = false
				break
			}
			if m, err := st.store.LoadNext(f, 0); err == nil && m.Seq-1 < to {
				to = m.Seq - 1
			}
		}
		if !covered || to == 0 {
			continue
		}
		c.rm.mu.Lock()
		c.rm.skipTo = max(c.rm.skipTo, to)
		c.rm.mu.Unlock()
		c.poke()
	}
}
