package ackstate

import "slices"

// Snapshot is the durable form of a State: what the consumer store persists
// and Restore rebuilds from.
type Snapshot struct {
	Delivered SeqPair
	AckFloor  SeqPair
	// Pending maps stream sequence to its last delivery.
	Pending map[uint64]PendingInfo
	// Parked maps stream sequence to its delivery count when parked.
	Parked map[uint64]uint64
	// Dead holds the recorded dead letters whose move is not durable yet.
	Dead map[uint64]DeadLetter
}

// PendingInfo is one pending message in a Snapshot.
type PendingInfo struct {
	Consumer  uint64 // consumer sequence of the last delivery
	Delivered int64  // unix nanos of the last delivery
	Count     uint64 // deliveries so far
}

// Snapshot copies the state for persistence.
func (s *State) Snapshot() Snapshot {
	snap := Snapshot{
		Delivered: s.delivered,
		AckFloor:  s.ackFloor,
		Pending:   make(map[uint64]PendingInfo, len(s.pending)),
		Parked:    make(map[uint64]uint64, len(s.parked)),
	}
	for seq, e := range s.pending {
		snap.Pending[seq] = PendingInfo{Consumer: e.dseq, Delivered: e.delivered, Count: e.count()}
	}
	for seq, n := range s.parked {
		snap.Parked[seq] = n
	}
	if len(s.dead) > 0 {
		snap.Dead = make(map[uint64]DeadLetter, len(s.dead))
		for seq, dl := range s.dead {
			snap.Dead[seq] = *dl
		}
	}
	return snap
}

// Restore rebuilds a State from a snapshot. Every pending message's ack wait
// runs from its recorded delivery time, so a restart neither forgets nor
// postpones redeliveries; parked messages stay parked and recorded dead
// letters stay recorded. Delivery histories of pending messages are not
// part of a snapshot: they restart with the next delivery.
func Restore(cfg Config, snap Snapshot) *State {
	s := New(cfg, snap.AckFloor.Stream)
	s.delivered = snap.Delivered
	s.ackFloor = snap.AckFloor
	seqs := make([]uint64, 0, len(snap.Pending))
	for seq := range snap.Pending {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		pi := snap.Pending[seq]
		e := entry{dseq: pi.Consumer, delivered: pi.Delivered}
		e.setCount(max(pi.Count, 1))
		s.armFirst(seq, &e, s.track(seq), s.deadlineFor(pi.Delivered, e.count()))
		s.pending[seq] = e
	}
	for seq, n := range snap.Parked {
		s.parked[seq] = n
	}
	for seq, dl := range snap.Dead {
		s.dead[seq] = &dl
		if dl.Done {
			s.done++
		}
	}
	return s
}

// ParkedSeqs lists parked stream sequences in order.
func (s *State) ParkedSeqs() []uint64 {
	out := make([]uint64, 0, len(s.parked))
	for seq := range s.parked {
		out = append(out, seq)
	}
	slices.Sort(out)
	return out
}

// PendingSeqs lists pending stream sequences in order.
func (s *State) PendingSeqs() []uint64 {
	out := make([]uint64, 0, len(s.pending))
	for seq := range s.pending {
		out = append(out, seq)
	}
	slices.Sort(out)
	return out
}
