package storetest

import (
	"slices"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// model is the reference store: a sorted slice of messages and the few
// sequence counters State reports, with every rule written the plain way.
// The randomized test holds each implementation to it.
type model struct {
	cfg        store.Config
	msgs       []*store.Msg // live messages by ascending sequence
	emptyFirst uint64       // FirstSeq while msgs is empty
	last       uint64
	lastTime   int64
	nbytes     uint64    // sum of Size over msgs
	removed    []removal // since the last take()
}

func newModel(cfg store.Config) *model {
	m := &model{cfg: cfg}
	if cfg.FirstSeq > 0 {
		m.emptyFirst, m.last = cfg.FirstSeq, cfg.FirstSeq-1
	}
	return m
}

func modelMatch(filter, subj string) bool {
	return filter == "" || filter == ">" || subject.Match(filter, subj)
}

func validFilter(filter string) bool {
	return filter == "" || subject.ValidSubject(filter)
}

// take returns and clears the removals recorded so far.
func (m *model) take() []removal {
	r := m.removed
	m.removed = nil
	return r
}

func (m *model) index(seq uint64) int {
	i, found := slices.BinarySearchFunc(m.msgs, seq, func(x *store.Msg, s uint64) int {
		switch {
		case x.Seq < s:
			return -1
		case x.Seq > s:
			return 1
		}
		return 0
	})
	if !found {
		return -1
	}
	return i
}

func (m *model) bytes() uint64 { return m.nbytes }

func (m *model) remove(seq uint64, reason store.Reason) bool {
	i := m.index(seq)
	if i < 0 {
		return false
	}
	m.removed = append(m.removed, removal{reason, seq, m.msgs[i].Subject})
	m.nbytes -= m.msgs[i].Size()
	m.msgs = slices.Delete(m.msgs, i, i+1)
	if len(m.msgs) == 0 {
		m.emptyFirst = m.last + 1
	}
	return true
}

func (m *model) append(subj string, hdr, data []byte, now, ttl int64) uint64 {
	m.last++
	m.lastTime = now
	m.msgs = append(m.msgs, &store.Msg{Seq: m.last, Subject: subj, Header: slices.Clone(hdr),
		Data: slices.Clone(data), Time: now, TTL: ttl})
	m.nbytes += m.msgs[len(m.msgs)-1].Size()
	m.enforceSubject(subj)
	m.enforceTotals()
	return m.last
}

func (m *model) enforceSubject(subj string) {
	if m.cfg.MaxMsgsPerSubject <= 0 {
		return
	}
	var seqs []uint64
	for _, x := range m.msgs {
		if x.Subject == subj {
			seqs = append(seqs, x.Seq)
		}
	}
	for len(seqs) > int(m.cfg.MaxMsgsPerSubject) {
		m.remove(seqs[0], store.ReasonMaxPerSubject)
		seqs = seqs[1:]
	}
}

func (m *model) enforceTotals() {
	for m.cfg.MaxMsgs > 0 && int64(len(m.msgs)) > m.cfg.MaxMsgs {
		m.remove(m.msgs[0].Seq, store.ReasonMaxMsgs)
	}
	for m.cfg.MaxBytes > 0 && m.bytes() > uint64(m.cfg.MaxBytes) {
		m.remove(m.msgs[0].Seq, store.ReasonMaxBytes)
	}
}

func (m *model) updateConfig(cfg store.Config) {
	cfg.FirstSeq = m.cfg.FirstSeq
	m.cfg = cfg
	subjects := map[string]bool{}
	for _, x := range m.msgs {
		subjects[x.Subject] = true
	}
	for s := range subjects {
		m.enforceSubject(s)
	}
	m.enforceTotals()
}

func (m *model) state() store.State {
	st := store.State{Msgs: uint64(len(m.msgs)), Bytes: m.bytes(), FirstSeq: m.emptyFirst,
		LastSeq: m.last, LastTime: m.lastTime}
	subjects := map[string]bool{}
	for _, x := range m.msgs {
		subjects[x.Subject] = true
	}
	st.NumSubjects = uint64(len(subjects))
	if len(m.msgs) > 0 {
		st.FirstSeq, st.FirstTime = m.msgs[0].Seq, m.msgs[0].Time
		st.NumDeleted = m.last - st.FirstSeq + 1 - st.Msgs
	}
	return st
}

func (m *model) deleted() []uint64 {
	var out []uint64
	if len(m.msgs) == 0 {
		return nil
	}
	next := m.msgs[0].Seq
	for _, x := range m.msgs {
		for ; next < x.Seq; next++ {
			out = append(out, next)
		}
		next = x.Seq + 1
	}
	for ; next <= m.last; next++ {
		out = append(out, next)
	}
	return out
}

func (m *model) load(seq uint64) *store.Msg {
	if i := m.index(seq); i >= 0 {
		return m.msgs[i]
	}
	return nil
}

func (m *model) loadNext(filter string, start uint64) *store.Msg {
	for _, x := range m.msgs {
		if x.Seq >= start && modelMatch(filter, x.Subject) {
			return x
		}
	}
	return nil
}

func (m *model) loadPrev(filter string, start uint64) *store.Msg {
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if x := m.msgs[i]; x.Seq <= start && modelMatch(filter, x.Subject) {
			return x
		}
	}
	return nil
}

func (m *model) filteredState(filter string, start uint64) store.FilteredState {
	var fs store.FilteredState
	if !validFilter(filter) {
		return fs
	}
	for _, x := range m.msgs {
		if x.Seq >= start && modelMatch(filter, x.Subject) {
			if fs.Msgs == 0 {
				fs.First = x.Seq
			}
			fs.Msgs++
			fs.Last = x.Seq
		}
	}
	return fs
}

func (m *model) subjectsState(filter string) map[string]store.SubjectState {
	out := map[string]store.SubjectState{}
	if !validFilter(filter) {
		return out
	}
	for _, x := range m.msgs {
		if !modelMatch(filter, x.Subject) {
			continue
		}
		ss := out[x.Subject]
		if ss.Msgs == 0 {
			ss.First = x.Seq
		}
		ss.Msgs++
		ss.Last = x.Seq
		out[x.Subject] = ss
	}
	return out
}

func (m *model) purge(o store.PurgeOpts) uint64 {
	all := o.Subject == "" || o.Subject == ">"
	switch {
	case all && o.Keep == 0 && o.Seq > 0:
		return m.compact(o.Seq)
	case all && o.Keep == 0:
		n := uint64(len(m.msgs))
		for len(m.msgs) > 0 {
			m.remove(m.msgs[0].Seq, store.ReasonPurge)
		}
		m.emptyFirst = m.last + 1
		return n
	}
	var seqs []uint64
	for _, x := range m.msgs {
		if modelMatch(o.Subject, x.Subject) {
			seqs = append(seqs, x.Seq)
		}
	}
	seqs = seqs[:len(seqs)-min(int(o.Keep), len(seqs))]
	var n uint64
	for _, s := range seqs {
		if (o.Seq == 0 || s < o.Seq) && m.remove(s, store.ReasonPurge) {
			n++
		}
	}
	return n
}

func (m *model) compact(seq uint64) uint64 {
	var n uint64
	for len(m.msgs) > 0 && m.msgs[0].Seq < seq {
		m.remove(m.msgs[0].Seq, store.ReasonPurge)
		n++
	}
	if seq > m.last+1 {
		m.last = seq - 1
		m.emptyFirst = seq
	}
	return n
}

func (m *model) truncate(seq uint64) {
	if seq >= m.last {
		return
	}
	for len(m.msgs) > 0 && m.msgs[len(m.msgs)-1].Seq > seq {
		m.remove(m.msgs[len(m.msgs)-1].Seq, store.ReasonPurge)
	}
	m.last, m.lastTime = seq, 0
	if len(m.msgs) > 0 {
		m.lastTime = m.msgs[len(m.msgs)-1].Time
	} else {
		m.emptyFirst = seq + 1
	}
}

func (m *model) expire(now int64) int64 {
	for _, x := range slices.Clone(m.msgs) {
		if x.TTL > 0 && x.Time+x.TTL <= now {
			m.remove(x.Seq, store.ReasonTTL)
		}
	}
	maxAge := int64(m.cfg.MaxAge)
	if maxAge > 0 {
		for _, x := range slices.Clone(m.msgs) {
			if x.TTL >= 0 && x.Time <= now-maxAge {
				m.remove(x.Seq, store.ReasonMaxAge)
			}
		}
	}
	var next int64
	due := func(t int64) {
		if next == 0 || t < next {
			next = t
		}
	}
	for _, x := range m.msgs {
		if x.TTL > 0 {
			due(x.Time + x.TTL)
		}
		if maxAge > 0 && x.TTL >= 0 {
			due(x.Time + maxAge)
		}
	}
	return next
}
