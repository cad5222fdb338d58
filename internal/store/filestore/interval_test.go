package filestore

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// TestSyncIntervalTick checks the loss window of SyncInterval mode with a fake
// clock: an acknowledged append is lost on power failure until the next tick,
// and not after it. The store starts in "always" mode and switches by
// UpdateConfig, so the flusher must follow the change.
func TestSyncIntervalTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := newMemFS()
		s := mustOpen(t, "/db", store.Config{}, testOpts(t, fs))
		defer s.Close()
		s.Append("a", nil, []byte("synced"), 1, 0, nil)
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateConfig(store.Config{SyncInterval: time.Minute}); err != nil {
			t.Fatal(err)
		}
		rec := &syncRecorder{}
		seq, _ := s.Append("a", nil, []byte("in the window"), 2, 0, rec)
		synctest.Wait() // the flusher wrote it and acknowledged it
		if got := rec.snapshot(); len(got) != 1 || got[0] != seq {
			t.Fatalf("acks %v", got)
		}
		lost := func() bool {
			s2 := mustOpen(t, "/db", store.Config{}, quietOpts(fs.crash(nil)))
			defer s2.Close()
			_, err := s2.Load(seq)
			return err != nil
		}
		if !lost() {
			t.Fatal("append synced before the interval elapsed")
		}
		time.Sleep(time.Minute + time.Second) // fake time: one tick
		synctest.Wait()
		if lost() {
			t.Fatal("acknowledged append still not durable after one interval")
		}
	})
}
