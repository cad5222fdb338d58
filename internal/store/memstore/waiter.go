package memstore

import (
	"sync"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// doneQueue delivers Waiter.Done calls in sequence order without holding the
// store lock, so that Done may read the store.
//
// Appenders push under the store lock (which orders the queue) and then call
// drain. One drainer at a time pops the queue and calls Done with no lock
// held; an appender that finds a drainer running leaves its entry to it. So
// Done may be called from another appender's goroutine, shortly after the
// Append that queued it returned. Lock order: Store.mu, then doneQueue.mu;
// doneQueue.mu is never held while calling Done or waiting for Store.mu.
type doneQueue struct {
	mu       sync.Mutex
	queue    []doneEntry // guarded by mu
	draining bool        // guarded by mu: a goroutine is calling Done
}

type doneEntry struct {
	w   store.Waiter
	seq uint64
}

func (q *doneQueue) push(w store.Waiter, seq uint64) {
	q.mu.Lock()
	q.queue = append(q.queue, doneEntry{w, seq})
	q.mu.Unlock()
}

// drain calls Done for everything queued, unless another goroutine is doing so.
func (q *doneQueue) drain() {
	q.mu.Lock()
	if q.draining {
		q.mu.Unlock()
		return
	}
	q.draining = true
	for len(q.queue) > 0 {
		batch := q.queue
		q.queue = nil
		q.mu.Unlock()
		for _, e := range batch {
			e.w.Done(e.seq, nil)
		}
		q.mu.Lock()
	}
	q.draining = false
	q.mu.Unlock()
}
