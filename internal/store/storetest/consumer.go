package storetest

import (
	"fmt"
	"maps"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Consumer state rules pinned by these tests (RETENTION.md §1 and §5; the
// floor follows nats-server's consumer store, with Pending.Consumer the
// sequence of the latest delivery as store.go says):
//
//   - UpdateDelivered(d, s, dc, ts) raises Delivered to (d, s) component-wise.
//     If s is above the ack floor it becomes pending at {d, ts}, replacing an
//     earlier entry, and dc > 1 records Redelivered[s] = dc (never lowered).
//   - UpdateAcked(d, s, ·) with s at or below the floor's stream sequence does
//     nothing and is not an error.
//   - UpdateAcked(d, s, true) drops every pending, redelivered and parked
//     entry <= s and sets the floor to (d, s), except that the consumer half
//     stays below every consumer sequence still pending (a redelivery of s can
//     carry a higher d than later messages still unacknowledged).
//   - UpdateAcked(d, s, false) drops s from pending, redelivered and parked;
//     acking a sequence that is not pending is not an error.
//   - UpdateParked(s) moves s from pending to parked; its redelivery count stays.
//   - After an explicit ack or a park the floor becomes Delivered if nothing is
//     pending; otherwise its stream half becomes the lowest pending stream
//     sequence - 1 and its consumer half the lowest pending consumer sequence
//     - 1. The floor never moves back.
//   - State and SetState copy; nil and empty maps are equivalent.
//   - A consumer's state outlives Close of its ConsumerStore: opening the same
//     name again returns it. Destroy forgets it.

// cstate builds an expected state.
type cstate struct {
	delivered, floor [2]uint64
	pending          map[uint64]store.Pending
	redelivered      map[uint64]uint64
	parked           []uint64
	dead             map[uint64]string
}

func (c cstate) state() *store.ConsumerState {
	st := &store.ConsumerState{
		Delivered:   store.SeqPair{Consumer: c.delivered[0], Stream: c.delivered[1]},
		AckFloor:    store.SeqPair{Consumer: c.floor[0], Stream: c.floor[1]},
		Pending:     c.pending,
		Redelivered: c.redelivered,
	}
	if len(c.parked) > 0 {
		st.Parked = map[uint64]struct{}{}
		for _, s := range c.parked {
			st.Parked[s] = struct{}{}
		}
	}
	if len(c.dead) > 0 {
		st.DeadLetters = map[uint64][]byte{}
		for s, v := range c.dead {
			st.DeadLetters[s] = []byte(v)
		}
	}
	return st
}

func diffConsumer(got, want *store.ConsumerState) string {
	switch {
	case got.Delivered != want.Delivered:
		return fmt.Sprintf("delivered %+v, want %+v", got.Delivered, want.Delivered)
	case got.AckFloor != want.AckFloor:
		return fmt.Sprintf("ack floor %+v, want %+v", got.AckFloor, want.AckFloor)
	case len(got.Pending) != len(want.Pending) || !maps.Equal(got.Pending, want.Pending):
		return fmt.Sprintf("pending %v, want %v", got.Pending, want.Pending)
	case len(got.Redelivered) != len(want.Redelivered) || !maps.Equal(got.Redelivered, want.Redelivered):
		return fmt.Sprintf("redelivered %v, want %v", got.Redelivered, want.Redelivered)
	case len(got.Parked) != len(want.Parked) || !maps.Equal(got.Parked, want.Parked):
		return fmt.Sprintf("parked %v, want %v", got.Parked, want.Parked)
	case len(got.DeadLetters) != len(want.DeadLetters) ||
		!maps.EqualFunc(got.DeadLetters, want.DeadLetters, func(a, b []byte) bool { return string(a) == string(b) }):
		return fmt.Sprintf("dead letters %v, want %v", got.DeadLetters, want.DeadLetters)
	}
	return ""
}

// op is one consumer store update.
type op struct {
	kind       byte // 'd' delivered, 'a' ack, 'A' ack all, 'p' parked
	dseq, sseq uint64
	dc         uint64
	ts         int64
	after      *cstate // expected state after the op, if set
}

func deliver(d, s, dc uint64) op { return op{kind: 'd', dseq: d, sseq: s, dc: dc, ts: int64(100 + d)} }
func ack(d, s uint64) op         { return op{kind: 'a', dseq: d, sseq: s} }
func ackAll(d, s uint64) op      { return op{kind: 'A', dseq: d, sseq: s} }
func park(s uint64) op           { return op{kind: 'p', sseq: s} }
func (o op) want(c cstate) op    { o.after = &c; return o }

// pend builds a pending map from (sseq, dseq) pairs; the time is 100+dseq.
func pend(pairs ...uint64) map[uint64]store.Pending {
	m := map[uint64]store.Pending{}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i]] = store.Pending{Consumer: pairs[i+1], Time: int64(100 + pairs[i+1])}
	}
	return m
}

func applyOp(t *testing.T, cs store.ConsumerStore, o op) {
	t.Helper()
	var err error
	switch o.kind {
	case 'd':
		err = cs.UpdateDelivered(o.dseq, o.sseq, o.dc, o.ts)
	case 'a':
		err = cs.UpdateAcked(o.dseq, o.sseq, false)
	case 'A':
		err = cs.UpdateAcked(o.dseq, o.sseq, true)
	case 'p':
		err = cs.UpdateParked(o.sseq)
	}
	noErr(t, fmt.Sprintf("op %c(%d,%d)", o.kind, o.dseq, o.sseq), err)
}

func testConsumer(t *testing.T, open Opener) {
	for _, c := range []struct {
		name string
		ops  []op
	}{
		{"ExplicitAcks", []op{
			deliver(1, 1, 1), deliver(2, 2, 1),
			deliver(3, 3, 1).want(cstate{delivered: [2]uint64{3, 3}, pending: pend(1, 1, 2, 2, 3, 3)}),
			ack(2, 2).want(cstate{delivered: [2]uint64{3, 3}, pending: pend(1, 1, 3, 3)}),
			ack(1, 1).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{2, 2}, pending: pend(3, 3)}),
			ack(3, 3).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{3, 3}}),
			ack(1, 1).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{3, 3}}),
			deliver(2, 2, 2).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{3, 3}}),
		}},
		{"FilteredGaps", []op{
			deliver(1, 10, 1), deliver(2, 20, 1), deliver(3, 30, 1),
			ack(1, 10).want(cstate{delivered: [2]uint64{3, 30}, floor: [2]uint64{1, 19}, pending: pend(20, 2, 30, 3)}),
			ack(3, 30).want(cstate{delivered: [2]uint64{3, 30}, floor: [2]uint64{1, 19}, pending: pend(20, 2)}),
			ack(7, 25).want(cstate{delivered: [2]uint64{3, 30}, floor: [2]uint64{1, 19}, pending: pend(20, 2)}),
			ack(2, 20).want(cstate{delivered: [2]uint64{3, 30}, floor: [2]uint64{3, 30}}),
		}},
		{"Redelivery", []op{
			deliver(1, 1, 1), deliver(2, 2, 1),
			deliver(3, 1, 2).want(cstate{delivered: [2]uint64{3, 2}, pending: pend(1, 3, 2, 2), redelivered: map[uint64]uint64{1: 2}}),
			deliver(4, 1, 3).want(cstate{delivered: [2]uint64{4, 2}, pending: pend(1, 4, 2, 2), redelivered: map[uint64]uint64{1: 3}}),
			ack(4, 1).want(cstate{delivered: [2]uint64{4, 2}, floor: [2]uint64{1, 1}, pending: pend(2, 2)}),
			ack(2, 2).want(cstate{delivered: [2]uint64{4, 2}, floor: [2]uint64{4, 2}}),
		}},
		{"AckAll", []op{
			deliver(1, 1, 1), deliver(2, 2, 1), deliver(3, 3, 1), deliver(4, 4, 1), deliver(5, 5, 1),
			deliver(6, 2, 2).want(cstate{delivered: [2]uint64{6, 5}, pending: pend(1, 1, 2, 6, 3, 3, 4, 4, 5, 5), redelivered: map[uint64]uint64{2: 2}}),
			ackAll(4, 4).want(cstate{delivered: [2]uint64{6, 5}, floor: [2]uint64{4, 4}, pending: pend(5, 5)}),
			ackAll(3, 3).want(cstate{delivered: [2]uint64{6, 5}, floor: [2]uint64{4, 4}, pending: pend(5, 5)}),
			ackAll(5, 5).want(cstate{delivered: [2]uint64{6, 5}, floor: [2]uint64{5, 5}}),
		}},
		{"Parked", []op{
			deliver(1, 1, 1), deliver(2, 2, 1), deliver(3, 3, 1),
			deliver(4, 1, 2),
			park(1).want(cstate{delivered: [2]uint64{4, 3}, floor: [2]uint64{1, 1}, pending: pend(2, 2, 3, 3),
				redelivered: map[uint64]uint64{1: 2}, parked: []uint64{1}}),
			ack(4, 1).want(cstate{delivered: [2]uint64{4, 3}, floor: [2]uint64{1, 1}, pending: pend(2, 2, 3, 3),
				redelivered: map[uint64]uint64{1: 2}, parked: []uint64{1}}),
			ack(2, 2), ack(3, 3).want(cstate{delivered: [2]uint64{4, 3}, floor: [2]uint64{4, 3},
				redelivered: map[uint64]uint64{1: 2}, parked: []uint64{1}}),
			ackAll(4, 3),
		}},
		{"ParkedInTheMiddle", []op{
			deliver(1, 1, 1), deliver(2, 2, 1), deliver(3, 3, 1),
			park(2).want(cstate{delivered: [2]uint64{3, 3}, pending: pend(1, 1, 3, 3), parked: []uint64{2}}),
			ack(1, 1).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{2, 2}, pending: pend(3, 3), parked: []uint64{2}}),
			ackAll(3, 3).want(cstate{delivered: [2]uint64{3, 3}, floor: [2]uint64{3, 3}}),
		}},
		{"AckOfParkedAboveFloor", []op{
			deliver(1, 1, 1), deliver(2, 2, 1),
			park(2),
			ack(2, 2).want(cstate{delivered: [2]uint64{2, 2}, pending: pend(1, 1)}),
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, open, store.Config{})
			cs, err := h.s.ConsumerStore("c")
			noErr(t, "ConsumerStore", err)
			for i, o := range c.ops {
				applyOp(t, cs, o)
				if o.after == nil {
					continue
				}
				got, err := cs.State()
				noErr(t, "State", err)
				if d := diffConsumer(got, o.after.state()); d != "" {
					t.Fatalf("after op %d (%c %d,%d): %s", i, o.kind, o.dseq, o.sseq, d)
				}
			}
			noErr(t, "Close", cs.Close())
		})
	}
	t.Run("SetState", func(t *testing.T) { testConsumerSetState(t, open) })
	t.Run("Model", func(t *testing.T) { testConsumerModel(t, open) })
	t.Run("Lifecycle", func(t *testing.T) { testConsumerLifecycle(t, open) })
}

func sampleConsumerState() *store.ConsumerState {
	return cstate{
		delivered:   [2]uint64{40, 100},
		floor:       [2]uint64{30, 80},
		pending:     pend(85, 33, 90, 40),
		redelivered: map[uint64]uint64{85: 3},
		parked:      []uint64{82},
		dead:        sampleDeadLetters,
	}.state()
}

var sampleDeadLetters = map[uint64]string{81: `{"reason":"terminated"}`, 83: "\x00\xff binary"}

func testConsumerSetState(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{})
	cs, err := h.s.ConsumerStore("c")
	noErr(t, "ConsumerStore", err)
	in := sampleConsumerState()
	noErr(t, "SetState", cs.SetState(in))
	in.Pending[91] = store.Pending{} // the store must have copied
	delete(in.Redelivered, 85)
	in.DeadLetters[81][0] = 'X'
	got, err := cs.State()
	noErr(t, "State", err)
	if d := diffConsumer(got, sampleConsumerState()); d != "" {
		t.Fatalf("State after SetState: %s", d)
	}
	got.Pending[92] = store.Pending{} // and State returns a copy
	got.Parked[1] = struct{}{}
	again, _ := cs.State()
	if d := diffConsumer(again, sampleConsumerState()); d != "" {
		t.Fatalf("State after modifying a returned state: %s", d)
	}
	// Updates continue from the replaced state.
	applyOp(t, cs, ack(33, 85))
	applyOp(t, cs, ack(40, 90))
	got, _ = cs.State()
	want := cstate{delivered: [2]uint64{40, 100}, floor: [2]uint64{40, 100}, parked: []uint64{82}, dead: sampleDeadLetters}.state()
	if d := diffConsumer(got, want); d != "" {
		t.Fatalf("after acking everything pending: %s", d)
	}
	noErr(t, "SetState", cs.SetState(cstate{delivered: [2]uint64{5, 90}, pending: pend(85, 5), dead: sampleDeadLetters}.state()))
	applyOp(t, cs, ackAll(5, 90))
	got, _ = cs.State()
	want = cstate{delivered: [2]uint64{5, 90}, floor: [2]uint64{5, 90}, dead: sampleDeadLetters}.state()
	if d := diffConsumer(got, want); d != "" {
		t.Fatalf("after AckAll above the dead letters: %s", d)
	}
	noErr(t, "SetState(empty)", cs.SetState(&store.ConsumerState{}))
	got, _ = cs.State()
	if d := diffConsumer(got, &store.ConsumerState{}); d != "" {
		t.Fatalf("after SetState(empty): %s", d)
	}
}

func testConsumerLifecycle(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{})
	a, err := h.s.ConsumerStore("a")
	noErr(t, "ConsumerStore(a)", err)
	b, err := h.s.ConsumerStore("b")
	noErr(t, "ConsumerStore(b)", err)
	noErr(t, "SetState", a.SetState(sampleConsumerState()))
	applyOp(t, b, deliver(1, 1, 1))
	noErr(t, "Sync", a.Sync())
	noErr(t, "Close", a.Close())
	for what, err := range map[string]error{
		"UpdateDelivered": a.UpdateDelivered(41, 101, 1, 0),
		"UpdateAcked":     a.UpdateAcked(33, 85, false),
		"UpdateParked":    a.UpdateParked(90),
		"SetState":        a.SetState(&store.ConsumerState{}),
		"Sync":            a.Sync(),
		"Close":           a.Close(),
	} {
		wantErr(t, what+" on a closed consumer store", err, store.ErrClosed)
	}
	if _, err := a.State(); err == nil {
		t.Fatal("State on a closed consumer store: no error")
	}
	a, err = h.s.ConsumerStore("a")
	noErr(t, "reopen a", err)
	got, err := a.State()
	noErr(t, "State", err)
	if d := diffConsumer(got, sampleConsumerState()); d != "" {
		t.Fatalf("reopened consumer: %s", d)
	}
	gotB, _ := b.State()
	if d := diffConsumer(gotB, cstate{delivered: [2]uint64{1, 1}, pending: pend(1, 1)}.state()); d != "" {
		t.Fatalf("other consumer: %s", d)
	}
	noErr(t, "Destroy", a.Destroy())
	a, err = h.s.ConsumerStore("a")
	noErr(t, "recreate a", err)
	got, _ = a.State()
	if d := diffConsumer(got, &store.ConsumerState{}); d != "" {
		t.Fatalf("recreated consumer after Destroy: %s", d)
	}
}
