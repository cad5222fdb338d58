package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testLoad(t *testing.T, open Opener) {
	h := fixture(t, open)
	for _, c := range []struct {
		seq  uint64
		want error
	}{
		{0, store.ErrNotFound},
		{1, nil},
		{4, store.ErrNotFound}, // deleted interior
		{9, nil},
		{10, store.ErrNotFound}, // deleted last
		{11, store.ErrNotFound}, // never assigned
		{1 << 40, store.ErrNotFound},
	} {
		t.Run(fmt.Sprint(c.seq), func(t *testing.T) {
			m, err := h.s.Load(c.seq)
			wantErr(t, "Load", err, c.want)
			if err == nil && (m.Seq != c.seq || m.Subject != h.seqs[c.seq] || string(m.Data) != "data-"+h.seqs[c.seq]) {
				t.Fatalf("Load(%d) = seq %d subject %q data %q", c.seq, m.Seq, m.Subject, m.Data)
			}
		})
	}
}

// loadCase is one lookup with a filter; want 0 means ErrNotFound.
type loadCase struct {
	filter string
	start  uint64
	want   uint64
}

func checkLoad(t *testing.T, h *harness, what string, c loadCase, m *store.Msg, err error) {
	t.Helper()
	if c.want == 0 {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s(%q, %d) = %v, %v; want ErrNotFound", what, c.filter, c.start, m, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s(%q, %d): %v, want seq %d", what, c.filter, c.start, err, c.want)
	}
	if m.Seq != c.want || m.Subject != h.seqs[c.want] {
		t.Fatalf("%s(%q, %d) = seq %d %q, want %d %q", what, c.filter, c.start, m.Seq, m.Subject, c.want, h.seqs[c.want])
	}
}

func testLoadNext(t *testing.T, open Opener) {
	h := fixture(t, open)
	for _, c := range []loadCase{
		{"", 0, 1},
		{"", 4, 5}, // 4 is deleted
		{"", 9, 9},
		{"", 10, 0},
		{"", 11, 0},
		{">", 4, 5},
		{"a", 0, 1},
		{"a", 2, 7},
		{"a", 8, 0},
		{"b.x", 3, 6},
		{"b.y", 4, 0},
		{"b.*", 3, 3},
		{"b.*", 4, 6},
		{"b.>", 7, 8},
		{"*.x", 1, 2},
		{"*.x", 7, 0},
		{"c.*.e", 6, 9},
		{"c.>", 1, 5},
		{"*", 2, 7},
		{"*.*.*", 0, 5},
		{"zz", 0, 0},
		{"a.b", 0, 0},
	} {
		t.Run(fmt.Sprintf("%s@%d", c.filter, c.start), func(t *testing.T) {
			m, err := h.s.LoadNext(c.filter, c.start)
			checkLoad(t, h, "LoadNext", c, m, err)
		})
	}
	for _, f := range invalidFilters {
		_, err := h.s.LoadNext(f, 0)
		wantErr(t, fmt.Sprintf("LoadNext(%q)", f), err, store.ErrInvalidFilter)
	}
	t.Run("LongGap", func(t *testing.T) { testLongGap(t, open) })
	t.Run("ManySubjects", func(t *testing.T) { testManySubjects(t, open) })
}

func testLoadPrev(t *testing.T, open Opener) {
	h := fixture(t, open)
	for _, c := range []loadCase{
		{"", 0, 0},
		{"", 1, 1},
		{"", 4, 3},
		{"", 10, 9},
		{"", 1000, 9},
		{">", 5, 5},
		{"a", 0, 0},
		{"a", 6, 1},
		{"a", 7, 7},
		{"a", 100, 7},
		{"b.*", 5, 3},
		{"b.>", 100, 8},
		{"*.x", 5, 2},
		{"c.*.e", 8, 5},
		{"*", 3, 1},
		{"zz", 10, 0},
	} {
		t.Run(fmt.Sprintf("%s@%d", c.filter, c.start), func(t *testing.T) {
			m, err := h.s.LoadPrev(c.filter, c.start)
			checkLoad(t, h, "LoadPrev", c, m, err)
		})
	}
	for _, f := range invalidFilters {
		_, err := h.s.LoadPrev(f, 10)
		wantErr(t, fmt.Sprintf("LoadPrev(%q)", f), err, store.ErrInvalidFilter)
	}
}

func testLoadLast(t *testing.T, open Opener) {
	h := fixture(t, open)
	for _, c := range []loadCase{
		{"", 0, 9},
		{">", 0, 9},
		{"a", 0, 7},
		{"b.x", 0, 6},
		{"b.y", 0, 3},
		{"b.*", 0, 6},
		{"b.>", 0, 8},
		{"*.x", 0, 6},
		{"c.*.e", 0, 9},
		{"*", 0, 7},
		{"zz", 0, 0},
	} {
		t.Run(c.filter, func(t *testing.T) {
			m, err := h.s.LoadLast(c.filter)
			checkLoad(t, h, "LoadLast", c, m, err)
		})
	}
	for _, f := range invalidFilters {
		_, err := h.s.LoadLast(f)
		wantErr(t, fmt.Sprintf("LoadLast(%q)", f), err, store.ErrInvalidFilter)
	}
	t.Run("Empty", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		_, err := h.s.LoadLast("")
		wantErr(t, "LoadLast on a new store", err, store.ErrNotFound)
		h.add("a", "x")
		_, err = h.s.Purge(store.PurgeOpts{})
		noErr(t, "Purge", err)
		_, err = h.s.LoadLast("a")
		wantErr(t, "LoadLast after purge", err, store.ErrNotFound)
	})
}

// testLongGap: a few live messages spread over a long deleted range.
func testLongGap(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{})
	h.addN("k.a", 2000)
	h.add("k.b", "x")
	for seq := uint64(2); seq < 2000; seq++ {
		if _, err := h.s.Delete(seq, false, store.ReasonDelete); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []loadCase{
		{"", 2, 2000},
		{"k.*", 2, 2000},
		{"k.a", 2, 2000},
		{"k.b", 0, 2001},
		{">", 2001, 2001},
	} {
		m, err := h.s.LoadNext(c.filter, c.start)
		checkLoad(t, h, "LoadNext", c, m, err)
	}
	for _, c := range []loadCase{
		{"", 1999, 1},
		{"k.*", 1999, 1},
		{"k.a", 2001, 2000},
	} {
		m, err := h.s.LoadPrev(c.filter, c.start)
		checkLoad(t, h, "LoadPrev", c, m, err)
	}
	fs := h.s.FilteredState("", 2)
	if fs != (store.FilteredState{Msgs: 2, First: 2000, Last: 2001}) {
		t.Fatalf("FilteredState = %+v", fs)
	}
	if st := h.s.State(); st.NumDeleted != 1998 || len(h.s.Deleted()) != 1998 {
		t.Fatalf("NumDeleted = %d, Deleted has %d, want 1998", st.NumDeleted, len(h.s.Deleted()))
	}
}

// testManySubjects: more subjects than messages after the start point, and
// the reverse, so that implementations choosing between a scan and the subject
// index are exercised both ways.
func testManySubjects(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{})
	for i := range 300 {
		h.add(fmt.Sprintf("k.%d", i), "x")
		if i%3 == 0 {
			h.add("z", "y")
		}
	}
	last := h.s.State().LastSeq
	for start := uint64(1); start <= last; start += 37 {
		var want uint64
		for seq := start; seq <= last; seq++ {
			if h.seqs[seq] != "z" {
				want = seq
				break
			}
		}
		m, err := h.s.LoadNext("k.*", start)
		checkLoad(t, h, "LoadNext", loadCase{"k.*", start, want}, m, err)
		fs := h.s.FilteredState("k.*", start)
		var n uint64
		for seq := start; seq <= last; seq++ {
			if h.seqs[seq] != "z" {
				n++
			}
		}
		if fs.Msgs != n || fs.First != want {
			t.Fatalf("FilteredState(k.*, %d) = %+v, want msgs %d first %d", start, fs, n, want)
		}
	}
	var lastZ uint64
	for seq := range h.seqs {
		if h.seqs[seq] == "z" {
			lastZ = max(lastZ, seq)
		}
	}
	m, err := h.s.LoadNext("z", lastZ+1)
	checkLoad(t, h, "LoadNext", loadCase{"z", lastZ + 1, 0}, m, err)
	m, err = h.s.LoadLast("z")
	checkLoad(t, h, "LoadLast", loadCase{"z", 0, lastZ}, m, err)
}
