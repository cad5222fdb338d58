package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// consumerModel applies the consumer rules (consumer.go) the plain way: the
// floor is recomputed from scratch after every explicit ack or park.
type consumerModel struct{ st store.ConsumerState }

func newConsumerModel() *consumerModel {
	return &consumerModel{st: store.ConsumerState{Pending: map[uint64]store.Pending{},
		Redelivered: map[uint64]uint64{}, Parked: map[uint64]struct{}{}}}
}

func (m *consumerModel) delivered(d, s, dc uint64, ts int64) {
	st := &m.st
	st.Delivered.Consumer = max(st.Delivered.Consumer, d)
	st.Delivered.Stream = max(st.Delivered.Stream, s)
	if s <= st.AckFloor.Stream {
		return
	}
	st.Pending[s] = store.Pending{Consumer: d, Time: ts}
	if dc > 1 {
		st.Redelivered[s] = max(st.Redelivered[s], dc)
	}
}

func (m *consumerModel) acked(d, s uint64, all bool) {
	st := &m.st
	if s <= st.AckFloor.Stream {
		return
	}
	if all {
		maps.DeleteFunc(st.Pending, func(k uint64, _ store.Pending) bool { return k <= s })
		maps.DeleteFunc(st.Redelivered, func(k, _ uint64) bool { return k <= s })
		maps.DeleteFunc(st.Parked, func(k uint64, _ struct{}) bool { return k <= s })
		for _, p := range st.Pending {
			d = min(d, p.Consumer-1)
		}
		st.AckFloor = store.SeqPair{Consumer: max(st.AckFloor.Consumer, d), Stream: s}
		return
	}
	delete(st.Pending, s)
	delete(st.Redelivered, s)
	delete(st.Parked, s)
	m.floor()
}

func (m *consumerModel) parked(s uint64) {
	delete(m.st.Pending, s)
	m.st.Parked[s] = struct{}{}
	m.floor()
}

func (m *consumerModel) floor() {
	st := &m.st
	if len(st.Pending) == 0 {
		st.AckFloor.Consumer = max(st.AckFloor.Consumer, st.Delivered.Consumer)
		st.AckFloor.Stream = max(st.AckFloor.Stream, st.Delivered.Stream)
		return
	}
	var lowS, lowD uint64
	for s, p := range st.Pending {
		if lowS == 0 || s < lowS {
			lowS = s
		}
		if lowD == 0 || p.Consumer < lowD {
			lowD = p.Consumer
		}
	}
	st.AckFloor.Stream = max(st.AckFloor.Stream, lowS-1)
	st.AckFloor.Consumer = max(st.AckFloor.Consumer, lowD-1)
}

// testConsumerModel drives a consumer store and the model with random
// deliveries (in stream order, with gaps as a filtered consumer sees them),
// redeliveries, acks, ack-alls and parks.
func testConsumerModel(t *testing.T, open Opener) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			h := newHarness(t, open, store.Config{})
			cs, err := h.s.ConsumerStore("c")
			noErr(t, "ConsumerStore", err)
			m := newConsumerModel()
			rng := newRand(seed)
			var dseq, sseq uint64
			dcs := map[uint64]uint64{} // delivery counts of pending messages
			pick := func() (uint64, bool) {
				keys := slices.Sorted(maps.Keys(m.st.Pending))
				if len(keys) == 0 {
					return 0, false
				}
				return keys[rng.IntN(len(keys))], true
			}
			for i := range 4000 {
				var desc string
				switch n := rng.IntN(100); {
				case n < 40 || len(m.st.Pending) == 0:
					dseq++
					sseq += 1 + rng.Uint64N(uint64(1+rng.IntN(30)))
					dcs[sseq] = 1
					desc = fmt.Sprintf("deliver(%d, %d, 1)", dseq, sseq)
					noErr(t, desc, cs.UpdateDelivered(dseq, sseq, 1, int64(i)))
					m.delivered(dseq, sseq, 1, int64(i))
				case n < 55:
					s, _ := pick()
					dseq++
					dcs[s]++
					desc = fmt.Sprintf("redeliver(%d, %d, %d)", dseq, s, dcs[s])
					noErr(t, desc, cs.UpdateDelivered(dseq, s, dcs[s], int64(i)))
					m.delivered(dseq, s, dcs[s], int64(i))
				case n < 85:
					s, _ := pick()
					d := m.st.Pending[s].Consumer
					desc = fmt.Sprintf("ack(%d, %d)", d, s)
					noErr(t, desc, cs.UpdateAcked(d, s, false))
					m.acked(d, s, false)
				case n < 87:
					desc = "SetState(State())"
					st, err := cs.State()
					noErr(t, "State", err)
					noErr(t, desc, cs.SetState(st))
				case n < 90:
					s, _ := pick()
					d := m.st.Pending[s].Consumer
					desc = fmt.Sprintf("ackAll(%d, %d)", d, s)
					noErr(t, desc, cs.UpdateAcked(d, s, true))
					m.acked(d, s, true)
				default:
					s, _ := pick()
					desc = fmt.Sprintf("park(%d)", s)
					noErr(t, desc, cs.UpdateParked(s))
					m.parked(s)
				}
				got, err := cs.State()
				noErr(t, "State", err)
				if d := diffConsumer(got, &m.st); d != "" {
					t.Fatalf("step %d %s: %s", i, desc, d)
				}
			}
		})
	}
}
