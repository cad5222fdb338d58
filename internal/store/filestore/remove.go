package filestore

import (
	"github.com/holdfast-mq/holdfast/internal/store"
)

// removeLocked removes the live message at index i of sg, records its
// tombstone for the flusher and, if notify, reports it through OnRemove.
func (s *Store) removeLocked(sg *segment, i int, reason store.Reason, notify bool) {
	seq, name := s.unindexLocked(sg, i)
	sg.dels = addRun(sg.dels, seq, 1)
	s.markDirtyLocked(sg)
	if notify && s.mu.cfg.OnRemove != nil {
		s.mu.cfg.OnRemove(reason, seq, name)
	}
}

// unindexLocked drops the live message at index i of sg from the index and
// the counts, and returns its sequence and subject. No tombstone is queued.
func (s *Store) unindexLocked(sg *segment, i int) (uint64, string) {
	seq := sg.base + uint64(i)
	n, sid := sg.lens[i], sg.subj[i]
	name := s.mu.subjects.subs[sid].name
	s.mu.subjects.remove(sid, seq)
	sg.offs[i] = 0
	sg.msgs--
	sg.bytes -= msgSize(n)
	sg.live -= int64(n)
	s.mu.emptied = s.mu.emptied || sg.msgs == 0
	s.mu.msgs--
	s.mu.bytes -= msgSize(n)
	if len(s.mu.pinned) > 0 {
		delete(s.mu.pinned, seq)
	}
	switch {
	case s.mu.msgs == 0:
		s.mu.first = s.mu.last + 1
	case seq == s.mu.first:
		nsg, j := s.scanForwardLocked(&matcher{all: true}, seq+1, s.mu.last)
		s.mu.first = nsg.base + uint64(j)
	}
	return seq, name
}

// sweepLocked drops sealed segments that have no live messages left. The
// last segment stays: its base records the next sequence.
func (s *Store) sweepLocked() {
	if !s.mu.emptied {
		return
	}
	s.mu.emptied = false
	for i := len(s.mu.segs) - 2; i >= 0; i-- {
		if s.mu.segs[i].removable() {
			s.dropLocked(i)
		}
	}
}

// removeFirstLocked removes the first message.
func (s *Store) removeFirstLocked(reason store.Reason) bool {
	sg, i := s.findLocked(s.mu.first)
	if sg == nil {
		panic("filestore: first message missing from index")
	}
	if s.heldLocked(sg, i, reason) {
		return false
	}
	s.removeLocked(sg, i, reason, true)
	return true
}

// heldLocked asks Config.Hold whether a limit may remove the live message
// at index i of sg.
func (s *Store) heldLocked(sg *segment, i int, reason store.Reason) bool {
	h := s.mu.cfg.Hold
	return h != nil && h(reason, sg.base+uint64(i), s.mu.subjects.subs[sg.subj[i]].name)
}

// removeWhileLocked visits the live messages in [from, to] that m matches, in
// order, and removes each for which keep returns false. It returns the count.
func (s *Store) removeWhileLocked(m *matcher, from, to uint64, reason store.Reason, remove func(seq uint64, sid uint32) bool) uint64 {
	var n uint64
	for k := s.segIndexLocked(from); k < len(s.mu.segs); k++ {
		sg := s.mu.segs[k]
		if sg.base > to {
			break
		}
		lo := uint64(0)
		if from > sg.base {
			lo = from - sg.base
		}
		hi := min(uint64(len(sg.offs)), to-sg.base+1)
		for i := lo; i < hi && sg.msgs > 0; i++ {
			if sg.offs[i] != 0 && m.match(sg.subj[i]) && remove(sg.base+i, sg.subj[i]) {
				s.removeLocked(sg, int(i), reason, true)
				n++
			}
		}
	}
	return n
}

// enforceLimitsLocked applies discard-old limits after an append of subject sid.
func (s *Store) enforceLimitsLocked(sid uint32) {
	s.enforceSubjectLimitLocked(sid)
	s.enforceTotalsLocked()
}

// enforceSubjectLimitLocked applies MaxMsgsPerSubject to one subject.
func (s *Store) enforceSubjectLimitLocked(sid uint32) {
	max := s.mu.cfg.MaxMsgsPerSubject
	if max <= 0 {
		return
	}
	for s.mu.subjects.subs[sid].msgs > uint64(max) {
		sg, i := s.findLocked(s.subjFirstLocked(sid))
		if s.heldLocked(sg, i, store.ReasonMaxPerSubject) {
			return
		}
		s.removeLocked(sg, i, store.ReasonMaxPerSubject, true)
	}
}

// enforceTotalsLocked applies MaxMsgs and MaxBytes.
func (s *Store) enforceTotalsLocked() {
	cfg := &s.mu.cfg
	for cfg.MaxMsgs > 0 && s.mu.msgs > uint64(cfg.MaxMsgs) {
		if !s.removeFirstLocked(store.ReasonMaxMsgs) {
			break
		}
	}
	for cfg.MaxBytes > 0 && s.mu.bytes > uint64(cfg.MaxBytes) && s.mu.msgs > 0 {
		if !s.removeFirstLocked(store.ReasonMaxBytes) {
			break
		}
	}
	s.sweepLocked()
}

// Delete implements store.Store.
func (s *Store) Delete(seq uint64, erase bool, reason store.Reason) (bool, error) {
	s.mu.Lock()
	if err := s.usableLocked(); err != nil {
		s.mu.Unlock()
		return false, err
	}
	sg, i := s.findLocked(seq)
	if sg == nil {
		s.mu.Unlock()
		return false, nil
	}
	if erase {
		s.mu.erases = append(s.mu.erases, eraseOp{sg: sg, gen: sg.gen, off: int64(sg.offs[i]), n: int(sg.lens[i])})
	}
	s.removeLocked(sg, i, reason, true)
	s.sweepLocked()
	if !erase {
		s.mu.Unlock()
		s.wake()
		return true, nil
	}
	ch := s.syncRequestLocked()
	s.mu.Unlock()
	return true, s.waitSync(ch)
}

// Purge implements store.Store.
func (s *Store) Purge(opts store.PurgeOpts) (uint64, error) {
	all := opts.Subject == "" || opts.Subject == ">"
	if all && opts.Seq > 0 && opts.Keep == 0 {
		return s.Compact(opts.Seq)
	}
	s.mu.Lock()
	if err := s.usableLocked(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	m, ok, err := s.matcherLocked(opts.Subject)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	var n uint64
	if ok {
		first, last := s.boundsLocked(&m)
		if opts.Seq > 0 {
			last = min(last, opts.Seq-1)
		}
		left := s.countLocked(&m) // matching messages not yet removed
		n = s.removeWhileLocked(&m, first, last, store.ReasonPurge, func(uint64, uint32) bool {
			if left <= opts.Keep {
				return false
			}
			left--
			return true
		})
	}
	if s.mu.msgs == 0 && s.mu.segs[len(s.mu.segs)-1].size > segHeaderLen {
		// Start a fresh segment so that the emptied one can be removed.
		s.rollLocked(s.mu.last + 1)
	}
	s.sweepLocked()
	return n, s.syncUnlock()
}

// syncUnlock releases the lock and waits until everything so far is durable.
func (s *Store) syncUnlock() error {
	ch := s.syncRequestLocked()
	s.mu.Unlock()
	return s.waitSync(ch)
}

// Compact implements store.Store.
func (s *Store) Compact(seq uint64) (uint64, error) {
	s.mu.Lock()
	if err := s.usableLocked(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	var n uint64
	if s.mu.msgs > 0 && seq > s.mu.first {
		n = s.removeWhileLocked(&matcher{all: true}, s.mu.first, seq-1, store.ReasonPurge, func(uint64, uint32) bool { return true })
	}
	if seq > s.mu.last+1 {
		s.mu.last = seq - 1
		s.mu.first = seq
		s.rollLocked(seq)
	} else if s.mu.msgs == 0 && s.mu.segs[len(s.mu.segs)-1].size > segHeaderLen {
		s.rollLocked(s.mu.last + 1)
	}
	s.sweepLocked()
	return n, s.syncUnlock()
}

// Truncate implements store.Store. A new segment whose base is seq+1
// supersedes the sequences above seq in earlier segments (see recover.go), and
// tombstones in those segments let the new segment be removed later.
func (s *Store) Truncate(seq uint64) error {
	s.mu.Lock()
	if err := s.usableLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	if seq >= s.mu.last {
		s.mu.Unlock()
		return nil
	}
	if s.mu.msgs > 0 && s.mu.last > seq {
		s.removeWhileLocked(&matcher{all: true}, seq+1, s.mu.last, store.ReasonPurge, func(uint64, uint32) bool { return true })
	}
	for n := len(s.mu.segs); n > 0 && s.mu.segs[n-1].base > seq; n-- {
		s.dropLocked(n - 1)
	}
	if n := len(s.mu.segs); n > 0 {
		s.mu.segs[n-1].truncateIndex(seq + 1)
	}
	s.mu.last = seq
	if s.mu.msgs == 0 {
		s.mu.first = seq + 1
	}
	s.mu.lastTime = 0
	if sg, i := s.findLocked(seq); sg != nil {
		if b, err := sg.read(int64(sg.offs[i]), recHeaderLen); err == nil {
			if h, ok := decodeHeader(b); ok {
				s.mu.lastTime = h.ts
			}
		}
	}
	s.rollLocked(seq + 1)
	s.sweepLocked()
	// Sequences above seq will be reused: forget their expiry entries.
	ttls := s.mu.ttls[:0]
	for _, e := range s.mu.ttls {
		if e.Seq <= seq {
			ttls = append(ttls, e)
		}
	}
	s.mu.ttls = ttls
	s.mu.ttls.Rebuild()
	for q := range s.mu.pinned {
		if q > seq {
			delete(s.mu.pinned, q)
		}
	}
	return s.syncUnlock()
}

// Expire implements store.Store. Per-message TTLs are applied first, then
// MaxAge, which skips messages whose TTL is -1 (never expire).
func (s *Store) Expire(now int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return 0, err
	}
	h := &s.mu.ttls
	h.Requeue(&s.mu.heldTTL)
	for len(*h) > 0 && h.Peek().At <= now {
		e := h.Take()
		if sg, i := s.findLocked(e.Seq); sg != nil {
			if s.heldLocked(sg, i, store.ReasonTTL) {
				s.mu.heldTTL = append(s.mu.heldTTL, e) // back at the next Expire
				continue
			}
			s.removeLocked(sg, i, store.ReasonTTL, true)
		}
	}
	var next int64
	if age := int64(s.mu.cfg.MaxAge); age > 0 {
		if t := s.expireAgeLocked(now - age); t != 0 {
			next = t + age
		}
	}
	for len(*h) > 0 {
		if sg, _ := s.findLocked(h.Peek().Seq); sg != nil {
			if at := h.Peek().At; next == 0 || at < next {
				next = at
			}
			break
		}
		h.Take()
	}
	s.sweepLocked()
	s.wake()
	return next, nil
}

// expireAgeLocked removes messages with a timestamp <= cutoff from the front,
// skipping pinned ones (TTL -1), and returns the timestamp of the first one
// kept (0 if none).
func (s *Store) expireAgeLocked(cutoff int64) int64 {
	all := &matcher{all: true}
	seq := s.mu.first
	for s.mu.msgs > 0 && seq <= s.mu.last {
		sg, i := s.scanForwardLocked(all, seq, s.mu.last)
		if sg == nil {
			return 0
		}
		seq = sg.base + uint64(i)
		if _, pinned := s.mu.pinned[seq]; pinned {
			seq++
			continue
		}
		if sg.maxTime <= cutoff {
			if !s.heldLocked(sg, i, store.ReasonMaxAge) {
				s.removeLocked(sg, i, store.ReasonMaxAge, true)
			}
			seq++
			continue
		}
		b, err := sg.read(int64(sg.offs[i]), recHeaderLen)
		if err != nil {
			return 0
		}
		h, ok := decodeHeader(b)
		if !ok {
			return 0
		}
		if h.ts > cutoff {
			return h.ts
		}
		if !s.heldLocked(sg, i, store.ReasonMaxAge) {
			s.removeLocked(sg, i, store.ReasonMaxAge, true)
		}
		seq++
	}
	return 0
}

// UpdateConfig implements store.Store.
func (s *Store) UpdateConfig(cfg store.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	if cfg.OnRemove == nil {
		cfg.OnRemove = s.mu.cfg.OnRemove // a nil callback keeps the current one
	}
	if cfg.Hold == nil {
		cfg.Hold = s.mu.cfg.Hold
	}
	s.mu.cfg = cfg
	for _, cs := range s.mu.consumers {
		cs.setInterval(cfg.SyncInterval > 0)
	}
	for id := range s.mu.subjects.subs {
		if s.mu.subjects.subs[id].msgs > 0 {
			s.enforceSubjectLimitLocked(uint32(id))
		}
	}
	s.enforceTotalsLocked()
	s.wake()
	return nil
}
