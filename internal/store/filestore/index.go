package filestore

import (
	"errors"
	"fmt"
	"sort"

	"github.com/klauspost/compress/s2"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// findLocked returns the segment and index of a live message, or nil.
func (s *Store) findLocked(seq uint64) (*segment, int) {
	segs := s.mu.segs
	k := sort.Search(len(segs), func(i int) bool { return segs[i].base > seq }) - 1
	if k < 0 {
		return nil, 0
	}
	sg := segs[k]
	if !sg.holds(seq) || sg.offs[seq-sg.base] == 0 {
		return nil, 0
	}
	return sg, int(seq - sg.base)
}

// segIndexLocked returns the index of the first segment that may hold seq or
// anything after it.
func (s *Store) segIndexLocked(seq uint64) int {
	segs := s.mu.segs
	k := sort.Search(len(segs), func(i int) bool { return segs[i].base > seq }) - 1
	return max(k, 0)
}

// loadLocked reads and verifies the message at sg.offs[i].
func (s *Store) loadLocked(sg *segment, i int) (*store.Msg, error) {
	seq := sg.base + uint64(i)
	off, n := int64(sg.offs[i]), int(sg.lens[i])
	m, err := s.decodeLocked(sg, i, s.readSeqLocked)
	if errors.Is(err, errDamaged) {
		// Damaged after recovery checked it. Never serve it: drop it from the
		// index (no tombstone, so the next recovery quarantines the segment)
		// and report it lost.
		s.log.Error("corrupt record not served", "seq", seq, "segment", segName(sg.id), "offset", off)
		s.unindexLocked(sg, i)
		if s.mu.lost == nil {
			s.mu.lost = &store.LostData{}
		}
		s.mu.lost.Msgs = append(s.mu.lost.Msgs, seq)
		s.mu.lost.Bytes += msgSize(uint32(n))
		return nil, fmt.Errorf("%w: seq %d at %s:%d", store.ErrCorrupt, seq, segName(sg.id), off)
	}
	return m, err
}

// decodeMsg verifies and decodes the message record at the start of b, which
// holds at least its bytes (n is the length the index keeps for it). The
// subject is shared with interned when equal, saving an allocation.
func decodeMsg(b []byte, seq uint64, n int, interned string) (*store.Msg, bool) {
	h, ok := decodeHeader(b)
	if !ok || int(h.length) > len(b) || h.seq != seq || h.kind != kindMsg {
		return nil, false
	}
	rec := b[:h.length]
	if !recordOK(rec) {
		return nil, false
	}
	if l, ok := indexLen(&h, rec); !ok || int(l) != n {
		return nil, false
	}
	m := &store.Msg{Seq: seq, Time: h.ts, TTL: h.ttl}
	p := rec[recHeaderLen:]
	if interned != "" && interned == string(p[:h.subjLen]) {
		m.Subject = interned
	} else {
		m.Subject = string(p[:h.subjLen])
	}
	p = p[h.subjLen:]
	if h.hdrLen > 0 {
		m.Header = p[:h.hdrLen:h.hdrLen]
	}
	m.Data = p[h.hdrLen:]
	if h.flags&flagS2 != 0 {
		data, err := s2.Decode(nil, m.Data)
		if err != nil {
			return nil, false
		}
		m.Data = data
	}
	if len(m.Data) == 0 {
		m.Data = nil
	}
	return m, true
}

// Load implements store.Store.
// It holds the lock shared, so loads by sequence run in parallel; only a
// damaged record (which must be dropped from the index) takes it exclusively.
func (s *Store) Load(seq uint64) (*store.Msg, error) {
	s.mu.RLock()
	if s.mu.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	sg, i := s.findLocked(seq)
	if sg == nil {
		s.mu.RUnlock()
		return nil, store.ErrNotFound
	}
	m, err := s.readMsgLocked(sg, i)
	s.mu.RUnlock()
	if !errors.Is(err, errDamaged) {
		return m, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sg, i = s.findLocked(seq); sg == nil {
		return nil, store.ErrNotFound
	}
	return s.loadLocked(sg, i)
}

// errDamaged is returned by readMsgLocked for a record that fails its checks.
var errDamaged = errors.New("filestore: damaged record")

// readMsgLocked reads and verifies a message without changing any state; it
// needs the lock held at least shared.
func (s *Store) readMsgLocked(sg *segment, i int) (*store.Msg, error) {
	return s.decodeLocked(sg, i, (*segment).read)
}

// decodeLocked is readMsgLocked reading the record with read.
func (s *Store) decodeLocked(sg *segment, i int, read func(sg *segment, off int64, n int) ([]byte, error)) (*store.Msg, error) {
	seq := sg.base + uint64(i)
	off, n := int64(sg.offs[i]), int(sg.lens[i])
	rec, err := read(sg, off, n)
	if err != nil {
		return nil, fmt.Errorf("filestore: read seq %d at %s:%d: %w", seq, segName(sg.id), off, err)
	}
	m, ok := decodeMsg(rec, seq, n, s.mu.subjects.subs[sg.subj[i]].name)
	if !ok {
		return nil, errDamaged
	}
	return m, nil
}

// filterKind classifies a filter for scanning.
type matcher struct {
	all bool
	id  uint32 // literal: the subject id
	set []bool // wildcard: ids that match
	ids []uint32
}

func (m *matcher) match(id uint32) bool {
	switch {
	case m.all:
		return true
	case m.set != nil:
		return int(id) < len(m.set) && m.set[id]
	}
	return id == m.id
}

// matcherLocked prepares a filter; ok is false when nothing can match.
func (s *Store) matcherLocked(filter string) (m matcher, ok bool, err error) {
	if filter == "" || filter == ">" {
		return matcher{all: true}, s.mu.msgs > 0, nil
	}
	if !subject.ValidSubject(filter) {
		return m, false, store.ErrInvalidFilter
	}
	if !subject.HasWildcard(filter) {
		id, ok := s.mu.subjects.id(filter)
		return matcher{id: id}, ok, nil
	}
	ids, set := s.mu.subjects.matching(filter)
	return matcher{set: set, ids: ids}, len(ids) > 0, nil
}

// boundsLocked returns the first and last sequence a matcher can match.
func (s *Store) boundsLocked(m *matcher) (first, last uint64) {
	switch {
	case m.all:
		sg, i := s.scanBackwardLocked(m, s.mu.last, s.mu.first)
		if sg == nil {
			return 1, 0
		}
		return s.mu.first, sg.base + uint64(i)
	case m.set == nil:
		return s.subjFirstLocked(m.id), s.subjLastLocked(m.id)
	}
	first = ^uint64(0)
	for _, id := range m.ids {
		first = min(first, s.subjFirstLocked(id))
		last = max(last, s.subjLastLocked(id))
	}
	return first, last
}

// scanForwardLocked returns the first live message >= from and <= to that
// matches, as segment and index, scanning the in-memory index only.
func (s *Store) scanForwardLocked(m *matcher, from, to uint64) (*segment, int) {
	for k := s.segIndexLocked(from); k < len(s.mu.segs); k++ {
		sg := s.mu.segs[k]
		if sg.base > to {
			break
		}
		i := 0
		if from > sg.base {
			i = int(from - sg.base)
		}
		end := len(sg.offs)
		if to-sg.base+1 < uint64(end) {
			end = int(to - sg.base + 1)
		}
		for ; i < end; i++ {
			if sg.offs[i] != 0 && m.match(sg.subj[i]) {
				return sg, i
			}
		}
	}
	return nil, 0
}

// scanBackwardLocked returns the last live message <= from and >= to that matches.
func (s *Store) scanBackwardLocked(m *matcher, from, to uint64) (*segment, int) {
	for k := s.segIndexLocked(from); k >= 0; k-- {
		sg := s.mu.segs[k]
		if len(sg.offs) == 0 || from < sg.base {
			continue
		}
		if sg.last() < to {
			break
		}
		for i := int(min(from, sg.last()) - sg.base); i >= 0 && sg.base+uint64(i) >= to; i-- {
			if sg.offs[i] != 0 && m.match(sg.subj[i]) {
				return sg, i
			}
		}
	}
	return nil, 0
}

// subjFirstLocked returns the exact first sequence of a subject.
func (s *Store) subjFirstLocked(id uint32) uint64 {
	st := &s.mu.subjects.subs[id]
	if st.firstStale {
		sg, i := s.scanForwardLocked(&matcher{id: id}, st.first, s.mu.last)
		if sg == nil {
			panic(fmt.Sprintf("filestore: subject %q has %d messages but none found", st.name, st.msgs))
		}
		st.first, st.firstStale = sg.base+uint64(i), false
	}
	return st.first
}

// subjLastLocked returns the exact last sequence of a subject.
func (s *Store) subjLastLocked(id uint32) uint64 {
	st := &s.mu.subjects.subs[id]
	if st.lastStale {
		sg, i := s.scanBackwardLocked(&matcher{id: id}, st.last, s.mu.first)
		if sg == nil {
			panic(fmt.Sprintf("filestore: subject %q has %d messages but none found", st.name, st.msgs))
		}
		st.last, st.lastStale = sg.base+uint64(i), false
	}
	return st.last
}

// LoadNext implements store.Store.
func (s *Store) LoadNext(filter string, start uint64) (*store.Msg, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	m, ok, err := s.matcherLocked(filter)
	if err != nil || !ok {
		return nil, notFound(err)
	}
	first, last := s.boundsLocked(&m)
	for start = max(start, first); start <= last; {
		sg, i := s.scanForwardLocked(&m, start, last)
		if sg == nil {
			break
		}
		msg, err := s.loadLocked(sg, i)
		if !errors.Is(err, store.ErrCorrupt) {
			return msg, err
		}
		start = sg.base + uint64(i) + 1 // skip the damaged record
	}
	return nil, store.ErrNotFound
}

// LoadPrev implements store.Store.
func (s *Store) LoadPrev(filter string, start uint64) (*store.Msg, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	return s.loadPrevLocked(filter, start)
}

func (s *Store) loadPrevLocked(filter string, start uint64) (*store.Msg, error) {
	m, ok, err := s.matcherLocked(filter)
	if err != nil || !ok {
		return nil, notFound(err)
	}
	first, last := s.boundsLocked(&m)
	for start = min(start, last); start >= first && start > 0; {
		sg, i := s.scanBackwardLocked(&m, start, first)
		if sg == nil {
			break
		}
		msg, err := s.loadLocked(sg, i)
		if !errors.Is(err, store.ErrCorrupt) {
			return msg, err
		}
		start = sg.base + uint64(i) - 1 // skip the damaged record
	}
	return nil, store.ErrNotFound
}

// LoadLast implements store.Store.
func (s *Store) LoadLast(filter string) (*store.Msg, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	return s.loadPrevLocked(filter, ^uint64(0))
}

func notFound(err error) error {
	if err != nil {
		return err
	}
	return store.ErrNotFound
}

// SubjectsState implements store.Store.
func (s *Store) SubjectsState(filter string) map[string]store.SubjectState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]store.SubjectState{}
	s.eachSubjectLocked(filter, func(id uint32, st *subjState) {
		out[st.name] = store.SubjectState{Msgs: st.msgs, First: s.subjFirstLocked(id), Last: s.subjLastLocked(id)}
	})
	return out
}

// SubjectsTotals implements store.Store.
func (s *Store) SubjectsTotals(filter string) map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]uint64{}
	s.eachSubjectLocked(filter, func(_ uint32, st *subjState) { out[st.name] = st.msgs })
	return out
}

func (s *Store) eachSubjectLocked(filter string, fn func(uint32, *subjState)) {
	if s.mu.closed {
		return
	}
	all := filter == "" || filter == ">"
	if !all && !subject.ValidSubject(filter) {
		return
	}
	for id := range s.mu.subjects.subs {
		st := &s.mu.subjects.subs[id]
		if st.msgs > 0 && (all || subject.Match(filter, st.name)) {
			fn(uint32(id), st)
		}
	}
}

// FilteredState implements store.Store.
func (s *Store) FilteredState(filter string, start uint64) store.FilteredState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fs store.FilteredState
	if s.mu.closed {
		return fs
	}
	m, ok, err := s.matcherLocked(filter)
	if err != nil || !ok {
		return fs
	}
	first, last := s.boundsLocked(&m)
	start = max(start, first)
	if start > last {
		return fs
	}
	sg, i := s.scanForwardLocked(&m, start, last)
	if sg == nil {
		return fs
	}
	fs.First, fs.Last = sg.base+uint64(i), last
	total := s.countLocked(&m)
	if fs.First == first {
		fs.Msgs = total
		return fs
	}
	// Count the shorter side: what lies before start, or what lies from it.
	if start-first < last-start {
		fs.Msgs = total - s.countRangeLocked(&m, first, start-1)
	} else {
		fs.Msgs = s.countRangeLocked(&m, start, last)
	}
	return fs
}

// countLocked returns the number of live messages a matcher matches.
func (s *Store) countLocked(m *matcher) uint64 {
	switch {
	case m.all:
		return s.mu.msgs
	case m.set == nil:
		return s.mu.subjects.subs[m.id].msgs
	}
	var n uint64
	for _, id := range m.ids {
		n += s.mu.subjects.subs[id].msgs
	}
	return n
}

// countRangeLocked counts matching live messages in [from, to].
func (s *Store) countRangeLocked(m *matcher, from, to uint64) uint64 {
	var n uint64
	for k := s.segIndexLocked(from); k < len(s.mu.segs); k++ {
		sg := s.mu.segs[k]
		if sg.base > to {
			break
		}
		if m.all && from <= sg.base && sg.last() <= to {
			n += sg.msgs
			continue
		}
		lo := uint64(0)
		if from > sg.base {
			lo = from - sg.base
		}
		hi := min(uint64(len(sg.offs)), to-sg.base+1)
		if m.all {
			n += sg.countLive(lo, hi)
			continue
		}
		for i := lo; i < hi; i++ {
			if sg.offs[i] != 0 && m.match(sg.subj[i]) {
				n++
			}
		}
	}
	return n
}

// countLive counts live records in index range [lo, hi) of sg, scanning
// whichever is shorter: the range, or the rest of the segment (whose live
// count sg.msgs gives the complement). A consumer's num_pending asks this
// for every pull request, from its position to the end of the stream.
func (sg *segment) countLive(lo, hi uint64) uint64 {
	size := uint64(len(sg.offs))
	if hi <= lo {
		return 0
	}
	if sg.msgs == size {
		return hi - lo // nothing deleted in this segment
	}
	live := func(a, b uint64) uint64 {
		var n uint64
		for _, off := range sg.offs[a:b] {
			if off != 0 {
				n++
			}
		}
		return n
	}
	if hi-lo <= size-(hi-lo) {
		return live(lo, hi)
	}
	return sg.msgs - live(0, lo) - live(hi, size)
}

// Deleted implements store.Store.
func (s *Store) Deleted() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []uint64
	if s.mu.msgs == 0 {
		return nil
	}
	next := s.mu.first
	for _, sg := range s.mu.segs {
		for i, off := range sg.offs {
			seq := sg.base + uint64(i)
			if off == 0 || seq < next {
				continue
			}
			for ; next < seq; next++ {
				out = append(out, next)
			}
			next = seq + 1
		}
	}
	for ; next <= s.mu.last; next++ {
		out = append(out, next)
	}
	return out
}
