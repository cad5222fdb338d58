package store

import (
	"sync/atomic"
	"time"
)

// IOStats counts a store's disk work for monitoring: fsyncs and their
// latency, bytes written, and how many appends each group commit made
// durable. One IOStats may be shared by many stores; all methods are safe for
// concurrent use and cost a few atomic adds.
type IOStats struct {
	fsyncs       atomic.Uint64
	bytesWritten atomic.Uint64
	fsyncLatency histogram // seconds
	commitBatch  histogram // appends per group commit
}

// FsyncBuckets and BatchBuckets are the histograms' upper bounds.
var (
	FsyncBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}
	BatchBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}
)

// Fsync records one flush cycle's syncs and how long they took.
func (s *IOStats) Fsync(n int, d time.Duration) {
	if s == nil || n == 0 {
		return
	}
	s.fsyncs.Add(uint64(n))
	s.fsyncLatency.observe(FsyncBuckets, d.Seconds())
}

// Written records bytes written to segment files.
func (s *IOStats) Written(n int) {
	if s != nil && n > 0 {
		s.bytesWritten.Add(uint64(n))
	}
}

// Committed records a group commit that made n appends durable.
func (s *IOStats) Committed(n int) {
	if s != nil && n > 0 {
		s.commitBatch.observe(BatchBuckets, float64(n))
	}
}

// IOSnapshot is a copy of IOStats.
type IOSnapshot struct {
	Fsyncs       uint64
	BytesWritten uint64
	FsyncSeconds HistogramSnapshot
	CommitBatch  HistogramSnapshot
}

// HistogramSnapshot holds cumulative counts per upper bound, as Prometheus
// histograms do.
type HistogramSnapshot struct {
	Count   uint64
	Sum     float64
	Buckets map[float64]uint64
}

// Snapshot copies the counters.
func (s *IOStats) Snapshot() IOSnapshot {
	if s == nil {
		return IOSnapshot{}
	}
	return IOSnapshot{
		Fsyncs:       s.fsyncs.Load(),
		BytesWritten: s.bytesWritten.Load(),
		FsyncSeconds: s.fsyncLatency.snapshot(FsyncBuckets),
		CommitBatch:  s.commitBatch.snapshot(BatchBuckets),
	}
}

// histogram counts observations per bucket (non-cumulative) and their sum.
type histogram struct {
	counts [16]atomic.Uint64 // one per bucket, the last for +Inf
	count  atomic.Uint64
	sumE6  atomic.Uint64 // sum in millionths, so it can be an atomic integer
}

func (h *histogram) observe(bounds []float64, v float64) {
	i := len(bounds)
	for k, b := range bounds {
		if v <= b {
			i = k
			break
		}
	}
	h.counts[i].Add(1)
	h.count.Add(1)
	h.sumE6.Add(uint64(v * 1e6))
}

func (h *histogram) snapshot(bounds []float64) HistogramSnapshot {
	out := HistogramSnapshot{Count: h.count.Load(), Sum: float64(h.sumE6.Load()) / 1e6, Buckets: make(map[float64]uint64, len(bounds))}
	var cum uint64
	for k, b := range bounds {
		cum += h.counts[k].Load()
		out.Buckets[b] = cum
	}
	return out
}
