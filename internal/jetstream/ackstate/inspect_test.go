package ackstate

import (
	"testing"
	"time"
)

// TestInspect walks one consumer through every status Inspect reports.
func TestInspect(t *testing.T) {
	sec := int64(time.Second)
	s := New(Config{AckPolicy: AckExplicit, AckWait: 30 * time.Second, MaxDeliver: 2, History: 4,
		DeadLetter: DLReasons(0).With(DLTerminated)}, 0)
	s.DeliverTo(1, 0, "c1")
	s.DeliverTo(2, 0, "c1")
	s.DeliverTo(3, 0, "c1")
	s.DeliverTo(4, 0, "c1")
	s.Ack(2)
	s.Nak(3, 0, sec) // queued for redelivery
	s.DeliverTo(3, 2*sec, "c2")
	s.Nak(3, 0, 3*sec) // second delivery of two: parked
	s.TermAt(4, 4*sec, "bad")

	tests := []struct {
		name string
		seq  uint64
		want SeqInfo
	}{
		{"pending", 1, SeqInfo{Status: StatusPending, Deliveries: 1, Consumer: 1, Delivered: 0, Deadline: 30 * sec}},
		{"acked", 2, SeqInfo{Status: StatusAcked}},
		{"parked", 3, SeqInfo{Status: StatusParked, Deliveries: 2}},
		{"undelivered", 5, SeqInfo{Status: StatusUndelivered}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Inspect(tc.seq); got != tc.want {
				t.Fatalf("Inspect(%d) = %+v, want %+v", tc.seq, got, tc.want)
			}
		})
	}
	t.Run("dead_letter_pending", func(t *testing.T) {
		got := s.Inspect(4)
		if got.Status != StatusDeadLetterPending || got.Deliveries != 1 || got.Dead == nil ||
			got.Dead.Reason != DLTerminated || got.Dead.Error != "bad" || got.Dead.At != 4*sec {
			t.Fatalf("Inspect(4) = %+v dead %+v", got, got.Dead)
		}
	})
	t.Run("redelivery_queued", func(t *testing.T) {
		s.Nak(1, 0, 5*sec)
		if got := s.Inspect(1); got.Status != StatusRedeliveryQueued || got.Deliveries != 1 || got.Deadline != 0 {
			t.Fatalf("Inspect(1) = %+v", got)
		}
	})
	t.Run("history kept for parked", func(t *testing.T) {
		h := s.History(3)
		if len(h) != 2 || h[0].Client != "c1" || h[1].Client != "c2" || h[1].End != EndNak {
			t.Fatalf("history %+v", h)
		}
	})
	for st := StatusUndelivered; st <= StatusAcked; st++ {
		if st.String() == "invalid" {
			t.Errorf("status %d has no name", st)
		}
	}
}
