package memstore

import (
	"iter"
	"maps"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Consumer state transitions (RETENTION.md §1, §5). The rules:
//
//   - A delivery of a stream sequence above the ack floor makes it pending at
//     that consumer sequence and time (a redelivery replaces the entry), moves
//     Delivered up, and records dc in Redelivered when dc > 1.
//   - Acks at or below the floor are no-ops.
//   - AckAll of (d, s) forgets every pending, redelivered and parked entry
//     <= s and sets the floor to (d, s), the consumer half capped below the
//     lowest consumer sequence still pending.
//   - An explicit ack forgets s; parking moves s from pending to parked and
//     keeps its redelivery count. Both then move the floor: to Delivered when
//     nothing is pending, else the stream half to just below the lowest pending
//     stream sequence and the consumer half to just below the lowest pending
//     consumer sequence. The floor never moves back.

func (cs *consumerState) delivered(dseq, sseq, dc uint64, ts int64) {
	st := &cs.st
	st.Delivered.Consumer = max(st.Delivered.Consumer, dseq)
	st.Delivered.Stream = max(st.Delivered.Stream, sseq)
	if sseq <= st.AckFloor.Stream {
		return
	}
	if old, ok := st.Pending[sseq]; ok {
		delete(cs.byDseq, old.Consumer)
	}
	st.Pending[sseq] = store.Pending{Consumer: dseq, Time: ts}
	cs.byDseq[dseq] = sseq
	if dc > 1 && st.Redelivered[sseq] < dc {
		st.Redelivered[sseq] = dc
	}
}

func (cs *consumerState) acked(dseq, sseq uint64, all bool) {
	st := &cs.st
	if sseq <= st.AckFloor.Stream {
		return
	}
	if !all {
		cs.dropPending(sseq)
		delete(st.Redelivered, sseq)
		delete(st.Parked, sseq)
		cs.moveFloor()
		return
	}
	for s := range st.Pending {
		if s <= sseq {
			cs.dropPending(s)
		}
	}
	for d := range cs.byDseq {
		dseq = min(dseq, d-1)
	}
	st.AckFloor.Consumer = max(st.AckFloor.Consumer, dseq)
	st.AckFloor.Stream = sseq
	for s := range st.Redelivered {
		if s <= sseq {
			delete(st.Redelivered, s)
		}
	}
	for s := range st.Parked {
		if s <= sseq {
			delete(st.Parked, s)
		}
	}
}

func (cs *consumerState) parked(sseq uint64) {
	cs.dropPending(sseq)
	cs.st.Parked[sseq] = struct{}{}
	cs.moveFloor()
}

func (cs *consumerState) dropPending(sseq uint64) {
	if p, ok := cs.st.Pending[sseq]; ok {
		delete(cs.byDseq, p.Consumer)
		delete(cs.st.Pending, sseq)
	}
}

// moveFloor recomputes the ack floor from the pending set. Each half scans up
// from the current floor, or the whole pending set when that is shorter.
func (cs *consumerState) moveFloor() {
	st := &cs.st
	if len(st.Pending) == 0 {
		st.AckFloor.Consumer = max(st.AckFloor.Consumer, st.Delivered.Consumer)
		st.AckFloor.Stream = max(st.AckFloor.Stream, st.Delivered.Stream)
		cs.loose = false
		return
	}
	// Entries may sit below the floor after SetState: then look at all of them.
	probe := !cs.loose
	lowS := lowest(probe, st.AckFloor.Stream+1, st.Delivered.Stream, len(st.Pending),
		func(s uint64) bool { _, ok := st.Pending[s]; return ok }, maps.Keys(st.Pending))
	lowD := lowest(probe, st.AckFloor.Consumer+1, st.Delivered.Consumer, len(cs.byDseq),
		func(d uint64) bool { _, ok := cs.byDseq[d]; return ok }, maps.Keys(cs.byDseq))
	st.AckFloor.Stream = max(st.AckFloor.Stream, lowS-1)
	st.AckFloor.Consumer = max(st.AckFloor.Consumer, lowD-1)
}

// lowest returns the smallest member of a non-empty set of n members, all in
// [lo, hi]. It probes upward from lo when the range is at most about twice the
// set (the common case: acks arrive roughly in order, so the answer is near lo)
// and iterates the set otherwise.
func lowest(probe bool, lo, hi uint64, n int, has func(uint64) bool, all iter.Seq[uint64]) uint64 {
	if probe && hi >= lo && hi-lo <= 2*uint64(n) {
		for v := lo; v <= hi; v++ {
			if has(v) {
				return v
			}
		}
	}
	var low uint64
	for v := range all {
		if low == 0 || v < low {
			low = v
		}
	}
	return low
}
