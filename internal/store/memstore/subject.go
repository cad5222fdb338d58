package memstore

import (
	"slices"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// subjectIndex holds the live sequences of one subject in ascending order.
// Its name is the interned subject string every message of the subject shares.
type subjectIndex struct {
	name string
	seqs []uint64
}

func (si *subjectIndex) first() uint64 { return si.seqs[0] }
func (si *subjectIndex) last() uint64  { return si.seqs[len(si.seqs)-1] }

// next returns the first sequence >= start, or 0.
func (si *subjectIndex) next(start uint64) uint64 {
	i, _ := slices.BinarySearch(si.seqs, start)
	if i == len(si.seqs) {
		return 0
	}
	return si.seqs[i]
}

// prev returns the last sequence <= start, or 0.
func (si *subjectIndex) prev(start uint64) uint64 {
	i, found := slices.BinarySearch(si.seqs, start)
	if found {
		return start
	}
	if i == 0 {
		return 0
	}
	return si.seqs[i-1]
}

// countFrom counts sequences >= start.
func (si *subjectIndex) countFrom(start uint64) uint64 {
	i, _ := slices.BinarySearch(si.seqs, start)
	return uint64(len(si.seqs) - i)
}

// state summarises the sequences >= start.
func (si *subjectIndex) state(start uint64) store.SubjectState {
	n := si.countFrom(start)
	if n == 0 {
		return store.SubjectState{}
	}
	return store.SubjectState{Msgs: n, First: si.seqs[len(si.seqs)-int(n)], Last: si.last()}
}

// remove drops seq. Removing the oldest, the common case under limits, is O(1).
func (si *subjectIndex) remove(seq uint64) {
	switch {
	case si.seqs[0] == seq:
		si.seqs = si.seqs[1:]
	case si.last() == seq:
		si.seqs = si.seqs[:len(si.seqs)-1]
	default:
		if i, found := slices.BinarySearch(si.seqs, seq); found {
			si.seqs = slices.Delete(si.seqs, i, i+1)
		}
	}
}

// filter is a parsed subject filter.
type filter struct {
	text    string
	all     bool // "" or ">"
	literal bool
}

// widenLocked treats a wildcard filter that matches every subject in the store
// as ">" (a consumer filtered on the stream's own subjects), which has the
// cheaper paths. The caller holds s.mu.
func (s *Store) widenLocked(f filter) filter {
	if !f.all && !f.literal && len(s.matchingLocked(f)) == len(s.mu.subjects) {
		return filter{text: f.text, all: true}
	}
	return f
}

func parseFilter(f string) (filter, error) {
	if f == "" || f == ">" {
		return filter{text: f, all: true}, nil
	}
	if !subject.ValidSubject(f) {
		return filter{}, store.ErrInvalidFilter
	}
	return filter{text: f, literal: !subject.HasWildcard(f)}, nil
}

func (f filter) match(subj string) bool {
	switch {
	case f.all:
		return true
	case f.literal:
		return subj == f.text
	default:
		return subject.Match(f.text, subj)
	}
}
