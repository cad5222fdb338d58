package store

import (
	"testing"
	"time"
)

func TestIOStats(t *testing.T) {
	var s IOStats
	s.Fsync(2, 300*time.Microsecond)
	s.Fsync(1, 2*time.Second) // past the last bucket: counted in +Inf only
	s.Fsync(0, time.Second)   // nothing synced: not recorded
	s.Written(100)
	s.Written(50)
	for _, n := range []int{1, 3, 500} {
		s.Committed(n)
	}
	snap := s.Snapshot()
	if snap.Fsyncs != 3 || snap.BytesWritten != 150 {
		t.Fatalf("counters %+v", snap)
	}
	if h := snap.FsyncSeconds; h.Count != 2 || h.Buckets[0.00025] != 0 || h.Buckets[0.0005] != 1 || h.Buckets[1] != 1 || h.Sum < 2.0003 || h.Sum > 2.0004 {
		t.Fatalf("fsync histogram %+v", h)
	}
	if h := snap.CommitBatch; h.Count != 3 || h.Buckets[1] != 1 || h.Buckets[4] != 2 || h.Buckets[512] != 3 || h.Sum != 504 {
		t.Fatalf("batch histogram %+v", h)
	}
	var none *IOStats // a store opened without stats
	none.Fsync(1, time.Millisecond)
	if got := none.Snapshot(); got.Fsyncs != 0 {
		t.Fatalf("nil stats %+v", got)
	}
}
