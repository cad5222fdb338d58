package filestore

import (
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// subjectTable interns subjects as small integer ids (stored per message in the
// segment index) and keeps each subject's count, first and last sequence.
//
// first and last are kept exact on append; when the first (or last) message of
// a subject is removed the bound is marked stale and recomputed on demand by
// scanning the in-memory index from the old bound, never the records.
type subjectTable struct {
	ids   map[string]uint32
	subs  []subjState
	free  []uint32
	live  int
	gen   uint64 // bumped when the set of subjects changes
	match struct {
		filter string
		gen    uint64
		ids    []uint32 // matching subject ids
		set    []bool   // by id
	}
}

type subjState struct {
	name       string
	msgs       uint64
	first      uint64 // exact, or a lower bound if firstStale
	last       uint64 // exact, or an upper bound if lastStale
	firstStale bool
	lastStale  bool
}

func (t *subjectTable) init() { t.ids = map[string]uint32{} }

// id returns the id of subj, if it has messages.
func (t *subjectTable) id(subj string) (uint32, bool) {
	id, ok := t.ids[subj]
	return id, ok
}

// add counts a new message of subj at seq and returns the subject id.
func (t *subjectTable) add(subj string, seq uint64) uint32 {
	id, ok := t.ids[subj]
	if !ok {
		id = t.intern(subj)
	}
	st := &t.subs[id]
	if st.msgs == 0 {
		st.first, st.firstStale = seq, false
	}
	st.msgs++
	st.last, st.lastStale = seq, false
	return id
}

func (t *subjectTable) intern(subj string) uint32 {
	var id uint32
	if n := len(t.free); n > 0 {
		id = t.free[n-1]
		t.free = t.free[:n-1]
		t.subs[id] = subjState{name: subj}
	} else {
		id = uint32(len(t.subs))
		t.subs = append(t.subs, subjState{name: subj})
	}
	t.ids[subj] = id
	t.live++
	t.gen++
	return id
}

// remove uncounts the message seq of subject id.
func (t *subjectTable) remove(id uint32, seq uint64) {
	st := &t.subs[id]
	st.msgs--
	if st.msgs == 0 {
		delete(t.ids, st.name)
		*st = subjState{}
		t.free = append(t.free, id)
		t.live--
		t.gen++
		return
	}
	if seq == st.first {
		st.first, st.firstStale = seq+1, true
	}
	if seq == st.last {
		st.last, st.lastStale = seq-1, true
	}
}

// matching returns the ids of subjects matching a filter (cached for the last
// filter asked) and a set by id.
func (t *subjectTable) matching(filter string) ([]uint32, []bool) {
	m := &t.match
	if m.set != nil && m.filter == filter && m.gen == t.gen {
		return m.ids, m.set
	}
	m.filter, m.gen = filter, t.gen
	m.ids = m.ids[:0]
	m.set = make([]bool, len(t.subs))
	for id := range t.subs {
		st := &t.subs[id]
		if st.msgs > 0 && subject.Match(filter, st.name) {
			m.ids = append(m.ids, uint32(id))
			m.set[id] = true
		}
	}
	return m.ids, m.set
}
