package filestore

import (
	"maps"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// ackState is a consumer's state and the pure rules that update it (pinned by
// storetest's consumer cases). It does no I/O.
type ackState struct {
	st store.ConsumerState
}

func newAckState() *ackState {
	a := &ackState{}
	a.reset(nil)
	return a
}

// reset replaces the state with a copy of st (nil: empty).
func (a *ackState) reset(st *store.ConsumerState) {
	a.st = store.ConsumerState{
		Pending:     map[uint64]store.Pending{},
		Redelivered: map[uint64]uint64{},
		Parked:      map[uint64]struct{}{},
	}
	if st == nil {
		return
	}
	a.st.Delivered, a.st.AckFloor = st.Delivered, st.AckFloor
	maps.Copy(a.st.Pending, st.Pending)
	maps.Copy(a.st.Redelivered, st.Redelivered)
	maps.Copy(a.st.Parked, st.Parked)
}

// copy returns a copy for callers; empty maps are nil.
func (a *ackState) copy() *store.ConsumerState {
	c := &store.ConsumerState{Delivered: a.st.Delivered, AckFloor: a.st.AckFloor}
	if len(a.st.Pending) > 0 {
		c.Pending = maps.Clone(a.st.Pending)
	}
	if len(a.st.Redelivered) > 0 {
		c.Redelivered = maps.Clone(a.st.Redelivered)
	}
	if len(a.st.Parked) > 0 {
		c.Parked = maps.Clone(a.st.Parked)
	}
	return c
}

func (a *ackState) delivered(dseq, sseq, dc uint64, ts int64) {
	st := &a.st
	st.Delivered.Consumer = max(st.Delivered.Consumer, dseq)
	st.Delivered.Stream = max(st.Delivered.Stream, sseq)
	if sseq <= st.AckFloor.Stream {
		return
	}
	st.Pending[sseq] = store.Pending{Consumer: dseq, Time: ts}
	if dc > 1 && dc > st.Redelivered[sseq] {
		st.Redelivered[sseq] = dc
	}
}

func (a *ackState) acked(dseq, sseq uint64, all bool) {
	st := &a.st
	if sseq <= st.AckFloor.Stream {
		return
	}
	if all {
		maps.DeleteFunc(st.Pending, func(k uint64, _ store.Pending) bool { return k <= sseq })
		maps.DeleteFunc(st.Redelivered, func(k, _ uint64) bool { return k <= sseq })
		maps.DeleteFunc(st.Parked, func(k uint64, _ struct{}) bool { return k <= sseq })
		// The consumer half stays below every consumer sequence still pending:
		// a redelivery of sseq can carry a higher dseq than later messages.
		for _, p := range st.Pending {
			dseq = min(dseq, p.Consumer-1)
		}
		st.AckFloor = store.SeqPair{Consumer: max(st.AckFloor.Consumer, dseq), Stream: sseq}
		return
	}
	delete(st.Pending, sseq)
	delete(st.Redelivered, sseq)
	delete(st.Parked, sseq)
	a.raiseFloor()
}

func (a *ackState) parked(sseq uint64) {
	st := &a.st
	delete(st.Pending, sseq)
	st.Parked[sseq] = struct{}{}
	a.raiseFloor()
}

// raiseFloor moves the ack floor up to just below the lowest pending entry,
// or to Delivered when nothing is pending. It never moves it back.
func (a *ackState) raiseFloor() {
	st := &a.st
	next := st.Delivered
	if len(st.Pending) > 0 {
		minS, minC := ^uint64(0), ^uint64(0)
		for s, p := range st.Pending {
			minS, minC = min(minS, s), min(minC, p.Consumer)
		}
		next = store.SeqPair{Consumer: minC - 1, Stream: minS - 1}
	}
	st.AckFloor.Consumer = max(st.AckFloor.Consumer, next.Consumer)
	st.AckFloor.Stream = max(st.AckFloor.Stream, next.Stream)
}
