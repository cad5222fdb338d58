package store

import (
	"maps"
	"slices"
)

// ConsumerTracker is a consumer's state and the pure rules every
// ConsumerStore applies to it (pinned by storetest's consumer cases): memstore
// keeps one in memory, filestore replays its log into one. It does no I/O and
// is not safe for concurrent use.
//
// Two lazy min-heaps find the lowest pending stream and consumer sequences
// for the ack floor in O(log n) amortized, so that acking in order with a
// large pending set does not rescan it: an entry is stale (and popped when it
// surfaces) once its stream sequence is no longer pending at that consumer
// sequence.
type ConsumerTracker struct {
	st   ConsumerState
	low  minHeap // by stream sequence, then consumer
	lowD minHeap // by consumer sequence
	// stale: Reset left the heaps to be built by the first update that
	// needs them (a log of whole snapshots never does).
	stale bool
}

// minHeap is a binary min-heap of (consumer, stream) pairs.
type minHeap struct {
	items    []SeqPair
	byStream bool
}

func (h *minHeap) less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if h.byStream {
		return a.Stream < b.Stream
	}
	return a.Consumer < b.Consumer
}

func (h *minHeap) push(p SeqPair) {
	h.items = append(h.items, p)
	for i := len(h.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h.items[i], h.items[parent] = h.items[parent], h.items[i]
		i = parent
	}
}

func (h *minHeap) pop() {
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items = h.items[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && h.less(l, m) {
			m = l
		}
		if l+1 < n && h.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			return
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// lowest returns the lowest live entry, popping stale ones.
func (h *minHeap) lowest(pending map[uint64]Pending) (SeqPair, bool) {
	for len(h.items) > 0 {
		top := h.items[0]
		if p, ok := pending[top.Stream]; ok && p.Consumer == top.Consumer {
			return top, true
		}
		h.pop()
	}
	return SeqPair{}, false
}

// rebuildHeaps indexes the pending set afresh.
func (a *ConsumerTracker) rebuildHeaps() {
	a.stale = false
	a.low = minHeap{byStream: true, items: make([]SeqPair, 0, len(a.st.Pending))}
	a.lowD = minHeap{items: make([]SeqPair, 0, len(a.st.Pending))}
	for s, p := range a.st.Pending {
		a.low.push(SeqPair{Consumer: p.Consumer, Stream: s})
		a.lowD.push(SeqPair{Consumer: p.Consumer, Stream: s})
	}
}

func NewConsumerTracker() *ConsumerTracker {
	a := &ConsumerTracker{}
	a.Reset(nil)
	return a
}

// Reset replaces the state with a copy of st (nil: empty).
func (a *ConsumerTracker) Reset(st *ConsumerState) {
	if st == nil {
		st = &ConsumerState{}
	}
	a.st = ConsumerState{
		Pending:     make(map[uint64]Pending, len(st.Pending)),
		Redelivered: make(map[uint64]uint64, len(st.Redelivered)),
		Parked:      make(map[uint64]struct{}, len(st.Parked)),
	}
	a.st.Delivered, a.st.AckFloor = st.Delivered, st.AckFloor
	maps.Copy(a.st.Pending, st.Pending)
	maps.Copy(a.st.Redelivered, st.Redelivered)
	maps.Copy(a.st.Parked, st.Parked)
	if len(st.DeadLetters) > 0 {
		a.st.DeadLetters = make(map[uint64][]byte, len(st.DeadLetters))
		for k, v := range st.DeadLetters {
			a.st.DeadLetters[k] = slices.Clone(v)
		}
	}
	a.low, a.lowD, a.stale = minHeap{}, minHeap{}, true
}

// heaps builds the heaps if Reset left them stale.
func (a *ConsumerTracker) heaps() {
	if a.stale {
		a.rebuildHeaps()
	}
}

// Copy returns a copy for callers; empty maps are nil.
func (a *ConsumerTracker) Copy() *ConsumerState {
	c := &ConsumerState{Delivered: a.st.Delivered, AckFloor: a.st.AckFloor}
	if len(a.st.Pending) > 0 {
		c.Pending = maps.Clone(a.st.Pending)
	}
	if len(a.st.Redelivered) > 0 {
		c.Redelivered = maps.Clone(a.st.Redelivered)
	}
	if len(a.st.Parked) > 0 {
		c.Parked = maps.Clone(a.st.Parked)
	}
	if len(a.st.DeadLetters) > 0 {
		c.DeadLetters = maps.Clone(a.st.DeadLetters)
	}
	return c
}

// View returns the live state for reading; the caller must not modify it
// and must not keep it past the next update.
func (a *ConsumerTracker) View() *ConsumerState { return &a.st }

// Delivered applies ConsumerStore.UpdateDelivered.
func (a *ConsumerTracker) Delivered(dseq, sseq, dc uint64, ts int64) {
	st := &a.st
	st.Delivered.Consumer = max(st.Delivered.Consumer, dseq)
	st.Delivered.Stream = max(st.Delivered.Stream, sseq)
	if sseq <= st.AckFloor.Stream {
		return
	}
	a.heaps()
	st.Pending[sseq] = Pending{Consumer: dseq, Time: ts}
	if len(a.low.items) > 2*len(st.Pending)+1024 {
		a.rebuildHeaps()
	} else {
		a.low.push(SeqPair{Consumer: dseq, Stream: sseq})
		a.lowD.push(SeqPair{Consumer: dseq, Stream: sseq})
	}
	if dc > 1 && dc > st.Redelivered[sseq] {
		st.Redelivered[sseq] = dc
	}
}

// Acked applies ConsumerStore.UpdateAcked.
func (a *ConsumerTracker) Acked(dseq, sseq uint64, all bool) {
	st := &a.st
	if sseq <= st.AckFloor.Stream {
		return
	}
	a.heaps()
	if all {
		maps.DeleteFunc(st.Pending, func(k uint64, _ Pending) bool { return k <= sseq })
		maps.DeleteFunc(st.Redelivered, func(k, _ uint64) bool { return k <= sseq })
		maps.DeleteFunc(st.Parked, func(k uint64, _ struct{}) bool { return k <= sseq })
		// The consumer half stays below every consumer sequence still pending:
		// a redelivery of sseq can carry a higher dseq than later messages.
		if low, ok := a.lowD.lowest(st.Pending); ok {
			dseq = min(dseq, low.Consumer-1)
		}
		st.AckFloor = SeqPair{Consumer: max(st.AckFloor.Consumer, dseq), Stream: sseq}
		return
	}
	delete(st.Pending, sseq)
	delete(st.Redelivered, sseq)
	delete(st.Parked, sseq)
	a.raiseFloor()
}

// Parked applies ConsumerStore.UpdateParked.
func (a *ConsumerTracker) Parked(sseq uint64) {
	a.heaps()
	st := &a.st
	delete(st.Pending, sseq)
	st.Parked[sseq] = struct{}{}
	a.raiseFloor()
}

// raiseFloor moves the ack floor up to just below the lowest pending entry,
// or to Delivered when nothing is pending. It never moves it back.
func (a *ConsumerTracker) raiseFloor() {
	st := &a.st
	next := st.Delivered
	if len(st.Pending) > 0 {
		lowS, _ := a.low.lowest(st.Pending)
		lowD, _ := a.lowD.lowest(st.Pending)
		next = SeqPair{Consumer: lowD.Consumer - 1, Stream: lowS.Stream - 1}
	}
	st.AckFloor.Consumer = max(st.AckFloor.Consumer, next.Consumer)
	st.AckFloor.Stream = max(st.AckFloor.Stream, next.Stream)
}
