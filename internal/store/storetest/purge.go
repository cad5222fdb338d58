package storetest

import (
	"fmt"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// purgeFixture: 1 a, 2 b.x, 3 a, 4 b.y, 5 a, 6 b.x, 7 a, 8 c, with 6 deleted.
func purgeFixture(t *testing.T, open Opener) *harness {
	h := newHarness(t, open, store.Config{})
	for _, subj := range []string{"a", "b.x", "a", "b.y", "a", "b.x", "a", "c"} {
		h.add(subj, "p")
	}
	_, err := h.s.Delete(6, false, store.ReasonDelete)
	noErr(t, "Delete", err)
	return h
}

func testPurge(t *testing.T, open Opener) {
	for _, c := range []struct {
		name   string
		opts   store.PurgeOpts
		purged []uint64
		live   []uint64
		first  uint64
		last   uint64
	}{
		{"all", store.PurgeOpts{}, []uint64{1, 2, 3, 4, 5, 7, 8}, nil, 9, 8},
		{"all by >", store.PurgeOpts{Subject: ">"}, []uint64{1, 2, 3, 4, 5, 7, 8}, nil, 9, 8},
		{"subject", store.PurgeOpts{Subject: "a"}, []uint64{1, 3, 5, 7}, []uint64{2, 4, 8}, 2, 8},
		{"wildcard", store.PurgeOpts{Subject: "b.*"}, []uint64{2, 4}, []uint64{1, 3, 5, 7, 8}, 1, 8},
		{"no match", store.PurgeOpts{Subject: "zz"}, nil, []uint64{1, 2, 3, 4, 5, 7, 8}, 1, 8},
		{"seq", store.PurgeOpts{Seq: 4}, []uint64{1, 2, 3}, []uint64{4, 5, 7, 8}, 4, 8},
		{"seq 1", store.PurgeOpts{Seq: 1}, nil, []uint64{1, 2, 3, 4, 5, 7, 8}, 1, 8},
		{"seq on a deleted one", store.PurgeOpts{Seq: 6}, []uint64{1, 2, 3, 4, 5}, []uint64{7, 8}, 7, 8},
		{"seq last+1", store.PurgeOpts{Seq: 9}, []uint64{1, 2, 3, 4, 5, 7, 8}, nil, 9, 8},
		{"seq past the end", store.PurgeOpts{Seq: 20}, []uint64{1, 2, 3, 4, 5, 7, 8}, nil, 20, 19},
		{"keep", store.PurgeOpts{Keep: 3}, []uint64{1, 2, 3, 4}, []uint64{5, 7, 8}, 5, 8},
		{"keep counts messages", store.PurgeOpts{Keep: 2}, []uint64{1, 2, 3, 4, 5}, []uint64{7, 8}, 7, 8},
		{"keep 1", store.PurgeOpts{Keep: 1}, []uint64{1, 2, 3, 4, 5, 7}, []uint64{8}, 8, 8},
		{"keep all", store.PurgeOpts{Keep: 7}, nil, []uint64{1, 2, 3, 4, 5, 7, 8}, 1, 8},
		{"keep more", store.PurgeOpts{Keep: 100}, nil, []uint64{1, 2, 3, 4, 5, 7, 8}, 1, 8},
		{"subject keep", store.PurgeOpts{Subject: "a", Keep: 1}, []uint64{1, 3, 5}, []uint64{2, 4, 7, 8}, 2, 8},
		{"subject keep all", store.PurgeOpts{Subject: "a", Keep: 4}, nil, []uint64{1, 2, 3, 4, 5, 7, 8}, 1, 8},
		{"wildcard keep", store.PurgeOpts{Subject: "b.>", Keep: 1}, []uint64{2}, []uint64{1, 3, 4, 5, 7, 8}, 1, 8},
		{"subject seq", store.PurgeOpts{Subject: "a", Seq: 5}, []uint64{1, 3}, []uint64{2, 4, 5, 7, 8}, 2, 8},
		{"subject seq past the end", store.PurgeOpts{Subject: "a", Seq: 50}, []uint64{1, 3, 5, 7}, []uint64{2, 4, 8}, 2, 8},
		{"wildcard seq", store.PurgeOpts{Subject: "*", Seq: 8}, []uint64{1, 3, 5, 7}, []uint64{2, 4, 8}, 2, 8},
		{"seq and keep", store.PurgeOpts{Seq: 5, Keep: 5}, []uint64{1, 2}, []uint64{3, 4, 5, 7, 8}, 3, 8},
		{"subject seq keep", store.PurgeOpts{Subject: "a", Seq: 7, Keep: 2}, []uint64{1, 3}, []uint64{2, 4, 5, 7, 8}, 2, 8},
		{"last subject", store.PurgeOpts{Subject: "c"}, []uint64{8}, []uint64{1, 2, 3, 4, 5, 7}, 1, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := purgeFixture(t, open)
			n := len(h.removals())
			got, err := h.s.Purge(c.opts)
			noErr(t, "Purge", err)
			if got != uint64(len(c.purged)) {
				t.Fatalf("Purge(%+v) = %d, want %d", c.opts, got, len(c.purged))
			}
			h.wantRemovals(n, rm(store.ReasonPurge, c.purged...)...)
			h.wantLive(c.live...)
			if st := h.s.State(); st.FirstSeq != c.first || st.LastSeq != c.last {
				t.Fatalf("first/last = %d/%d, want %d/%d", st.FirstSeq, st.LastSeq, c.first, c.last)
			}
			want := c.last + 1
			if seq := h.add("a", "next"); seq != want {
				t.Fatalf("next append = %d, want %d", seq, want)
			}
		})
	}
	t.Run("InvalidFilter", func(t *testing.T) {
		h := purgeFixture(t, open)
		for _, f := range invalidFilters {
			n, err := h.s.Purge(store.PurgeOpts{Subject: f})
			wantErr(t, fmt.Sprintf("Purge(%q)", f), err, store.ErrInvalidFilter)
			if n != 0 {
				t.Fatalf("Purge(%q) removed %d", f, n)
			}
		}
		h.wantLive(1, 2, 3, 4, 5, 7, 8)
	})
	t.Run("EmptyStore", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		n, err := h.s.Purge(store.PurgeOpts{})
		noErr(t, "Purge", err)
		if n != 0 {
			t.Fatalf("purged %d from a new store", n)
		}
		if seq := h.add("a", "x"); seq != 1 {
			t.Fatalf("first append after purging a new store = %d", seq)
		}
	})
	t.Run("Twice", func(t *testing.T) {
		h := purgeFixture(t, open)
		for i, want := range []uint64{7, 0} {
			n, err := h.s.Purge(store.PurgeOpts{})
			noErr(t, "Purge", err)
			if n != want {
				t.Fatalf("purge %d removed %d, want %d", i, n, want)
			}
		}
		if st := h.s.State(); st.FirstSeq != 9 || st.LastSeq != 8 {
			t.Fatalf("state %+v", st)
		}
	})
}
