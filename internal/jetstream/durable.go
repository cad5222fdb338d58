package jetstream

import (
	"sync"
	"sync/atomic"
)

// durableMark is the highest sequence the store reported durable. Every
// append passes a Waiter that advances it, so a duplicate publish (whose
// original may still be on its way to disk) is acknowledged only once the
// original is durable.
type durableMark struct {
	mu      sync.Mutex
	seq     uint64
	waiting []durableWait
}

type durableWait struct {
	seq uint64
	fn  func(error)
}

// Done implements store.Waiter for appends nobody waits on.
func (d *durableMark) Done(seq uint64, err error) {
	d.mu.Lock()
	if err == nil && seq > d.seq {
		d.seq = seq
	}
	var ready []durableWait
	keep := d.waiting[:0]
	for _, w := range d.waiting {
		if w.seq <= seq {
			ready = append(ready, w)
		} else {
			keep = append(keep, w)
		}
	}
	d.waiting = keep
	d.mu.Unlock()
	for _, w := range ready {
		w.fn(err)
	}
}

// set records that everything up to seq is durable (after recovery).
func (d *durableMark) set(seq uint64) {
	d.mu.Lock()
	d.seq = max(d.seq, seq)
	d.mu.Unlock()
}

// whenDurable calls fn once seq is durable: now, or from a later Done.
func (d *durableMark) whenDurable(seq uint64, fn func(error)) {
	d.mu.Lock()
	if seq <= d.seq {
		d.mu.Unlock()
		fn(nil)
		return
	}
	d.waiting = append(d.waiting, durableWait{seq: seq, fn: fn})
	d.mu.Unlock()
}

// ackWaiter sends the PubAck of one publish once the store reports it
// durable. memstore reports durability inside Append, while the stream
// lock is held; publishing from there could re-enter the stream (a reply
// subject that is also a stream subject), so an inline Done only records
// the result and the publisher sends the ack after unlocking (release).
type ackWaiter struct {
	st    *stream
	reply string
	state atomic.Int32
	seq   uint64
	err   error
}

const (
	ackInline     int32 = iota // Append has not returned yet
	ackDoneInline              // Done ran before release: release sends
	ackReleased                // release ran first: Done sends
)

// Done sends the ack (unless Append has not returned yet), then releases
// the duplicates waiting for this sequence, so acks go out in order.
func (w *ackWaiter) Done(seq uint64, err error) {
	w.seq, w.err = seq, err
	if w.state.CompareAndSwap(ackInline, ackDoneInline) {
		w.st.durable.Done(seq, err)
		return
	}
	w.st.sendAck(w.reply, seq, false, err)
	w.st.durable.Done(seq, err)
}

// release is called by the publisher after unlocking the stream.
func (w *ackWaiter) release() {
	if w.state.CompareAndSwap(ackInline, ackReleased) {
		return
	}
	w.st.sendAck(w.reply, w.seq, false, w.err)
}
