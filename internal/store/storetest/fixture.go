package storetest

import (
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// fixture builds the store most load and state tests read:
//
//	seq  1  2    3    4   5      6    7  8      9      10
//	     a  b.x  b.y  a   c.d.e  b.x  a  b.y.z  c.x.e  a
//
// with 4 (interior) and 10 (the last) deleted.
func fixture(t *testing.T, open Opener) *harness {
	t.Helper()
	h := newHarness(t, open, store.Config{})
	for _, subj := range []string{"a", "b.x", "b.y", "a", "c.d.e", "b.x", "a", "b.y.z", "c.x.e", "a"} {
		h.add(subj, "data-"+subj)
	}
	for _, seq := range []uint64{4, 10} {
		if ok, err := h.s.Delete(seq, false, store.ReasonDelete); !ok || err != nil {
			t.Fatalf("Delete(%d) = %v, %v", seq, ok, err)
		}
	}
	return h
}

// invalidFilters are rejected with ErrInvalidFilter.
var invalidFilters = []string{"a..b", "a.>.b", ".a", "a.", "a b"}
