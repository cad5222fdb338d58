package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// testConcurrent runs writers, removers and readers at once; it is meant for
// the race detector, and ends with the usual consistency and accounting checks.
func testConcurrent(t *testing.T, open Opener) {
	h := newHarness(t, open, store.Config{MaxMsgsPerSubject: 50, MaxAge: time.Hour})
	const writers, perWriter = 3, 400
	var appended atomic.Uint64
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for j := range perWriter {
				subj := fmt.Sprintf("c.%d.%d", i, j%7)
				if _, err := h.s.Append(subj, nil, []byte("x"), t0+int64(j), 0, nil); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				appended.Add(1)
			}
		})
	}
	wg.Go(func() {
		for j := range 300 {
			seq := uint64(j*4 + 1)
			if _, err := h.s.Delete(seq, j%2 == 0, store.ReasonDelete); err != nil {
				t.Errorf("Delete: %v", err)
			}
			if j%50 == 0 {
				if _, err := h.s.Purge(store.PurgeOpts{Subject: "c.1.>", Keep: 20}); err != nil {
					t.Errorf("Purge: %v", err)
				}
			}
		}
	})
	for r := range 2 {
		wg.Go(func() {
			for j := range 500 {
				filter := []string{">", "c.0.3", "c.*.1", "c.2.>"}[(j+r)%4]
				if m, err := h.s.LoadNext(filter, uint64(j)); err == nil && m.Seq < uint64(j) {
					t.Errorf("LoadNext(%q, %d) = %d", filter, j, m.Seq)
				}
				fs := h.s.FilteredState(filter, uint64(j))
				if fs.Msgs > 0 && (fs.First < uint64(j) || fs.Last < fs.First) {
					t.Errorf("FilteredState(%q, %d) = %+v", filter, j, fs)
				}
				_ = h.s.SubjectsState(filter)
				_, _ = h.s.LoadLast(filter)
				_ = h.s.State()
				if _, err := h.s.Expire(t0); err != nil {
					t.Errorf("Expire: %v", err)
				}
			}
		})
	}
	wg.Wait()
	h.appended += appended.Load()
	h.checkConsistent()
}
