package memstore

import "github.com/holdfast-mq/holdfast/internal/store"

// FilteredState implements store.Store. With a literal filter it is a binary
// search; with ">" it counts the smaller of the sequence range and the subject
// set; with a wildcard it asks each matching subject.
func (s *Store) FilteredState(fs string, start uint64) store.FilteredState {
	f, err := parseFilter(fs)
	if err != nil {
		return store.FilteredState{}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	start = max(start, s.mu.first, 1)
	if s.mu.closed || len(s.mu.msgs) == 0 || start > s.mu.last {
		return store.FilteredState{}
	}
	f = s.widenLocked(f)
	switch {
	case f.all:
		return s.filteredAllLocked(start)
	case f.literal:
		if si := s.mu.subjects[f.text]; si != nil {
			return store.FilteredState(si.state(start))
		}
		return store.FilteredState{}
	case s.mu.last-start < uint64(len(s.mu.subjects)):
		return s.filteredScanLocked(f, start)
	default:
		var out store.FilteredState
		for _, si := range s.matchingLocked(f) {
			merge(&out, si.state(start))
		}
		return out
	}
}

func merge(out *store.FilteredState, ss store.SubjectState) {
	if ss.Msgs == 0 {
		return
	}
	out.Msgs += ss.Msgs
	if out.First == 0 || ss.First < out.First {
		out.First = ss.First
	}
	out.Last = max(out.Last, ss.Last)
}

func (s *Store) filteredAllLocked(start uint64) store.FilteredState {
	out := store.FilteredState{First: s.nextLiveLocked(start), Last: s.prevLiveLocked(s.mu.last)}
	if out.First == 0 {
		return store.FilteredState{}
	}
	total := uint64(len(s.mu.msgs))
	above, below := s.mu.last-start+1, start-s.mu.first
	nsubj := uint64(len(s.mu.subjects))
	switch {
	case start <= s.mu.first:
		out.Msgs = total
	case total == s.mu.last-s.mu.first+1: // no gaps
		out.Msgs = above
	case above <= below && above <= nsubj:
		for seq := start; seq <= s.mu.last; seq++ {
			if _, ok := s.mu.msgs[seq]; ok {
				out.Msgs++
			}
		}
	case below <= nsubj:
		out.Msgs = total
		for seq := s.mu.first; seq < start; seq++ {
			if _, ok := s.mu.msgs[seq]; ok {
				out.Msgs--
			}
		}
	default:
		for _, si := range s.mu.subjects {
			out.Msgs += si.countFrom(start)
		}
	}
	return out
}

func (s *Store) filteredScanLocked(f filter, start uint64) store.FilteredState {
	var out store.FilteredState
	for seq := start; seq <= s.mu.last; seq++ {
		if m := s.mu.msgs[seq]; m != nil && f.match(m.subj.name) {
			out.Msgs++
			if out.First == 0 {
				out.First = seq
			}
			out.Last = seq
		}
	}
	return out
}

// SubjectsState implements store.Store.
func (s *Store) SubjectsState(fs string) map[string]store.SubjectState {
	out := make(map[string]store.SubjectState)
	s.eachSubject(fs, func(si *subjectIndex) {
		out[si.name] = store.SubjectState{Msgs: uint64(len(si.seqs)), First: si.first(), Last: si.last()}
	})
	return out
}

// SubjectsTotals implements store.Store.
func (s *Store) SubjectsTotals(fs string) map[string]uint64 {
	out := make(map[string]uint64)
	s.eachSubject(fs, func(si *subjectIndex) { out[si.name] = uint64(len(si.seqs)) })
	return out
}

func (s *Store) eachSubject(fs string, fn func(*subjectIndex)) {
	f, err := parseFilter(fs)
	if err != nil {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.mu.closed {
		s.eachIndexLocked(f, fn)
	}
}
