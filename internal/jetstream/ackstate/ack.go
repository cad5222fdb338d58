package ackstate

// Result says what an ack-like operation did.
type Result uint8

// Results of Ack, Nak, Term and Progress.
const (
	Applied  Result = iota // the message was pending (or parked) and the operation took effect
	Unknown                // not pending: never delivered, already acked, or acked by AckAll
	Released               // a parked message was acknowledged or terminated
	Late                   // the message is a recorded dead letter: the ack changes nothing
)

// Ack acknowledges stream sequence seq; under AckAll it acknowledges every
// pending sequence up to seq. It returns what happened to seq itself.
func (s *State) Ack(seq uint64) Result {
	if s.cfg.AckPolicy == AckAll {
		return s.ackAll(seq)
	}
	return s.remove(seq)
}

// Term stops redelivery of seq for good, as an ack does.
func (s *State) Term(seq uint64) Result { return s.remove(seq) }

// TermAt is Term by a client at now, with its reason text: when Config
// dead-letters terminated messages, a pending seq becomes a dead letter
// and the event says so.
func (s *State) TermAt(seq uint64, now int64, reason string) (Result, *Event) {
	if _, ok := s.pending[seq]; ok {
		s.endAttempt(seq, EndTerm, now, 0, reason)
		if s.cfg.DeadLetter.Has(DLTerminated) {
			return Applied, s.deadLetter(seq, DLTerminated, now, reason)
		}
	}
	return s.remove(seq), nil
}

func (s *State) remove(seq uint64) Result {
	if dl, ok := s.dead[seq]; ok {
		if dl.Done { // the stream removed a message the cursor skips
			delete(s.dead, seq)
			s.done--
			return Unknown
		}
		return Late
	}
	if _, ok := s.parked[seq]; ok {
		delete(s.parked, seq)
		delete(s.hist, seq)
		return Released
	}
	if _, ok := s.pending[seq]; !ok {
		return Unknown
	}
	delete(s.pending, seq) // its timer record, if any, is now stale
	delete(s.hist, seq)
	s.advanceFloorPast(seq)
	return Applied
}

func (s *State) ackAll(seq uint64) Result {
	res := Unknown
	if _, ok := s.pending[seq]; ok {
		res = Applied
	} else if _, ok := s.parked[seq]; ok {
		res = Released
	} else if _, ok := s.dead[seq]; ok {
		res = Late
	}
	for s.order.len() > 0 && s.order.front() <= seq {
		s.dropPending(s.order.front())
		s.order.popFront()
	}
	for s.extra.Len() > 0 && s.extra.min() <= seq {
		s.dropPending(s.extra.pop())
	}
	for q := range s.parked {
		if q <= seq {
			delete(s.parked, q)
			delete(s.hist, q)
		}
	}
	if seq > s.ackFloor.Stream && seq <= s.delivered.Stream {
		s.advanceFloor()
	}
	return res
}

// Nak asks for redelivery of seq after delay (0: at once, or the
// NakBackoff step). On the message's last allowed delivery it parks (or
// dead-letters) the message instead and reports an event.
func (s *State) Nak(seq uint64, delay int64, now int64) (Result, *Event) {
	return s.NakWithError(seq, delay, now, "")
}

// NakWithError is Nak with the error text a JSON NAK carried, kept in the
// message's history.
func (s *State) NakWithError(seq uint64, delay int64, now int64, errText string) (Result, *Event) {
	e, ok := s.pending[seq]
	if !ok {
		if _, dead := s.dead[seq]; dead {
			return Late, nil
		}
		return Unknown, nil
	}
	if n := len(s.cfg.NakBackoff); delay <= 0 && n > 0 {
		delay = int64(s.cfg.NakBackoff[max(min(int(e.count())-1, n-1), 0)])
	}
	s.endAttempt(seq, EndNak, now, delay, errText)
	if s.exhausted(e) {
		return Applied, s.park(seq, e, ReasonNak, now)
	}
	if delay <= 0 {
		s.enqueue(seq, &e)
	} else {
		s.arm(seq, &e, now+delay)
	}
	s.pending[seq] = e
	return Applied, nil
}

// Progress (+WPI) restarts the ack-wait clock of a pending message.
func (s *State) Progress(seq uint64, now int64) Result {
	e, ok := s.pending[seq]
	if !ok || e.queued() {
		return Unknown
	}
	s.arm(seq, &e, s.deadlineFor(now, e.count()))
	s.pending[seq] = e
	return Applied
}

func (s *State) exhausted(e entry) bool {
	return s.cfg.MaxDeliver > 0 && e.count() >= uint64(s.cfg.MaxDeliver)
}

// enqueue queues seq for redelivery; the caller stores e. A queued message
// has no timer: its records are stale.
func (s *State) enqueue(seq uint64, e *entry) {
	e.meta = e.meta&^fifoBit | queuedBit
	s.queue.push(seq)
}

// dropPending forgets seq if it is pending (AckAll).
func (s *State) dropPending(seq uint64) {
	if _, ok := s.pending[seq]; ok {
		delete(s.pending, seq)
		delete(s.hist, seq)
	}
}

// park moves seq from pending to parked, or to the dead letters when
// Config dead-letters max deliveries.
func (s *State) park(seq uint64, e entry, why ParkReason, now int64) *Event {
	if s.cfg.DeadLetter.Has(DLMaxDeliveries) {
		ev := s.deadLetter(seq, DLMaxDeliveries, now, "")
		ev.Kind, ev.Reason = EventMaxDeliveries, why
		return ev
	}
	delete(s.pending, seq)
	s.parked[seq] = e.count()
	s.advanceFloor()
	return &Event{Kind: EventMaxDeliveries, Seq: seq, Deliveries: e.count(), Reason: why}
}

// advanceFloor moves the ack floor to just below the lowest pending stream
// sequence, or to the last delivery when nothing is pending. Parked messages
// do not hold it back (nats-server reports the same floor); Holds keeps them.
func (s *State) advanceFloor() {
	if len(s.pending) == 0 {
		s.ackFloor = s.delivered
		s.clearOrder()
		return
	}
	low := s.lowestPending()
	if low-1 > s.ackFloor.Stream {
		s.ackFloor = SeqPair{Stream: low - 1, Consumer: s.pending[low].dseq - 1}
	}
	s.compactOrder()
}

// advanceFloorPast is advanceFloor after seq stopped being pending through
// an ack or TERM: like nats-server, the floor moves only when seq was the
// lowest pending message (or the last one). Acknowledging a message above
// another pending one leaves the floor where it is, even when sequences the
// consumer's filter skipped lie between the floor and the lowest pending.
func (s *State) advanceFloorPast(seq uint64) {
	if len(s.pending) == 0 || seq < s.lowestPending() {
		s.advanceFloor()
		return
	}
	s.compactOrder()
}

// compactOrder drops acknowledged sequences from order once they are most
// of it (order keeps them until they reach its front): O(1) amortised per
// ack.
func (s *State) compactOrder() {
	if s.order.len() > 2*len(s.pending)+1024 {
		s.order.filter(func(q uint64) bool {
			_, ok := s.pending[q]
			return ok
		})
	}
}

// lowestPending returns the lowest pending sequence (pending is not
// empty). order and extra hold every pending sequence, and some no longer
// pending, dropped here lazily: amortised O(1) for order, O(log n) for the
// rare extra.
func (s *State) lowestPending() uint64 {
	for s.order.len() > 0 {
		if _, ok := s.pending[s.order.front()]; ok {
			break
		}
		s.order.popFront()
	}
	for s.extra.Len() > 0 {
		if _, ok := s.pending[s.extra.min()]; ok {
			break
		}
		s.extra.pop()
	}
	switch {
	case s.order.len() == 0:
		return s.extra.min()
	case s.extra.Len() == 0:
		return s.order.front()
	}
	return min(s.order.front(), s.extra.min())
}

// clearOrder empties the sequence and timer structures once nothing is
// pending: every record left in them is stale.
func (s *State) clearOrder() {
	s.order.reset()
	s.extra.reset()
	s.fifo.reset()
	s.timers.reset()
	s.queue.reset()
}

func (r Result) String() string {
	switch r {
	case Applied:
		return "applied"
	case Unknown:
		return "unknown"
	case Released:
		return "released"
	case Late:
		return "late"
	}
	return "invalid"
}
