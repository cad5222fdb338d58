package memstore

import (
	"slices"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// removeLocked drops the message seq, keeps first, bytes and the subject index
// up to date, and reports the removal. It reports whether seq was live.
func (s *Store) removeLocked(seq uint64, reason store.Reason, erase bool) bool {
	m := s.mu.msgs[seq]
	if m == nil {
		return false
	}
	delete(s.mu.msgs, seq)
	s.mu.bytes -= m.size()
	si := m.subj
	si.remove(seq)
	if len(si.seqs) == 0 {
		delete(s.mu.subjects, si.name)
		s.mu.subjectGen++
	}
	if m.expires() != 0 {
		s.mu.ttlLive--
	}
	if erase {
		// Loaded copies are the callers'; this clears the only stored bytes.
		clear(m.buf)
	}
	if seq == s.mu.first {
		if next := s.nextLiveLocked(seq + 1); next != 0 {
			s.mu.first = next
		} else {
			s.mu.first = s.mu.last + 1
		}
	}
	if cb := s.mu.cfg.OnRemove; cb != nil {
		cb(reason, seq, si.name)
	}
	return true
}

// removeSeqsLocked removes each of seqs (ascending) and returns how many were live.
func (s *Store) removeSeqsLocked(seqs []uint64, reason store.Reason) uint64 {
	var n uint64
	for _, seq := range seqs {
		if s.removeLocked(seq, reason, false) {
			n++
		}
	}
	return n
}

// liveInLocked lists the live sequences in [lo, hi], ascending, scanning the
// range or the map, whichever is smaller.
func (s *Store) liveInLocked(lo, hi uint64) []uint64 {
	lo, hi = max(lo, s.mu.first), min(hi, s.mu.last)
	if lo > hi || len(s.mu.msgs) == 0 {
		return nil
	}
	var out []uint64
	if hi-lo < uint64(len(s.mu.msgs)) {
		for seq := lo; seq <= hi; seq++ {
			if _, ok := s.mu.msgs[seq]; ok {
				out = append(out, seq)
			}
		}
		return out
	}
	for seq := range s.mu.msgs {
		if seq >= lo && seq <= hi {
			out = append(out, seq)
		}
	}
	slices.Sort(out)
	return out
}

// Delete implements store.Store.
func (s *Store) Delete(seq uint64, erase bool, reason store.Reason) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return false, store.ErrClosed
	}
	return s.removeLocked(seq, reason, erase), nil
}

// Purge implements store.Store. A message goes when it matches Subject, lies
// below Seq (if set) and is not among the newest Keep matching messages (if set).
func (s *Store) Purge(opts store.PurgeOpts) (uint64, error) {
	f, err := parseFilter(opts.Subject)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return 0, store.ErrClosed
	}
	switch {
	case f.all && opts.Seq == 0 && opts.Keep == 0:
		return s.purgeAllLocked(), nil
	case f.all && opts.Keep == 0:
		return s.compactLocked(opts.Seq), nil
	}
	var seqs []uint64
	if f.all {
		seqs = s.liveInLocked(s.mu.first, s.mu.last)
	} else {
		s.eachIndexLocked(f, func(si *subjectIndex) { seqs = append(seqs, si.seqs...) })
		slices.Sort(seqs)
	}
	if opts.Keep > 0 {
		seqs = seqs[:uint64(len(seqs))-min(opts.Keep, uint64(len(seqs)))]
	}
	if opts.Seq > 0 {
		i, _ := slices.BinarySearch(seqs, opts.Seq)
		seqs = seqs[:i]
	}
	return s.removeSeqsLocked(seqs, store.ReasonPurge), nil
}

// purgeAllLocked removes everything; the store then starts at last+1.
func (s *Store) purgeAllLocked() uint64 {
	n := uint64(len(s.mu.msgs))
	if cb := s.mu.cfg.OnRemove; cb != nil {
		for _, seq := range s.liveInLocked(s.mu.first, s.mu.last) {
			cb(store.ReasonPurge, seq, s.mu.msgs[seq].subj.name)
		}
	}
	s.resetLocked(s.mu.last + 1)
	return n
}

// resetLocked empties the store so that the next append gets first.
func (s *Store) resetLocked(first uint64) {
	clear(s.mu.msgs)
	clear(s.mu.subjects)
	s.mu.subjectGen++
	s.mu.ttls, s.mu.ttlLive = nil, 0
	s.mu.bytes, s.mu.ageCursor = 0, 0
	s.mu.first, s.mu.last = first, max(s.mu.last, first-1)
}

// Compact implements store.Store.
func (s *Store) Compact(seq uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return 0, store.ErrClosed
	}
	return s.compactLocked(seq), nil
}

// compactLocked removes everything below seq. Compacting past the end empties
// the store and moves last to seq-1, so the next append gets seq (nats-server
// memstore Compact does the same; raft catch-up relies on it).
func (s *Store) compactLocked(seq uint64) uint64 {
	if seq > s.mu.last+1 {
		n := s.purgeAllLocked()
		s.mu.last = seq - 1
		s.mu.first = seq
		return n
	}
	if seq <= s.mu.first {
		return 0
	}
	return s.removeSeqsLocked(s.liveInLocked(s.mu.first, seq-1), store.ReasonPurge)
}

// Truncate implements store.Store. The last sequence moves back to seq; the
// last time becomes that of the newest remaining message (0 if none).
func (s *Store) Truncate(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return store.ErrClosed
	}
	if seq >= s.mu.last {
		return nil
	}
	live := s.liveInLocked(seq+1, s.mu.last)
	for i := len(live) - 1; i >= 0; i-- {
		s.removeLocked(live[i], store.ReasonPurge, false)
	}
	s.mu.last = seq
	s.mu.ageCursor = min(s.mu.ageCursor, seq+1)
	s.mu.lastTime = 0
	if p := s.prevLiveLocked(seq); p != 0 {
		s.mu.lastTime = s.mu.msgs[p].time
	}
	if len(s.mu.msgs) == 0 {
		s.mu.first = seq + 1
	}
	return nil
}
