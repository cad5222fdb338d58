package ackstate

import (
	"runtime"
	"testing"
	"time"
)

// TestHeapPerPending reports (with -v) how much heap a pending message costs;
// docs record the number, the test only guards against a gross regression.
func TestHeapPerPending(t *testing.T) {
	const n = 100_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st := New(Config{AckPolicy: AckExplicit, AckWait: time.Minute}, 0)
	for i := uint64(1); i <= n; i++ {
		st.Deliver(i, int64(i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("heap per pending message: %.1f bytes", per)
	if per > 256 {
		t.Fatalf("heap per pending message %.1f bytes, more than 256", per)
	}
	runtime.KeepAlive(st)
}
