package memstore

import (
	"container/heap"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Limits are enforced in the order nats-server's memstore uses on store:
// max_msgs_per_subject first (only the new message's subject), then max_msgs,
// then max_bytes (RETENTION.md §2, discard old).

// enforceSubjectLocked trims si to MaxMsgsPerSubject, oldest first.
func (s *Store) enforceSubjectLocked(si *subjectIndex) {
	limit := s.mu.cfg.MaxMsgsPerSubject
	for limit > 0 && int64(len(si.seqs)) > limit {
		if s.heldLocked(store.ReasonMaxPerSubject, si.first()) {
			return
		}
		s.removeLocked(si.first(), store.ReasonMaxPerSubject, false)
	}
}

// enforceTotalsLocked trims the oldest messages to MaxMsgs, then to MaxBytes.
// A message larger than MaxBytes on its own is removed too.
func (s *Store) enforceTotalsLocked() {
	if limit := s.mu.cfg.MaxMsgs; limit > 0 {
		for int64(len(s.mu.msgs)) > limit {
			if s.heldLocked(store.ReasonMaxMsgs, s.mu.first) {
				return
			}
			s.removeLocked(s.mu.first, store.ReasonMaxMsgs, false)
		}
	}
	if limit := s.mu.cfg.MaxBytes; limit > 0 {
		for s.mu.bytes > uint64(limit) {
			if s.heldLocked(store.ReasonMaxBytes, s.mu.first) {
				return
			}
			s.removeLocked(s.mu.first, store.ReasonMaxBytes, false)
		}
	}
}

// heldLocked asks Config.Hold whether a limit may remove seq.
func (s *Store) heldLocked(reason store.Reason, seq uint64) bool {
	h := s.mu.cfg.Hold
	if h == nil {
		return false
	}
	m := s.mu.msgs[seq]
	return m != nil && h(reason, seq, m.subj.name)
}

// UpdateConfig implements store.Store. The new limits apply at once; a shorter
// MaxAge applies at the next Expire, which needs the time. FirstSeq only
// matters for a new store and is ignored. A nil OnRemove keeps the current
// one, so that an update built from the stream config cannot silently stop
// removal reporting.
func (s *Store) UpdateConfig(cfg store.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return store.ErrClosed
	}
	if cfg.OnRemove == nil {
		cfg.OnRemove = s.mu.cfg.OnRemove
	}
	if cfg.Hold == nil {
		cfg.Hold = s.mu.cfg.Hold
	}
	s.mu.cfg = cfg
	if cfg.MaxMsgsPerSubject > 0 {
		for _, si := range s.mu.subjects {
			s.enforceSubjectLocked(si)
		}
	}
	s.enforceTotalsLocked()
	return nil
}

// Expire implements store.Store. TTLs are checked first, so a message due
// both ways reports ReasonTTL; max_age skips messages with TTL -1.
func (s *Store) Expire(now int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return 0, store.ErrClosed
	}
	s.mu.ttls.Requeue(&s.mu.heldTTL)
	s.expireTTLLocked(now)
	next := s.expireAgeLocked(now)
	if ttl := s.nextTTLLocked(); ttl != 0 && (next == 0 || ttl < next) {
		next = ttl
	}
	return next, nil
}

// expireTTLLocked removes the messages whose TTL is due at now.
func (s *Store) expireTTLLocked(now int64) {
	for {
		at := s.nextTTLLocked()
		if at == 0 || at > now {
			return
		}
		e := s.mu.ttls.Take()
		if s.heldLocked(store.ReasonTTL, e.Seq) {
			s.mu.heldTTL = append(s.mu.heldTTL, e) // back at the next Expire
			continue
		}
		s.removeLocked(e.Seq, store.ReasonTTL, false)
	}
}

// nextTTLLocked drops stale entries from the top of the heap and returns the
// earliest live deadline, or 0. An entry is stale when its message is gone or
// its sequence was reused after Truncate (the deadline no longer matches).
func (s *Store) nextTTLLocked() int64 {
	h := &s.mu.ttls
	for h.Len() > 0 {
		top := h.Peek()
		if m := s.mu.msgs[top.Seq]; m != nil && m.expires() == top.At {
			return top.At
		}
		h.Take()
	}
	return 0
}

// expireAgeLocked removes messages older than MaxAge, oldest first, and
// returns when the next one is due.
func (s *Store) expireAgeLocked(now int64) int64 {
	maxAge := int64(s.mu.cfg.MaxAge)
	if maxAge <= 0 {
		return 0
	}
	cutoff := now - maxAge
	var held uint64 // the first message a Hold kept: the next walk starts there
	for seq := s.nextLiveLocked(s.mu.ageCursor); seq != 0; seq = s.nextLiveLocked(seq + 1) {
		m := s.mu.msgs[seq]
		if m.ttl < 0 {
			continue
		}
		if m.time > cutoff {
			s.mu.ageCursor = seq
			if held != 0 {
				s.mu.ageCursor = held
			}
			return m.time + maxAge
		}
		if s.heldLocked(store.ReasonMaxAge, seq) {
			if held == 0 {
				held = seq
			}
			continue
		}
		s.removeLocked(seq, store.ReasonMaxAge, false)
	}
	s.mu.ageCursor = s.mu.last + 1
	if held != 0 {
		s.mu.ageCursor = held
	}
	return 0
}

// pushTTLLocked records m's deadline. When entries of removed messages
// outnumber the live ones it first rebuilds the heap without them.
func (s *Store) pushTTLLocked(m *msg) {
	h := &s.mu.ttls
	if len(*h) > 2*s.mu.ttlLive+64 {
		kept := (*h)[:0]
		for _, e := range *h {
			if lm := s.mu.msgs[e.Seq]; lm != nil && lm.expires() == e.At {
				kept = append(kept, e)
			}
		}
		clear((*h)[len(kept):])
		*h = kept
		heap.Init(h)
	}
	h.Add(store.TTLEntry{At: m.expires(), Seq: m.seq})
	s.mu.ttlLive++
}
