package ackstate

// timer is a pending message's deadline; gen must match the message's
// current gen, or the entry is stale and skipped.
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

func newTimerHeap() timerHeap { return timerHeap{less: func(a, b timer) bool { return a.at < b.at }} }
func newSeqHeap() seqHeap     { return seqHeap{less: func(a, b uint64) bool { return a < b }} }

// live reports whether a timer entry still belongs to a pending message.
func (s *State) live(t timer) (*pending, bool) {
	p, ok := s.pending[t.seq]
	return p, ok && !p.queued && p.gen == t.gen
}

// NextDeadline is when Tick next has work (0: no timer is set). Stale
// entries are dropped on the way.
func (s *State) NextDeadline() int64 {
	for s.timers.Len() > 0 {
		if _, ok := s.live(s.timers.min()); ok {
			return s.timers.min().at
		}
		s.timers.pop()
	}
	return 0
}

// Tick fires every timer due at now: a message whose ack wait passed is
// queued for redelivery, or parked if it had all its deliveries; a message
// whose Nak delay passed is queued. It returns the parking events.
func (s *State) Tick(now int64) []Event {
	var events []Event
	for s.timers.Len() > 0 && s.timers.min().at <= now {
		t := s.timers.pop()
		p, ok := s.live(t)
		if !ok {
			continue
		}
		s.endAttempt(t.seq, EndAckWait, t.at, 0, "")
		if s.exhausted(p) {
			events = append(events, *s.park(t.seq, p, ReasonAckWait, now))
			continue
		}
		s.enqueue(t.seq, p)
	}
	return events
}

// NextRedelivery returns the lowest stream sequence due for redelivery
// without removing it from the queue; Deliver takes it off.
func (s *State) NextRedelivery() (uint64, bool) {
	for s.queue.Len() > 0 {
		seq := s.queue.min()
		if p, ok := s.pending[seq]; ok && p.queued {
			return seq, true
		}
		s.queue.pop() // acked, terminated, parked or re-armed while queued
	}
	return 0, false
}

// NumRedeliveryQueued counts messages waiting to be redelivered.
func (s *State) NumRedeliveryQueued() int {
	n := 0
	for _, p := range s.pending {
		if p.queued {
			n++
		}
	}
	return n
}
