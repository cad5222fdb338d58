package ackstate

// End tells how one delivery attempt ended.
type End uint8

// Attempt endings.
const (
	EndNone    End = iota // still out (or acknowledged)
	EndAckWait            // the ack wait or backoff step passed
	EndNak                // the client NAKed it
	EndTerm               // the client terminated it
)

func (e End) String() string {
	switch e {
	case EndAckWait:
		return "ack_wait"
	case EndNak:
		return "nak"
	case EndTerm:
		return "term"
	}
	return ""
}

// Attempt is one delivery of a message, kept when Config.History > 0.
type Attempt struct {
	At     int64  // delivered (unix nanos)
	Client string // who it went to: the pull request's reply subject or the deliver subject
	End    End
	EndAt  int64
	Delay  int64  // the NAK delay asked for
	Error  string // the error text of a JSON NAK or the TERM reason
}

// recordAttempt starts a new attempt of seq. The first attempt is always
// kept, then the most recent History-1.
func (s *State) recordAttempt(seq uint64, at int64, client string) {
	limit := s.cfg.History
	if limit <= 0 {
		return
	}
	h := s.hist[seq]
	if len(h) >= limit {
		if limit == 1 {
			return // only the first is kept
		}
		h = append(h[:1], h[2:]...)
	}
	s.hist[seq] = append(h, Attempt{At: at, Client: client})
}

// endAttempt records how the last attempt of seq ended.
func (s *State) endAttempt(seq uint64, end End, at, delay int64, errText string) {
	h := s.hist[seq]
	if len(h) == 0 {
		return
	}
	a := &h[len(h)-1]
	if a.End != EndNone {
		return
	}
	a.End, a.EndAt, a.Delay, a.Error = end, at, delay, errText
}

// History returns the attempts remembered for seq (pending, parked or
// dead-lettered), oldest first. The slice must not be modified.
func (s *State) History(seq uint64) []Attempt {
	if dl, ok := s.dead[seq]; ok {
		return dl.History
	}
	return s.hist[seq]
}
