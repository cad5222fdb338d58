package ackstate

import "math"

// The ack waits of one consumer are mostly equal, and first deliveries come
// in increasing stream sequence and (mostly) increasing time, so the first
// timers of messages in State.order expire in that order: order itself, with
// a cursor, is their timer queue, and no per-message record is needed. A
// first timer that would expire before one already queued (the clock went
// back, or SetConfig shortened the ack wait) goes to the timer heap instead,
// as do all later timers of a message (redelivery, +WPI, NAK delays).

// seqRing is a queue of strictly increasing stream sequences, read from
// head, with a second read position cur (head <= cur <= len(buf)): the
// first-timer cursor.
type seqRing struct {
	buf  []uint64
	head int
	cur  int
}

func (r *seqRing) len() int      { return len(r.buf) - r.head }
func (r *seqRing) front() uint64 { return r.buf[r.head] }

// pushIfAbove appends seq when it is above every sequence in the ring.
func (r *seqRing) pushIfAbove(seq uint64) bool {
	if n := len(r.buf); n > r.head && r.buf[n-1] >= seq {
		return false
	}
	r.buf = append(r.buf, seq)
	return true
}

func (r *seqRing) popFront() {
	r.head++
	r.cur = max(r.cur, r.head)
	switch {
	case r.head == len(r.buf):
		r.buf, r.head, r.cur = r.buf[:0], 0, 0
	case r.head >= 1024 && 2*r.head >= len(r.buf):
		// Move the live part down once half the buffer is dead: each
		// element moves at most once per pop, O(1) amortised.
		n := copy(r.buf, r.buf[r.head:])
		r.buf, r.cur, r.head = r.buf[:n], r.cur-r.head, 0
	}
}

// reset empties the ring, giving a large buffer back to the heap.
func (r *seqRing) reset() {
	if cap(r.buf) > 1<<12 {
		r.buf = nil
	}
	r.buf, r.head, r.cur = r.buf[:0], 0, 0
}

// filter keeps the sequences keep accepts, in order, and moves cur along.
func (r *seqRing) filter(keep func(uint64) bool) {
	w, cur := 0, -1
	for i := r.head; i < len(r.buf); i++ {
		if i == r.cur {
			cur = w
		}
		if keep(r.buf[i]) {
			r.buf[w] = r.buf[i]
			w++
		}
	}
	if cur < 0 {
		cur = w
	}
	r.buf, r.head, r.cur = r.buf[:w], 0, cur
	if cap(r.buf) > 4*(w+1024) {
		r.buf = append(make([]uint64, 0, w+w/4), r.buf...)
	}
}

// fifoWait says that first timers of sequences from on (up to the next
// fifoWait) expire wait after their delivery.
type fifoWait struct {
	from uint64
	wait int64
}

// fifo holds the ack waits of the first timers in State.order: usually
// one, a new one whenever the wait changes (SetConfig, or Restore of
// messages with different delivery counts under BackOff).
type fifo struct {
	waits []fifoWait
	last  int64 // the latest deadline queued
}

func newFifo() fifo { return fifo{last: math.MinInt64} }

// push queues the first timer of seq, just appended to State.order and
// delivered at delivered. It reports false, queueing nothing, when the
// deadline is earlier than one already queued.
func (f *fifo) push(seq uint64, delivered, deadline int64) bool {
	if deadline < f.last {
		return false
	}
	w := deadline - delivered
	if n := len(f.waits); n == 0 || f.waits[n-1].wait != w {
		f.waits = append(f.waits, fifoWait{from: seq, wait: w})
	}
	f.last = deadline
	return true
}

// waitAt is the wait of the first timer of seq, the lowest sequence with a
// first timer: waits of lower sequences are dropped.
func (f *fifo) waitAt(seq uint64) int64 {
	for len(f.waits) > 1 && f.waits[1].from <= seq {
		f.waits = f.waits[1:]
	}
	return f.waits[0].wait
}

func (f *fifo) reset() {
	f.waits, f.last = f.waits[:0], math.MinInt64
}

// fifoHead returns the first live first timer (pending, flagged fifo),
// moving the cursor past dead ones.
func (s *State) fifoHead() (seq uint64, at int64, ok bool) {
	r := &s.order
	for r.cur < len(r.buf) {
		seq := r.buf[r.cur]
		if e, ok := s.pending[seq]; ok && e.fifo() {
			return seq, e.delivered + s.fifo.waitAt(seq), true
		}
		r.cur++
	}
	s.fifo.reset() // no first timer left: later ones may start anywhere
	return 0, 0, false
}
