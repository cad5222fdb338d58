package ackstate

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// model is a deliberately simple reference: one status per stream sequence.
type model struct {
	cfg      Config
	status   map[uint64]string // "pending", "queued", "acked", "parked"
	count    map[uint64]uint64
	deadline map[uint64]int64
	next     uint64 // next new stream sequence to deliver
}

func (m *model) wait(count uint64) int64 {
	if n := len(m.cfg.BackOff); n > 0 {
		return int64(m.cfg.BackOff[min(int(count)-1, n-1)])
	}
	return int64(m.cfg.AckWait)
}

func (m *model) exhausted(seq uint64) bool {
	return m.cfg.MaxDeliver > 0 && m.count[seq] >= uint64(m.cfg.MaxDeliver)
}

// TestModel drives State and the model with the same random operations and
// compares what a retention check and consumer info would see after each step.
func TestModel(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		cfg := Config{AckPolicy: AckExplicit, AckWait: time.Duration(1+rng.IntN(5)) * time.Second, MaxDeliver: rng.IntN(4)}
		if rng.IntN(2) == 0 {
			cfg.BackOff = []time.Duration{time.Second, 3 * time.Second}
		}
		st := New(cfg, 0)
		m := &model{cfg: cfg, status: map[uint64]string{}, count: map[uint64]uint64{}, deadline: map[uint64]int64{}, next: 1}
		var now int64
		for step := range 3000 {
			now += int64(rng.IntN(1500)) * int64(time.Millisecond)
			seq := 1 + uint64(rng.IntN(int(m.next)+1))
			switch op := rng.IntN(8); op {
			case 0, 1: // deliver: a queued redelivery first, as the consumer does
				if q, ok := st.NextRedelivery(); ok {
					if m.status[q] != "queued" {
						t.Fatalf("seed %d step %d: redelivers %d in status %q", seed, step, q, m.status[q])
					}
					st.Deliver(q, now)
					m.count[q]++
					m.status[q], m.deadline[q] = "pending", now+m.wait(m.count[q])
					continue
				}
				st.Deliver(m.next, now)
				m.count[m.next] = 1
				m.status[m.next], m.deadline[m.next] = "pending", now+m.wait(1)
				m.next++
			case 2, 3: // ack
				st.Ack(seq)
				if s := m.status[seq]; s == "pending" || s == "queued" || s == "parked" {
					m.status[seq] = "acked"
				}
			case 4: // nak, sometimes with a delay
				delay := int64(rng.IntN(3)) * int64(time.Second)
				st.Nak(seq, delay, now)
				if s := m.status[seq]; s == "pending" || s == "queued" {
					switch {
					case m.exhausted(seq):
						m.status[seq] = "parked"
					case delay == 0:
						m.status[seq] = "queued"
					default:
						m.status[seq], m.deadline[seq] = "pending", now+delay
					}
				}
			case 5: // term
				st.Term(seq)
				if s := m.status[seq]; s != "" && s != "acked" {
					m.status[seq] = "acked"
				}
			case 6, 7: // time passes
				st.Tick(now)
				for q, s := range m.status {
					if s == "pending" && m.deadline[q] <= now {
						if m.exhausted(q) {
							m.status[q] = "parked"
						} else {
							m.status[q] = "queued"
						}
					}
				}
			}
			compare(t, seed, step, st, m)
		}
	}
}

func compare(t *testing.T, seed uint64, step int, st *State, m *model) {
	t.Helper()
	var pending, parked []uint64
	for q := uint64(1); q < m.next; q++ {
		switch m.status[q] {
		case "pending", "queued":
			pending = append(pending, q)
		case "parked":
			parked = append(parked, q)
		}
	}
	if got := st.PendingSeqs(); !slices.Equal(got, pending) {
		t.Fatalf("seed %d step %d: pending %v, model %v", seed, step, got, pending)
	}
	if got := st.ParkedSeqs(); !slices.Equal(got, parked) {
		t.Fatalf("seed %d step %d: parked %v, model %v", seed, step, got, parked)
	}
	for q := uint64(1); q <= m.next; q++ {
		want := q >= m.next || m.status[q] == "pending" || m.status[q] == "queued" || m.status[q] == "parked"
		if st.Holds(q) != want {
			t.Fatalf("seed %d step %d: Holds(%d) = %v, model status %q", seed, step, q, !want, m.status[q])
		}
	}
	floor := st.AckFloor().Stream
	if len(pending) > 0 && floor != pending[0]-1 {
		t.Fatalf("seed %d step %d: ack floor %d with lowest pending %d", seed, step, floor, pending[0])
	}
	if len(pending) == 0 && floor != st.Delivered().Stream {
		t.Fatalf("seed %d step %d: ack floor %d, nothing pending, delivered %d", seed, step, floor, st.Delivered().Stream)
	}
}

// BenchmarkAck100kPending measures one ack, one delivery and the timers with
// 100k messages pending, and reports the heap each pending message costs.
func BenchmarkAck100kPending(b *testing.B) {
	const n = 100_000
	st := New(Config{AckPolicy: AckExplicit, AckWait: time.Minute}, 0)
	for i := uint64(1); i <= n; i++ {
		st.Deliver(i, 0)
	}
	next := uint64(n + 1)
	acked := uint64(1)
	b.ReportAllocs()
	for b.Loop() {
		st.Ack(acked)
		acked++
		st.Deliver(next, 0)
		next++
	}
}
