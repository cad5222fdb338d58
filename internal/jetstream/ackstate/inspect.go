package ackstate

// Status is where one stream sequence stands for a consumer
// ($HF.API.CONSUMER.MSG.STATE).
type Status uint8

// Statuses of a stream sequence.
const (
	StatusUndelivered       Status = iota // above the last delivery
	StatusPending                         // delivered, awaiting an ack (ack-wait or NAK-delay timer running)
	StatusRedeliveryQueued                // pending and due for redelivery now
	StatusParked                          // max_deliver reached, no dead-letter stream for it
	StatusDeadLetterPending               // recorded as a dead letter, its copy not durable yet
	StatusAcked                           // delivered and no longer held: acked, terminated, moved or gone
)

var statusNames = [...]string{"undelivered", "pending", "redelivery_queued", "parked", "dead_letter_pending", "acked"}

func (st Status) String() string {
	if int(st) < len(statusNames) {
		return statusNames[st]
	}
	return "invalid"
}

// SeqInfo is what the state knows about one stream sequence.
type SeqInfo struct {
	Status     Status
	Deliveries uint64 // deliveries so far (pending, parked, dead letter); 0 when not known
	Consumer   uint64 // consumer sequence of the last delivery (pending, dead letter)
	Delivered  int64  // unix nanos of the last delivery (pending only)
	Deadline   int64  // when its ack-wait or NAK-delay timer fires (pending, not queued)
	// Dead is the recorded dead letter (StatusDeadLetterPending).
	Dead *DeadLetter
}

// Inspect reports the status of stream sequence seq. It changes nothing.
func (s *State) Inspect(seq uint64) SeqInfo {
	if p, ok := s.pending[seq]; ok {
		info := SeqInfo{Status: StatusPending, Deliveries: p.count(), Consumer: p.dseq, Delivered: p.delivered}
		if p.queued() {
			info.Status = StatusRedeliveryQueued
		} else {
			info.Deadline = s.deadlineOf(seq, p)
		}
		return info
	}
	if n, ok := s.parked[seq]; ok {
		return SeqInfo{Status: StatusParked, Deliveries: n}
	}
	if dl, ok := s.dead[seq]; ok {
		cp := *dl
		return SeqInfo{Status: StatusDeadLetterPending, Deliveries: dl.Deliveries, Consumer: dl.Consumer, Dead: &cp}
	}
	if seq > s.delivered.Stream {
		return SeqInfo{Status: StatusUndelivered}
	}
	return SeqInfo{Status: StatusAcked}
}

// deadlineOf returns when the timer of pending, not queued entry e (of seq)
// fires: a first timer from its place in order, any other from its live
// record in the heap. It scans, so it serves inspection, not delivery.
func (s *State) deadlineOf(seq uint64, e entry) int64 {
	if e.fifo() {
		var wait int64
		for _, w := range s.fifo.waits {
			if w.from <= seq {
				wait = w.wait
			}
		}
		return e.delivered + wait
	}
	for _, t := range s.timers.items {
		if t.seq == seq && t.gen == e.gen() {
			return t.at
		}
	}
	return 0
}
