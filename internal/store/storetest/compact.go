package storetest

import (
	"fmt"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// tenWithGaps appends 1..10 alternating subjects and deletes the given ones.
func tenWithGaps(t *testing.T, open Opener, deleted ...uint64) *harness {
	h := newHarness(t, open, store.Config{})
	for i := range 10 {
		h.add(fmt.Sprintf("s.%d", i%3), "c")
	}
	for _, seq := range deleted {
		_, err := h.s.Delete(seq, false, store.ReasonDelete)
		noErr(t, "Delete", err)
	}
	return h
}

func testCompact(t *testing.T, open Opener) {
	for _, c := range []struct {
		seq         uint64
		removed     []uint64
		first, last uint64
	}{
		{1, nil, 1, 10},
		{4, []uint64{1, 2, 3}, 4, 10},
		{5, []uint64{1, 2, 3, 4}, 6, 10}, // 5 is deleted: first moves to 6
		{6, []uint64{1, 2, 3, 4}, 6, 10},
		{10, []uint64{1, 2, 3, 4, 6, 7, 8, 9}, 10, 10},
		{11, []uint64{1, 2, 3, 4, 6, 7, 8, 9, 10}, 11, 10},
		{15, []uint64{1, 2, 3, 4, 6, 7, 8, 9, 10}, 15, 14}, // past the end: next append gets 15
	} {
		t.Run(fmt.Sprint(c.seq), func(t *testing.T) {
			h := tenWithGaps(t, open, 5)
			n := len(h.removals())
			got, err := h.s.Compact(c.seq)
			noErr(t, "Compact", err)
			if got != uint64(len(c.removed)) {
				t.Fatalf("Compact(%d) = %d, want %d", c.seq, got, len(c.removed))
			}
			h.wantRemovals(n, rm(store.ReasonPurge, c.removed...)...)
			if st := h.s.State(); st.FirstSeq != c.first || st.LastSeq != c.last {
				t.Fatalf("first/last = %d/%d, want %d/%d", st.FirstSeq, st.LastSeq, c.first, c.last)
			}
			h.checkConsistent()
			if seq := h.add("s.0", "next"); seq != c.last+1 {
				t.Fatalf("next append = %d, want %d", seq, c.last+1)
			}
		})
	}
	t.Run("Backwards", func(t *testing.T) {
		h := tenWithGaps(t, open)
		_, err := h.s.Compact(6)
		noErr(t, "Compact", err)
		n, err := h.s.Compact(3)
		noErr(t, "Compact", err)
		if n != 0 {
			t.Fatalf("compacting below first removed %d", n)
		}
		h.wantLive(seqRange(6, 10)...)
	})
	t.Run("NewStore", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		_, err := h.s.Compact(5)
		noErr(t, "Compact", err)
		if st := h.s.State(); st.FirstSeq != 5 || st.LastSeq != 4 || st.Msgs != 0 {
			t.Fatalf("state %+v, want first 5 last 4", st)
		}
		if seq := h.add("a", "x"); seq != 5 {
			t.Fatalf("append after Compact(5) on a new store = %d", seq)
		}
	})
}

func testTruncate(t *testing.T, open Opener) {
	for _, c := range []struct {
		seq     uint64
		removed []uint64
		live    []uint64
		last    uint64
	}{
		{10, nil, []uint64{1, 2, 3, 4, 6, 7, 9, 10}, 10},
		{20, nil, []uint64{1, 2, 3, 4, 6, 7, 9, 10}, 10},
		{9, []uint64{10}, []uint64{1, 2, 3, 4, 6, 7, 9}, 9},
		{7, []uint64{9, 10}, []uint64{1, 2, 3, 4, 6, 7}, 7},
		{4, []uint64{6, 7, 9, 10}, []uint64{1, 2, 3, 4}, 4},
		{1, []uint64{2, 3, 4, 6, 7, 9, 10}, []uint64{1}, 1},
	} {
		t.Run(fmt.Sprint(c.seq), func(t *testing.T) {
			h := tenWithGaps(t, open, 5, 8)
			lastTime := h.now
			if c.last < 10 {
				m, err := h.s.Load(c.last)
				noErr(t, "Load", err)
				lastTime = m.Time
			}
			n := len(h.removals())
			noErr(t, "Truncate", h.s.Truncate(c.seq))
			h.wantRemovals(n, rm(store.ReasonPurge, c.removed...)...)
			h.wantLive(c.live...)
			if st := h.s.State(); st.LastSeq != c.last || st.LastTime != lastTime {
				t.Fatalf("LastSeq/LastTime = %d/%d, want %d/%d", st.LastSeq, st.LastTime, c.last, lastTime)
			}
			h.reused = true
			seq := h.add("s.9", "after")
			if seq != c.last+1 {
				t.Fatalf("append after Truncate(%d) = %d, want %d", c.seq, seq, c.last+1)
			}
			if m, err := h.s.Load(seq); err != nil || m.Subject != "s.9" {
				t.Fatalf("Load of reused sequence %d = %v, %v", seq, m, err)
			}
			if m, err := h.s.LoadLast("s.9"); err != nil || m.Seq != seq {
				t.Fatalf("LoadLast after reuse = %v, %v", m, err)
			}
		})
	}
}
