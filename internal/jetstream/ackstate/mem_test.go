package ackstate

import (
	"runtime"
	"testing"
	"time"
)

// TestHeapPerPending reports (with -v) how much heap a pending message costs
// with 100k pending, and fails above issue 5's 64 bytes. The figure is
// deterministic (61.0 bytes with Go 1.26: a 24-byte entry in a swiss map,
// about 52 bytes with its key, control byte and free slots, plus about 9
// bytes of order); see docs/consumers.md.
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
	if per > 64 {
		t.Fatalf("heap per pending message %.1f bytes, more than 64", per)
	}
	runtime.KeepAlive(st)
}
