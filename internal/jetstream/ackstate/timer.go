package ackstate

import (
	"cmp"
	"slices"
)

// timer is a deadline of a pending message armed again (see fifo.go for
// first timers); gen must match the message's entry, or the record is stale
// and skipped.
type timer struct {
	at  int64
	seq uint64
	gen uint32
}

// minHeap is a binary min-heap written for concrete element types, so that
// pushing does not box values into interfaces (container/heap allocates per
// push, which an ack path cannot afford).
type minHeap[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (h *minHeap[T]) Len() int { return len(h.items) }
func (h *minHeap[T]) min() T   { return h.items[0] }

func (h *minHeap[T]) push(v T) {
	h.items = append(h.items, v)
	i := len(h.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(h.items[i], h.items[parent]) {
			break
		}
		h.items[i], h.items[parent] = h.items[parent], h.items[i]
		i = parent
	}
}

func (h *minHeap[T]) pop() T {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l, r, small := 2*i+1, 2*i+2, i
		if l < last && h.less(h.items[l], h.items[small]) {
			small = l
		}
		if r < last && h.less(h.items[r], h.items[small]) {
			small = r
		}
		if small == i {
			return top
		}
		h.items[i], h.items[small] = h.items[small], h.items[i]
		i = small
	}
}

func (h *minHeap[T]) reset() { h.items = h.items[:0] }

type (
	timerHeap = minHeap[timer]
	seqHeap   = minHeap[uint64]
)

// Timers due at the same time fire in stream sequence order.
func newTimerHeap() timerHeap {
	return timerHeap{less: func(a, b timer) bool { return a.at < b.at || a.at == b.at && a.seq < b.seq }}
}
func newSeqHeap() seqHeap { return seqHeap{less: func(a, b uint64) bool { return a < b }} }

// heapHead returns the earliest live record in timers, dropping stale ones.
func (s *State) heapHead() (timer, bool) {
	for s.timers.Len() > 0 {
		t := s.timers.min()
		if e, ok := s.pending[t.seq]; ok && e.heapArmed() && e.gen() == t.gen {
			return t, true
		}
		s.timers.pop()
	}
	return timer{}, false
}

// nextTimer returns the earliest live timer, first timers and heap
// records merged (ties in stream sequence order), and whether it is a
// first timer.
func (s *State) nextTimer() (t timer, first, ok bool) {
	ht, hok := s.heapHead()
	fseq, fat, fok := s.fifoHead()
	switch {
	case fok && (!hok || fat < ht.at || fat == ht.at && fseq < ht.seq):
		return timer{at: fat, seq: fseq}, true, true
	case hok:
		return ht, false, true
	}
	return timer{}, false, false
}

// NextDeadline is when Tick next has work (0: no timer is set). Stale
// entries are dropped on the way.
func (s *State) NextDeadline() int64 {
	t, _, ok := s.nextTimer()
	if !ok {
		return 0
	}
	return t.at
}

// Tick fires every timer due at now: a message whose ack wait passed is
// queued for redelivery, or parked if it had all its deliveries; a message
// whose Nak delay passed is queued. It returns the parking events.
func (s *State) Tick(now int64) []Event {
	var events []Event
	for {
		t, _, ok := s.nextTimer()
		if !ok || t.at > now {
			return events
		}
		for _, d := range s.takeDue(t.at) {
			if ev := s.fire(d, now); ev != nil {
				events = append(events, *ev)
			}
		}
	}
}

// takeDue removes every live timer due at exactly at and returns them in
// stream-sequence order, the order their events are reported in.
func (s *State) takeDue(at int64) []timer {
	due := s.due[:0]
	for {
		t, first, ok := s.nextTimer()
		if !ok || t.at != at {
			break
		}
		if first {
			s.order.cur++
		} else {
			s.timers.pop()
		}
		t.gen = s.pending[t.seq].gen()
		due = append(due, t)
	}
	if len(due) > 1 {
		slices.SortFunc(due, func(a, b timer) int { return cmp.Compare(a.seq, b.seq) })
	}
	s.due = due
	return due
}

// fire expires the timer of pending message t.seq at now.
func (s *State) fire(t timer, now int64) *Event {
	e := s.pending[t.seq]
	s.endAttempt(t.seq, EndAckWait, t.at, 0, "")
	if s.exhausted(e) {
		return s.park(t.seq, e, ReasonAckWait, now)
	}
	s.enqueue(t.seq, &e)
	s.pending[t.seq] = e
	return nil
}

// NextRedelivery returns the lowest stream sequence due for redelivery
// without removing it from the queue; Deliver takes it off.
func (s *State) NextRedelivery() (uint64, bool) {
	for s.queue.Len() > 0 {
		seq := s.queue.min()
		if e, ok := s.pending[seq]; ok && e.queued() {
			return seq, true
		}
		s.queue.pop() // acked, terminated, parked or re-armed while queued
	}
	return 0, false
}

// NumRedeliveryQueued counts messages waiting to be redelivered.
func (s *State) NumRedeliveryQueued() int {
	n := 0
	for _, e := range s.pending {
		if e.queued() {
			n++
		}
	}
	return n
}
