package ackstate

import "slices"

// DLReason says why a message is dead-lettered.
type DLReason uint8

// Dead-letter reasons (the Holdfast-Dlq-Reason header values).
const (
	DLMaxDeliveries DLReason = iota + 1 // NAK or ack-wait expiry on the last allowed delivery
	DLTerminated                        // +TERM
	DLExpired                           // max_age or a per-message TTL would remove an owed message
	DLMaxLen                            // max_msgs, max_bytes or a per-subject limit would remove it
	DLManual                            // an operator moved a parked message
)

var dlNames = [...]string{"", "max_deliveries", "terminated", "expired", "maxlen", "manual"}

func (r DLReason) String() string {
	if int(r) < len(dlNames) && r > 0 {
		return dlNames[r]
	}
	return "unknown"
}

// ParseDLReason reads a reason name.
func ParseDLReason(s string) (DLReason, bool) {
	for i, n := range dlNames {
		if i > 0 && n == s {
			return DLReason(i), true
		}
	}
	return 0, false
}

// DLReasons is a set of dead-letter reasons.
type DLReasons uint8

// Has reports whether r is in the set.
func (rs DLReasons) Has(r DLReason) bool { return rs&(1<<r) != 0 }

// With returns the set with r added.
func (rs DLReasons) With(r DLReason) DLReasons { return rs | 1<<r }

// DeadLetter is a message the consumer gave up on and recorded for its
// dead-letter stream. It is neither pending nor redelivered any more, and
// it does not hold the ack floor back, but Holds reports it until
// DeadLettered says its copy in the dead-letter stream is durable: the
// source keeps it until then.
type DeadLetter struct {
	Reason     DLReason
	Deliveries uint64
	Consumer   uint64 // consumer sequence of the last delivery (0: never delivered)
	At         int64  // when the consumer gave up
	Error      string // the TERM reason, or the error of the last NAK
	History    []Attempt
	// Undelivered marks a message the consumer never delivered (a limit
	// was about to remove it): the consumer must not deliver it later.
	// Done marks such a dead letter whose copy is durable: it is kept only
	// so the delivery cursor skips it, until the cursor passes it or the
	// stream removes it.
	Undelivered, Done bool
}

// deadLetter moves seq (pending, parked or not delivered) to the dead
// letters and returns the event to report.
func (s *State) deadLetter(seq uint64, why DLReason, now int64, errText string) *Event {
	dl := &DeadLetter{Reason: why, At: now, Error: errText}
	if e, ok := s.pending[seq]; ok {
		delete(s.pending, seq)
		dl.Deliveries, dl.Consumer = e.count(), e.dseq
	} else if n, ok := s.parked[seq]; ok {
		delete(s.parked, seq)
		dl.Deliveries = n
	}
	if h := s.hist[seq]; len(h) > 0 {
		dl.History = h
		delete(s.hist, seq)
		if dl.Error == "" {
			dl.Error = h[len(h)-1].Error
		}
	}
	s.dead[seq] = dl
	s.advanceFloor()
	return &Event{Kind: EventDeadLetter, Seq: seq, Deliveries: dl.Deliveries, Dead: why}
}

// DeadLetterOwed records seq as a dead letter because a limit is about to
// remove it (reasons expired and maxlen): a pending or parked message, or
// one not delivered yet (above Delivered().Stream), which the consumer then
// never delivers (Skip). It reports whether seq became a dead letter; a
// message already acknowledged or already a dead letter does not.
func (s *State) DeadLetterOwed(seq uint64, why DLReason, now int64) bool {
	if _, ok := s.dead[seq]; ok || s.cfg.AckPolicy == AckNone {
		return false
	}
	_, pending := s.pending[seq]
	_, parked := s.parked[seq]
	switch {
	case pending || parked:
		s.deadLetter(seq, why, now, "")
	case seq > s.delivered.Stream:
		s.dead[seq] = &DeadLetter{Reason: why, At: now, Undelivered: true}
	default:
		return false
	}
	return true
}

// Skip reports whether the delivery cursor must pass over seq: a message
// never delivered that became a dead letter.
func (s *State) Skip(seq uint64) bool {
	dl, ok := s.dead[seq]
	return ok && dl.Undelivered
}

// IsDeadLetter reports whether seq is a recorded dead letter whose copy is
// not durable yet.
func (s *State) IsDeadLetter(seq uint64) bool {
	dl, ok := s.dead[seq]
	return ok && !dl.Done
}

// forgetDone drops done dead letters at or below seq (the cursor passed
// them).
func (s *State) forgetDone(seq uint64) {
	if s.done == 0 {
		return
	}
	for q, dl := range s.dead {
		if dl.Done && q <= seq {
			delete(s.dead, q)
			s.done--
		}
	}
}

// DeadLetterParked moves a parked message to the dead letters (reason
// manual). It reports whether seq was parked.
func (s *State) DeadLetterParked(seq uint64, now int64) bool {
	if _, ok := s.parked[seq]; !ok {
		return false
	}
	s.deadLetter(seq, DLManual, now, "")
	return true
}

// DeadLettered records that the dead letter of seq is durable in the
// dead-letter stream: the consumer lets go of seq. It reports whether seq
// was a recorded dead letter.
func (s *State) DeadLettered(seq uint64) bool {
	dl, ok := s.dead[seq]
	if !ok || dl.Done {
		return false
	}
	if dl.Undelivered && seq > s.delivered.Stream {
		dl.Done = true // still skipped by the cursor
		s.done++
		return true
	}
	delete(s.dead, seq)
	return true
}

// DeadLetterOf returns the dead letter recorded for seq, if its copy is not
// durable yet.
func (s *State) DeadLetterOf(seq uint64) (DeadLetter, bool) {
	dl, ok := s.dead[seq]
	if !ok || dl.Done {
		return DeadLetter{}, false
	}
	return *dl, true
}

// DeadLetterSeqs lists the recorded dead letters not yet durable, in order.
func (s *State) DeadLetterSeqs() []uint64 {
	out := make([]uint64, 0, len(s.dead)-s.done)
	for seq, dl := range s.dead {
		if !dl.Done {
			out = append(out, seq)
		}
	}
	slices.Sort(out)
	return out
}

// NumDeadLetters counts dead letters recorded and not yet durable.
func (s *State) NumDeadLetters() int { return len(s.dead) - s.done }

// Reopen makes an already delivered sequence pending again, due for
// redelivery at once with its delivery count reset (a redrive in reopen
// mode). A message still pending or recorded as a dead letter is not
// reopened; a parked one is. The ack floor moves below seq.
func (s *State) Reopen(seq uint64) bool {
	if seq == 0 || seq > s.delivered.Stream || s.cfg.AckPolicy == AckNone {
		return false
	}
	if _, ok := s.pending[seq]; ok {
		return false
	}
	if _, ok := s.dead[seq]; ok {
		return false
	}
	delete(s.parked, seq)
	delete(s.hist, seq)
	var e entry
	s.track(seq)
	s.enqueue(seq, &e)
	s.pending[seq] = e
	if seq-1 < s.ackFloor.Stream {
		s.ackFloor.Stream = seq - 1
	}
	return true
}
