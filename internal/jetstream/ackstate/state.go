package ackstate

import "time"

// AckPolicy is the consumer's ack_policy.
type AckPolicy uint8

// Ack policies.
const (
	AckExplicit AckPolicy = iota
	AckAll
	AckNone
)

// Config is the part of a consumer's configuration this core needs.
type Config struct {
	AckPolicy  AckPolicy
	AckWait    time.Duration   // default 30s when zero
	MaxDeliver int             // <= 0: unlimited
	BackOff    []time.Duration // per delivery count; replaces AckWait when set
	// NakBackoff delays plain NAKs (no delay given) by delivery count.
	NakBackoff []time.Duration
	// DeadLetter selects the endings that dead-letter a message instead of
	// parking it (max deliveries) or dropping it (TERM).
	DeadLetter DLReasons
	// History is how many delivery attempts to remember per message (the
	// first and the most recent); 0 remembers none.
	History int
}

// SeqPair is a consumer sequence and the stream sequence it delivered.
type SeqPair struct {
	Consumer uint64
	Stream   uint64
}

// State is one consumer's acknowledgement state. It is not safe for
// concurrent use: the consumer goroutine owns it.
//
// Memory (issue 5: at most 64 bytes of heap per pending message): a pending
// message is one 24-byte entry stored by value in pending, plus its stream
// sequence in order. Its first ack-wait timer is implied by its place in
// order (see fifo.go); only re-armed timers (redelivery, +WPI, NAK delays)
// take a record in timers.
type State struct {
	cfg       Config
	delivered SeqPair
	ackFloor  SeqPair
	pending   map[uint64]entry
	parked    map[uint64]uint64 // stream seq -> delivery count when parked
	order     seqRing           // pending stream sequences in increasing order (lazily pruned): the ack floor and first-arm timers
	extra     seqHeap           // pending sequences that arrived below order's last one (Reopen), lowest first
	fifo      fifo              // ack waits of the first-arm timers in order
	timers    timerHeap         // deadlines of pending messages armed again (lazily pruned)
	arms      uint32            // generation of the last timer armed (fifo or heap)
	due       []timer           // Tick's scratch list
	queue     seqHeap           // stream sequences due for redelivery, lowest first
	dead      map[uint64]*DeadLetter
	done      int                  // dead letters in dead that are Done
	hist      map[uint64][]Attempt // delivery attempts (Config.History > 0)
}

// New returns the state of a consumer that has delivered nothing, whose
// first stream sequence to deliver is after start (start = first seq - 1).
func New(cfg Config, start uint64) *State {
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	return &State{
		cfg:       cfg,
		delivered: SeqPair{Stream: start},
		ackFloor:  SeqPair{Stream: start},
		pending:   make(map[uint64]entry),
		parked:    make(map[uint64]uint64),
		extra:     newSeqHeap(),
		fifo:      newFifo(),
		timers:    newTimerHeap(),
		queue:     newSeqHeap(),
		dead:      make(map[uint64]*DeadLetter),
		hist:      make(map[uint64][]Attempt),
	}
}

// SetConfig applies a changed configuration (ack wait, max deliver, backoff).
// Deadlines already set keep their time.
func (s *State) SetConfig(cfg Config) {
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	s.cfg = cfg
}

// Delivered is the last delivery: consumer sequence and the highest stream
// sequence delivered so far.
func (s *State) Delivered() SeqPair { return s.delivered }

// AckFloor is the sequence pair below which everything is acknowledged,
// terminated or parked.
func (s *State) AckFloor() SeqPair { return s.ackFloor }

// NumAckPending counts delivered messages awaiting an ack (parked excluded).
func (s *State) NumAckPending() int { return len(s.pending) }

// NumRedelivered counts pending messages delivered more than once.
func (s *State) NumRedelivered() int {
	n := 0
	for _, e := range s.pending {
		if e.count() > 1 {
			n++
		}
	}
	return n
}

// IsPending reports whether seq was delivered and awaits an ack (parked
// messages are not pending).
func (s *State) IsPending(seq uint64) bool {
	_, ok := s.pending[seq]
	return ok
}

// IsParked reports whether seq is parked after max_deliver.
func (s *State) IsParked(seq uint64) bool {
	_, ok := s.parked[seq]
	return ok
}

// Reset forgets every pending, queued and parked message and makes the
// next delivery start after stream sequence start (CONSUMER.RESET). The
// consumer sequence keeps counting. Recorded dead letters stay: their move
// is already decided.
func (s *State) Reset(start uint64) {
	cfg := s.cfg
	dseq := s.delivered.Consumer
	dead, done := s.dead, s.done
	*s = *New(cfg, start)
	s.delivered.Consumer, s.ackFloor.Consumer = dseq, dseq
	s.dead, s.done = dead, done
	s.forgetDone(start)
}

// SkipTo moves the next delivery past stream sequence seq, when a purge
// removed everything up to it (RETENTION.md §6.1): pending and parked
// messages at or below seq are forgotten and the ack floor follows. A
// consumer already past seq is not moved.
func (s *State) SkipTo(seq uint64) {
	if seq <= s.delivered.Stream {
		return
	}
	s.delivered.Stream = seq
	clear(s.pending)
	clear(s.parked)
	clear(s.hist)
	s.forgetDone(seq)
	s.advanceFloor()
}

// DeliveredAt returns when a pending message was last delivered.
func (s *State) DeliveredAt(seq uint64) (int64, bool) {
	e, ok := s.pending[seq]
	if !ok {
		return 0, false
	}
	return e.delivered, true
}

// NumParked counts messages parked after max_deliver.
func (s *State) NumParked() int { return len(s.parked) }

// Holds reports whether the consumer still holds stream sequence seq for
// retention: not yet delivered, delivered and unacknowledged, parked, or
// recorded as a dead letter whose move is not durable yet.
// (Whether seq matches the consumer's filter is the caller's business.)
func (s *State) Holds(seq uint64) bool {
	if dl, ok := s.dead[seq]; ok && dl.Done {
		return false // never delivered, copied to the dead-letter stream
	}
	if seq > s.delivered.Stream {
		return true
	}
	if _, ok := s.pending[seq]; ok {
		return true
	}
	if dl, ok := s.dead[seq]; ok {
		return !dl.Done
	}
	_, ok := s.parked[seq]
	return ok
}

// deadlineFor is when a delivery numbered count times out.
func (s *State) deadlineFor(now int64, count uint64) int64 {
	wait := s.cfg.AckWait
	if n := len(s.cfg.BackOff); n > 0 {
		wait = s.cfg.BackOff[max(min(int(count)-1, n-1), 0)]
	}
	return now + int64(wait)
}

// Deliver records a delivery of stream sequence seq at now and returns its
// consumer sequence and delivery count. A sequence pending redelivery is a
// redelivery; any other is a first delivery (seq above Delivered().Stream).
func (s *State) Deliver(seq uint64, now int64) (dseq, count uint64) {
	return s.DeliverTo(seq, now, "")
}

// DeliverTo is Deliver that also names the client in the message's history.
func (s *State) DeliverTo(seq uint64, now int64, client string) (dseq, count uint64) {
	s.delivered.Consumer++
	dseq = s.delivered.Consumer
	if seq > s.delivered.Stream {
		s.delivered.Stream = seq
		s.forgetDone(seq)
	}
	if s.cfg.AckPolicy == AckNone {
		s.ackFloor = s.delivered
		return dseq, 1
	}
	e, ok := s.pending[seq]
	tail := false
	if !ok {
		tail = s.track(seq)
	}
	e.dseq, e.delivered = dseq, now
	e.meta &^= queuedBit
	e.incCount()
	s.recordAttempt(seq, now, client)
	s.armFirst(seq, &e, tail, s.deadlineFor(now, e.count()))
	s.pending[seq] = e
	// A delivery never moves the ack floor, even when the floor sits below
	// sequences the consumer's filter skipped: nats-server moves it only
	// on acks (observed: a consumer filtered on p.b that got seq 2 reports
	// ack_floor 0 until something is acknowledged).
	return dseq, e.count()
}

// track adds a newly pending seq to the order structures. It reports
// whether seq went to the end of order, where its first timer may be kept
// by the fifo.
func (s *State) track(seq uint64) bool {
	if s.order.pushIfAbove(seq) {
		return true
	}
	s.extra.push(seq)
	return false
}

// armFirst sets the timer of e, whose delivery time is set. A message
// just appended to order (tail) keeps it there when the fifo takes it; any
// other goes to the heap. The caller stores e.
func (s *State) armFirst(seq uint64, e *entry, tail bool, deadline int64) {
	if tail && s.fifo.push(seq, e.delivered, deadline) {
		s.arms = (s.arms + 1) & genMask
		e.setGen(s.arms)
		e.meta = e.meta&^queuedBit | fifoBit
		return
	}
	s.arm(seq, e, deadline)
}

// arm sets a pending message's timer in the heap; the caller stores e.
// Timer records carry a generation unique across the State (not per
// message), so a record left by an earlier life of the same sequence
// never matches.
func (s *State) arm(seq uint64, e *entry, deadline int64) {
	s.arms = (s.arms + 1) & genMask
	e.setGen(s.arms)
	e.meta &^= queuedBit | fifoBit
	s.timers.push(timer{at: deadline, seq: seq, gen: s.arms})
}
