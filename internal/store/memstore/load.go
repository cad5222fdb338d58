package memstore

import "github.com/holdfast-mq/holdfast/internal/store"

// probeSlack is how many absent sequences a walk over the map probes, on top
// of the number of subjects, before it asks the subject indexes instead.
const probeSlack = 64

// Load implements store.Store.
func (s *Store) Load(seq uint64) (*store.Msg, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	m := s.mu.msgs[seq]
	if m == nil {
		return nil, store.ErrNotFound
	}
	return m.export(), nil
}

// LoadNext implements store.Store.
func (s *Store) LoadNext(fs string, start uint64) (*store.Msg, error) {
	return s.load(fs, func(f filter) uint64 { return s.nextMatchLocked(f, start) })
}

// LoadPrev implements store.Store.
func (s *Store) LoadPrev(fs string, start uint64) (*store.Msg, error) {
	return s.load(fs, func(f filter) uint64 { return s.prevMatchLocked(f, start) })
}

// LoadLast implements store.Store.
func (s *Store) LoadLast(fs string) (*store.Msg, error) {
	return s.load(fs, func(f filter) uint64 { return s.prevMatchLocked(f, s.mu.last) })
}

func (s *Store) load(fs string, find func(filter) uint64) (*store.Msg, error) {
	f, err := parseFilter(fs)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	seq := find(s.widenLocked(f))
	if seq == 0 {
		return nil, store.ErrNotFound
	}
	return s.mu.msgs[seq].export(), nil
}

// nextLiveLocked returns the first live sequence >= start, or 0.
func (s *Store) nextLiveLocked(start uint64) uint64 {
	start = max(start, s.mu.first)
	if len(s.mu.msgs) == 0 || start > s.mu.last {
		return 0
	}
	limit := start + uint64(len(s.mu.subjects)) + probeSlack
	for seq := start; seq <= s.mu.last; seq++ {
		if seq == limit {
			return s.nextBySubjectLocked(filter{all: true}, seq)
		}
		if _, ok := s.mu.msgs[seq]; ok {
			return seq
		}
	}
	return 0
}

// prevLiveLocked returns the last live sequence <= start, or 0.
func (s *Store) prevLiveLocked(start uint64) uint64 {
	start = min(start, s.mu.last)
	if len(s.mu.msgs) == 0 || start < s.mu.first {
		return 0
	}
	probes := uint64(len(s.mu.subjects)) + probeSlack
	for seq := start; seq >= s.mu.first; seq-- {
		if start-seq == probes {
			return s.prevBySubjectLocked(filter{all: true}, seq)
		}
		if _, ok := s.mu.msgs[seq]; ok {
			return seq
		}
	}
	return 0
}

// nextMatchLocked returns the first live sequence >= start matching f, or 0.
func (s *Store) nextMatchLocked(f filter, start uint64) uint64 {
	start = max(start, s.mu.first, 1)
	switch {
	case start > s.mu.last || len(s.mu.msgs) == 0:
		return 0
	case f.all:
		return s.nextLiveLocked(start)
	case f.literal:
		if si := s.mu.subjects[f.text]; si != nil {
			return si.next(start)
		}
		return 0
	default:
		// When the filter matches a good share of the subjects, the next
		// message is likely near: scan about as many sequences as asking
		// the matching subjects would cost, then ask them from where the
		// scan stopped.
		limit := start + s.probesLocked(f)
		for seq := start; seq <= s.mu.last; seq++ {
			if seq == limit {
				return s.nextBySubjectLocked(f, seq)
			}
			if m := s.mu.msgs[seq]; m != nil && f.match(m.subj.name) {
				return seq
			}
		}
		return 0
	}
}

// prevMatchLocked returns the last live sequence <= start matching f, or 0.
func (s *Store) prevMatchLocked(f filter, start uint64) uint64 {
	start = min(start, s.mu.last)
	switch {
	case start < s.mu.first || start == 0 || len(s.mu.msgs) == 0:
		return 0
	case f.all:
		return s.prevLiveLocked(start)
	case f.literal:
		if si := s.mu.subjects[f.text]; si != nil {
			return si.prev(start)
		}
		return 0
	default:
		probes := s.probesLocked(f)
		for seq := start; seq >= s.mu.first; seq-- {
			if start-seq == probes {
				return s.prevBySubjectLocked(f, seq)
			}
			if m := s.mu.msgs[seq]; m != nil && f.match(m.subj.name) {
				return seq
			}
		}
		return 0
	}
}

// probesLocked returns how many sequences a wildcard load scans before it asks
// the subject indexes: none when f matches under a quarter of the subjects.
func (s *Store) probesLocked(f filter) uint64 {
	k := len(s.matchingLocked(f))
	if 4*k < len(s.mu.subjects) {
		return 0
	}
	return uint64(k) + probeSlack/4
}

// nextBySubjectLocked asks each subject matching f for its first sequence >= start.
func (s *Store) nextBySubjectLocked(f filter, start uint64) uint64 {
	var best uint64
	s.eachIndexLocked(f, func(si *subjectIndex) {
		if q := si.next(start); q != 0 && (best == 0 || q < best) {
			best = q
		}
	})
	return best
}

// prevBySubjectLocked asks each subject matching f for its last sequence <= start.
func (s *Store) prevBySubjectLocked(f filter, start uint64) uint64 {
	var best uint64
	s.eachIndexLocked(f, func(si *subjectIndex) { best = max(best, si.prev(start)) })
	return best
}
