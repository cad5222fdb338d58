package ackstate

// entry is one delivered, unacknowledged stream sequence, stored by value in
// State.pending (24 bytes: no pointer for the garbage collector to chase).
type entry struct {
	dseq      uint64 // consumer sequence of the last delivery
	delivered int64  // when it was last delivered (unix nanos)
	// meta packs the delivery count (bits 0-31, saturating), the generation
	// of its timer record in State.timers (bits 32-61), and two flags: fifo
	// (its timer is its first one, kept by its place in State.order) and
	// queued (due for redelivery, no timer). An entry with neither flag has
	// a timer record in State.timers.
	meta uint64
}

const (
	countMask = 1<<32 - 1
	genShift  = 32
	genMask   = 1<<30 - 1
	fifoBit   = 1 << 62
	queuedBit = 1 << 63
)

// maxCount is the highest delivery count an entry holds; it would take four
// billion deliveries of one message to reach it.
const maxCount = countMask

func (e entry) count() uint64 { return e.meta & countMask }
func (e entry) gen() uint32   { return uint32(e.meta >> genShift & genMask) }
func (e entry) queued() bool  { return e.meta&queuedBit != 0 }
func (e entry) fifo() bool    { return e.meta&fifoBit != 0 }

// heapArmed reports whether the entry's timer is a record in State.timers.
func (e entry) heapArmed() bool { return e.meta&(queuedBit|fifoBit) == 0 }

func (e *entry) incCount() {
	if e.count() < maxCount {
		e.meta++
	}
}

func (e *entry) setCount(n uint64) {
	e.meta = e.meta&^countMask | min(n, maxCount)
}

func (e *entry) setGen(g uint32) {
	e.meta = e.meta&^(genMask<<genShift) | uint64(g&genMask)<<genShift
}
