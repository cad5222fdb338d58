package storetest

import (
	"slices"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testDelete(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{})
	h.addN("d", 6)
	// Steps run in order on one store; each states the result and the outcome.
	for _, c := range []struct {
		name       string
		seq        uint64
		erase      bool
		reason     store.Reason
		existed    bool
		live       []uint64
		numDeleted uint64
	}{
		{"interior", 3, false, store.ReasonDelete, true, []uint64{1, 2, 4, 5, 6}, 1},
		{"interior again", 3, false, store.ReasonDelete, false, []uint64{1, 2, 4, 5, 6}, 1},
		{"first", 1, false, store.ReasonDelete, true, []uint64{2, 4, 5, 6}, 1},
		{"last keeps LastSeq", 6, false, store.ReasonDelete, true, []uint64{2, 4, 5}, 2},
		{"erase", 4, true, store.ReasonDelete, true, []uint64{2, 5}, 3},
		{"never assigned", 99, false, store.ReasonDelete, false, []uint64{2, 5}, 3},
		{"zero", 0, false, store.ReasonDelete, false, []uint64{2, 5}, 3},
		{"reason is passed through", 2, false, store.ReasonAcked, true, []uint64{5}, 1},
		{"only message", 5, true, store.ReasonRollup, true, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := len(h.removals())
			ok, err := h.s.Delete(c.seq, c.erase, c.reason)
			noErr(t, "Delete", err)
			if ok != c.existed {
				t.Fatalf("Delete(%d) = %v, want %v", c.seq, ok, c.existed)
			}
			if c.existed {
				h.wantRemovals(n, rm(c.reason, c.seq)...)
			} else {
				h.wantRemovals(n)
			}
			h.wantLive(c.live...)
			st := h.s.State()
			if st.LastSeq != 6 || st.NumDeleted != c.numDeleted {
				t.Fatalf("LastSeq %d NumDeleted %d, want 6 and %d", st.LastSeq, st.NumDeleted, c.numDeleted)
			}
			if len(c.live) > 0 {
				var want []uint64
				for s := c.live[0]; s <= 6; s++ {
					if !slices.Contains(c.live, s) {
						want = append(want, s)
					}
				}
				if got := h.s.Deleted(); !slices.Equal(got, want) {
					t.Fatalf("Deleted() = %v, want %v", got, want)
				}
			}
		})
	}
	st := h.s.State()
	if st.FirstSeq != 7 || st.LastSeq != 6 || st.FirstTime != 0 || st.LastTime != h.now {
		t.Fatalf("emptied store: %+v, want first 7 last 6 first time 0, last time kept", st)
	}
	if seq := h.add("d", "again"); seq != 7 {
		t.Fatalf("append after emptying = %d, want 7", seq)
	}
	t.Run("Many", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		h.addN("m", 100)
		var live []uint64
		for seq := uint64(1); seq <= 100; seq++ {
			if seq%7 == 0 || seq%11 == 0 || seq < 5 {
				ok, err := h.s.Delete(seq, seq%2 == 0, store.ReasonDelete)
				if !ok || err != nil {
					t.Fatalf("Delete(%d) = %v, %v", seq, ok, err)
				}
				continue
			}
			live = append(live, seq)
		}
		h.wantLive(live...)
		if got, want := h.s.State().NumDeleted, uint64(100-4-len(live)); got != want {
			t.Fatalf("NumDeleted = %d, want %d", got, want)
		}
	})
}
