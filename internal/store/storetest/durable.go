package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// DirOpener opens (or creates) the store kept in dir. Called again with the
// same dir after Close, it must return the same contents.
type DirOpener func(t *testing.T, dir string, cfg store.Config) store.Store

// RunDurable runs the cases that close and reopen one store, for
// implementations that persist; they run Run as well. Each case reopens with
// the configuration it last set, so an implementation may take limits from
// the Config passed to open rather than from disk.
func RunDurable(t *testing.T, open DirOpener) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *harness)
	}{
		{"Messages", durableMessages},
		{"Removals", durableRemovals},
		{"Empty", durableEmpty},
		{"CompactPastEnd", durableCompactPastEnd},
		{"Truncate", durableTruncate},
		{"Expiry", durableExpiry},
		{"Waiter", durableWaiter},
		{"Consumer", durableConsumer},
		{"Destroy", durableDestroy},
		{"Model", durableModel},
	} {
		t.Run("Reopen/"+c.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t, func(t *testing.T, cfg store.Config) store.Store { return open(t, dir, cfg) }, store.Config{})
			h.reopenFn = func(cfg store.Config) store.Store { return open(t, dir, cfg) }
			h.checkConsistent()
			c.fn(t, h)
		})
	}
}

// reopen closes the store and opens it again with the current config, then
// checks that everything readable survived.
func (h *harness) reopen() {
	h.t.Helper()
	before := h.snapshot()
	noErr(h.t, "Close", h.s.Close())
	h.s = h.reopenFn(h.cfg)
	after := h.snapshot()
	if d := before.diff(after); d != "" {
		h.t.Fatalf("after reopen: %s", d)
	}
}

// contents is everything a store reports, for comparing across a reopen.
type contents struct {
	state    store.State
	deleted  []uint64
	msgs     []*store.Msg
	subjects map[string]store.SubjectState
}

func (h *harness) snapshot() contents {
	h.t.Helper()
	c := contents{state: h.s.State(), deleted: h.s.Deleted(), subjects: h.s.SubjectsState("")}
	for _, seq := range h.live() {
		m, _ := h.s.Load(seq)
		c.msgs = append(c.msgs, m)
	}
	return c
}

func (c contents) diff(o contents) string {
	switch {
	case c.state != o.state:
		return "state " + show(o.state) + ", was " + show(c.state)
	case !slices.Equal(c.deleted, o.deleted):
		return "deleted " + show(o.deleted) + ", was " + show(c.deleted)
	case !maps.Equal(c.subjects, o.subjects):
		return "subjects " + show(o.subjects) + ", was " + show(c.subjects)
	case len(c.msgs) != len(o.msgs):
		return "live messages " + show(len(o.msgs)) + ", was " + show(len(c.msgs))
	}
	for i := range c.msgs {
		if d := sameMsg(o.msgs[i], c.msgs[i]); d != "" {
			return "message: " + d
		}
	}
	return ""
}

func durableMessages(t *testing.T, h *harness) {
	h.addMsg("a", []byte("NATS/1.0\r\nA: 1\r\n\r\n"), []byte("with header"), 0)
	h.addMsg("b.c", nil, []byte("ttl"), int64(time.Hour))
	h.addMsg("b.d", nil, nil, -1)
	h.addN("a", 10)
	h.reopen()
	seq := h.add("a", "after")
	if m, err := h.s.LoadLast("a"); err != nil || m.Seq != seq {
		t.Fatalf("LoadLast after reopen and append = %v, %v", m, err)
	}
	h.reopen()
	h.wantLive(seqRange(1, seq)...)
}

func durableRemovals(t *testing.T, h *harness) {
	h.update(func(c *store.Config) { c.MaxMsgsPerSubject = 5 })
	for range 4 {
		h.addN("x.a", 3)
		h.addN("x.b", 2)
	}
	for _, seq := range []uint64{11, 12, 20} {
		_, err := h.s.Delete(seq, seq%2 == 0, store.ReasonDelete)
		noErr(t, "Delete", err)
	}
	h.reopen()
	_, err := h.s.Purge(store.PurgeOpts{Subject: "x.b", Keep: 1})
	noErr(t, "Purge", err)
	h.reopen()
	_, err = h.s.Compact(14)
	noErr(t, "Compact", err)
	h.reopen()
	h.add("x.a", "after") // the per-subject limit still applies after reopen
	h.checkConsistent()
	h.reopen()
}

func durableEmpty(t *testing.T, h *harness) {
	h.addN("e", 5)
	_, err := h.s.Purge(store.PurgeOpts{})
	noErr(t, "Purge", err)
	h.reopen()
	if st := h.s.State(); st.FirstSeq != 6 || st.LastSeq != 5 || st.LastTime != h.now {
		t.Fatalf("purged store after reopen: %+v", st)
	}
	if seq := h.add("e", "x"); seq != 6 {
		t.Fatalf("append after reopen of a purged store = %d", seq)
	}
	for _, seq := range []uint64{6} {
		_, err := h.s.Delete(seq, false, store.ReasonDelete)
		noErr(t, "Delete", err)
	}
	h.reopen()
	if seq := h.add("e", "x"); seq != 7 {
		t.Fatalf("append after deleting everything and reopening = %d", seq)
	}
}

func durableCompactPastEnd(t *testing.T, h *harness) {
	h.addN("c", 3)
	_, err := h.s.Compact(100)
	noErr(t, "Compact", err)
	h.reopen()
	if seq := h.add("c", "x"); seq != 100 {
		t.Fatalf("append after Compact(100) and reopen = %d", seq)
	}
	h.reopen()
}

func durableTruncate(t *testing.T, h *harness) {
	h.addN("t", 10)
	noErr(t, "Truncate", h.s.Truncate(6))
	h.reopen()
	h.reused = true
	if seq := h.add("t", "x"); seq != 7 {
		t.Fatalf("append after Truncate(6) and reopen = %d", seq)
	}
	h.reopen()
}

func durableExpiry(t *testing.T, h *harness) {
	const s = time.Second
	h.update(func(c *store.Config) { c.MaxAge = 10 * s })
	h.appendAt("a", at(1*s), 0)
	h.appendAt("a", at(2*s), 3*s)
	h.appendAt("a", at(3*s), -1)
	h.appendAt("a", at(4*s), 0)
	h.reopen()
	runExpire(t, h, []expireStep{
		{2 * s, nil, 5 * s},
		{5 * s, rm(store.ReasonTTL, 2), 11 * s},
	})
	h.reopen()
	runExpire(t, h, []expireStep{{100 * s, rm(store.ReasonMaxAge, 1, 4), 0}})
	h.reopen()
	h.wantLive(3)
}

func durableWaiter(t *testing.T, h *harness) {
	w := newWaiter(50)
	appended := map[uint64]bool{}
	for range 50 {
		seq, err := h.s.Append("w", nil, []byte("x"), h.tick(time.Millisecond), 0, w)
		noErr(t, "Append", err)
		h.appended++
		appended[seq] = true
	}
	noErr(t, "Sync", h.s.Sync())
	w.wait(t)
	w.check(t, appended)
	h.reopen()
}

func durableConsumer(t *testing.T, h *harness) {
	cs, err := h.s.ConsumerStore("c")
	noErr(t, "ConsumerStore", err)
	noErr(t, "SetState", cs.SetState(sampleConsumerState()))
	for _, o := range []op{deliver(41, 101, 1), deliver(42, 85, 4), ack(40, 90), park(101)} {
		applyOp(t, cs, o)
	}
	want, err := cs.State()
	noErr(t, "State", err)
	noErr(t, "Sync", cs.Sync())
	other, err := h.s.ConsumerStore("other")
	noErr(t, "ConsumerStore", err)
	applyOp(t, other, deliver(1, 1, 1))
	noErr(t, "Close", other.Close())
	noErr(t, "Destroy", other.Destroy())
	h.reopen()
	cs, err = h.s.ConsumerStore("c")
	noErr(t, "ConsumerStore after reopen", err)
	got, err := cs.State()
	noErr(t, "State", err)
	if d := diffConsumer(got, want); d != "" {
		t.Fatalf("consumer after reopen: %s", d)
	}
	applyOp(t, cs, ack(42, 85))
	want, _ = cs.State()
	noErr(t, "Close", cs.Close())
	h.reopen()
	cs, _ = h.s.ConsumerStore("c")
	if got, _ := cs.State(); diffConsumer(got, want) != "" {
		t.Fatalf("consumer after second reopen: %s", diffConsumer(got, want))
	}
	other, _ = h.s.ConsumerStore("other")
	if got, _ := other.State(); diffConsumer(got, &store.ConsumerState{}) != "" {
		t.Fatalf("destroyed consumer came back: %+v", got)
	}
}

func durableDestroy(t *testing.T, h *harness) {
	h.addN("d", 5)
	h.closed = true
	noErr(t, "Destroy", h.s.Destroy())
	s := h.reopenFn(h.cfg)
	defer s.Close()
	if st := s.State(); st != (store.State{}) {
		t.Fatalf("store opened after Destroy: %+v, want a new store", st)
	}
}

// durableModel runs the random model test with a reopen every few hundred steps.
func durableModel(t *testing.T, h *harness) {
	r := newModelRun(t, h, 42)
	for i := range 2000 {
		r.step()
		if i%300 == 299 {
			r.checkState()
			h.reopen()
		}
		if t.Failed() {
			t.Fatalf("failed at step %d (%s)", i, r.op)
		}
	}
	r.checkState()
	r.checkAll()
}
