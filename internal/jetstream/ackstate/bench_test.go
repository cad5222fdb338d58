package ackstate

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var benchSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkDeliverAck keeps n messages pending: each op delivers the next
// stream sequence and acks one pending message, the oldest (in-order) or
// one picked at random (random). ns/op should not grow with n.
func BenchmarkDeliverAck(b *testing.B) {
	for _, order := range []string{"in-order", "random"} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/pending=%d", order, n), func(b *testing.B) {
				st := New(Config{AckPolicy: AckExplicit, AckWait: time.Hour}, 0)
				window := make([]uint64, n) // pending sequences (random order only)
				for i := range n {
					seq := uint64(i + 1)
					st.Deliver(seq, int64(seq))
					window[i] = seq
				}
				rng := rand.New(rand.NewPCG(1, 2))
				next, oldest := uint64(n+1), uint64(1)
				b.ReportAllocs()
				for b.Loop() {
					if order == "in-order" {
						st.Ack(oldest)
						oldest++
					} else {
						i := rng.IntN(n)
						st.Ack(window[i])
						window[i] = next
					}
					st.Deliver(next, int64(next))
					next++
				}
				if st.NumAckPending() != n {
					b.Fatalf("pending %d, want %d", st.NumAckPending(), n)
				}
			})
		}
	}
}

// BenchmarkTickRedeliver keeps n messages pending whose ack waits expire one
// per nanosecond: each op advances the clock, fires one timer with Tick and
// redelivers the message, which arms it again. ns/op should not grow with n.
func BenchmarkTickRedeliver(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			st := New(Config{AckPolicy: AckExplicit, AckWait: time.Duration(n)}, 0)
			for i := range n {
				st.Deliver(uint64(i+1), int64(i))
			}
			now := int64(n - 1)
			b.ReportAllocs()
			for b.Loop() {
				now++
				if ev := st.Tick(now); len(ev) != 0 {
					b.Fatal("unexpected event")
				}
				seq, ok := st.NextRedelivery()
				if !ok {
					b.Fatal("nothing to redeliver")
				}
				st.Deliver(seq, now)
			}
			if st.NumAckPending() != n {
				b.Fatalf("pending %d, want %d", st.NumAckPending(), n)
			}
		})
	}
}
