package storetest

import (
	"fmt"
	"maps"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testSubjectsState(t *testing.T, open Opener) {
	h := fixture(t, open)
	all := map[string]store.SubjectState{
		"a":     {Msgs: 2, First: 1, Last: 7},
		"b.x":   {Msgs: 2, First: 2, Last: 6},
		"b.y":   {Msgs: 1, First: 3, Last: 3},
		"c.d.e": {Msgs: 1, First: 5, Last: 5},
		"b.y.z": {Msgs: 1, First: 8, Last: 8},
		"c.x.e": {Msgs: 1, First: 9, Last: 9},
	}
	pick := func(names ...string) map[string]store.SubjectState {
		out := map[string]store.SubjectState{}
		for _, n := range names {
			out[n] = all[n]
		}
		return out
	}
	for _, c := range []struct {
		filter string
		want   map[string]store.SubjectState
	}{
		{"", all},
		{">", all},
		{"a", pick("a")},
		{"b.*", pick("b.x", "b.y")},
		{"b.>", pick("b.x", "b.y", "b.y.z")},
		{"*.x", pick("b.x")},
		{"c.*.e", pick("c.d.e", "c.x.e")},
		{"*", pick("a")},
		{"zz", pick()},
		{"a..b", pick()},
	} {
		t.Run(c.filter, func(t *testing.T) {
			got := h.s.SubjectsState(c.filter)
			if len(got) != len(c.want) || !maps.Equal(got, c.want) {
				t.Fatalf("SubjectsState(%q) = %v, want %v", c.filter, got, c.want)
			}
			totals := h.s.SubjectsTotals(c.filter)
			want := map[string]uint64{}
			for k, v := range c.want {
				want[k] = v.Msgs
			}
			if len(totals) != len(want) || !maps.Equal(totals, want) {
				t.Fatalf("SubjectsTotals(%q) = %v, want %v", c.filter, totals, want)
			}
		})
	}
	t.Run("AfterDeletes", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		h.addN("s", 5)
		for _, seq := range []uint64{1, 5, 3} {
			_, err := h.s.Delete(seq, false, store.ReasonDelete)
			noErr(t, "Delete", err)
		}
		if got := h.s.SubjectsState("s")["s"]; got != (store.SubjectState{Msgs: 2, First: 2, Last: 4}) {
			t.Fatalf("after deleting first, last and middle: %+v", got)
		}
		for _, seq := range []uint64{2, 4} {
			_, err := h.s.Delete(seq, false, store.ReasonDelete)
			noErr(t, "Delete", err)
		}
		if got := h.s.SubjectsState(""); len(got) != 0 {
			t.Fatalf("subject with no messages still listed: %v", got)
		}
		if st := h.s.State(); st.NumSubjects != 0 {
			t.Fatalf("NumSubjects = %d, want 0", st.NumSubjects)
		}
	})
}

func testFilteredState(t *testing.T, open Opener) {
	h := fixture(t, open)
	for _, c := range []struct {
		filter string
		start  uint64
		want   store.FilteredState
	}{
		{"", 0, store.FilteredState{Msgs: 8, First: 1, Last: 9}},
		{"", 1, store.FilteredState{Msgs: 8, First: 1, Last: 9}},
		{"", 4, store.FilteredState{Msgs: 5, First: 5, Last: 9}},
		{"", 9, store.FilteredState{Msgs: 1, First: 9, Last: 9}},
		{"", 10, store.FilteredState{}},
		{"", 11, store.FilteredState{}},
		{">", 2, store.FilteredState{Msgs: 7, First: 2, Last: 9}},
		{"a", 0, store.FilteredState{Msgs: 2, First: 1, Last: 7}},
		{"a", 2, store.FilteredState{Msgs: 1, First: 7, Last: 7}},
		{"a", 8, store.FilteredState{}},
		{"b.*", 0, store.FilteredState{Msgs: 3, First: 2, Last: 6}},
		{"b.*", 3, store.FilteredState{Msgs: 2, First: 3, Last: 6}},
		{"b.>", 4, store.FilteredState{Msgs: 2, First: 6, Last: 8}},
		{"*.x", 0, store.FilteredState{Msgs: 2, First: 2, Last: 6}},
		{"c.*.e", 6, store.FilteredState{Msgs: 1, First: 9, Last: 9}},
		{"c.>", 0, store.FilteredState{Msgs: 2, First: 5, Last: 9}},
		{"*", 0, store.FilteredState{Msgs: 2, First: 1, Last: 7}},
		{"zz", 0, store.FilteredState{}},
		{"a..b", 0, store.FilteredState{}},
	} {
		t.Run(fmt.Sprintf("%s@%d", c.filter, c.start), func(t *testing.T) {
			if got := h.s.FilteredState(c.filter, c.start); got != c.want {
				t.Fatalf("FilteredState(%q, %d) = %+v, want %+v", c.filter, c.start, got, c.want)
			}
		})
	}
}
