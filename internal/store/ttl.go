package store

import "container/heap"

// TTLEntry is one message's expiry deadline (per-message TTL).
type TTLEntry struct {
	At  int64 // unix nanos when the message expires
	Seq uint64
}

// TTLHeap orders TTL deadlines, earliest first. Stores keep entries of
// removed messages and skip them when they surface, which is cheaper than
// removing them from the middle of the heap.
type TTLHeap []TTLEntry

func (h TTLHeap) Len() int           { return len(h) }
func (h TTLHeap) Less(i, j int) bool { return h[i].At < h[j].At }
func (h TTLHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

// Push and Pop serve container/heap; use Add and Take.
func (h *TTLHeap) Push(x any) { *h = append(*h, x.(TTLEntry)) }

// Pop serves container/heap.
func (h *TTLHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Add records a deadline.
func (h *TTLHeap) Add(e TTLEntry) { heap.Push(h, e) }

// Take removes and returns the earliest deadline; the heap must not be empty.
func (h *TTLHeap) Take() TTLEntry { return heap.Pop(h).(TTLEntry) }

// Peek returns the earliest deadline; the heap must not be empty.
func (h TTLHeap) Peek() TTLEntry { return h[0] }

// Requeue adds back the entries in held (taken while Config.Hold kept their
// message) and empties held.
func (h *TTLHeap) Requeue(held *[]TTLEntry) {
	for _, e := range *held {
		h.Add(e)
	}
	*held = (*held)[:0]
}

// Rebuild restores heap order after the slice was filtered in place.
func (h *TTLHeap) Rebuild() { heap.Init(h) }
