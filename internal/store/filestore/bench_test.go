package filestore

import (
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

var flagHeap = flag.Int("filestore.heap", 0, "messages for TestHeapAndRecovery (0: skip); e.g. 2000000")

// slot is a Waiter that frees an in-flight slot when its append is durable.
type slot chan struct{}

func (s slot) Done(_ uint64, err error) {
	if err != nil {
		panic(err)
	}
	<-s
}

func benchStore(b *testing.B, cfg store.Config) *Store {
	s, err := Open(b.TempDir(), cfg, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

var benchSubjects = func() []string {
	out := make([]string, 1000)
	for i := range out {
		out[i] = fmt.Sprintf("bench.subject.%d", i)
	}
	return out
}()

// BenchmarkAppendDurable appends 128-byte and 4 KiB messages with
// SyncInterval 0 (every append acknowledged after the fdatasync covering it),
// keeping a fixed number of appends in flight.
func BenchmarkAppendDurable(b *testing.B) {
	for _, size := range []int{128, 4096} {
		for _, inflight := range []int{1, 8, 64, 500} {
			name := fmt.Sprintf("inflight=%d", inflight)
			if size != 128 {
				name = fmt.Sprintf("size=%d/%s", size, name)
			}
			benchAppendDurable(b, name, make([]byte, size), inflight)
		}
	}
}

func benchAppendDurable(b *testing.B, name string, data []byte, inflight int) {
	b.Run(name, func(b *testing.B) {
		s := benchStore(b, store.Config{})
		sem := make(slot, inflight)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sem <- struct{}{}
			if _, err := s.Append(benchSubjects[i%len(benchSubjects)], nil, data, int64(i), 0, sem); err != nil {
				b.Fatal(err)
			}
			i++
		}
		for range inflight {
			sem <- struct{}{}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkAppendInterval appends with SyncInterval 2m (acknowledged after the
// write, synced every two minutes): nats-server's default behaviour.
func BenchmarkAppendInterval(b *testing.B) {
	data := make([]byte, 128)
	s := benchStore(b, store.Config{SyncInterval: 2 * time.Minute})
	sem := make(slot, 4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sem <- struct{}{}
		if _, err := s.Append(benchSubjects[i%len(benchSubjects)], nil, data, int64(i), 0, sem); err != nil {
			b.Fatal(err)
		}
		i++
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func filledStore(b *testing.B, n int) *Store {
	s := benchStore(b, store.Config{SyncInterval: time.Hour})
	data := make([]byte, 128)
	for i := range n {
		if _, err := s.Append(benchSubjects[i%len(benchSubjects)], nil, data, int64(i), 0, nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkLoad(b *testing.B) {
	const n = 200_000
	s := filledStore(b, n)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(1 + rng.Uint64N(n)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadLast(b *testing.B) {
	s := filledStore(b, 200_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.LoadLast(benchSubjects[i%len(benchSubjects)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkLoadNextFiltered(b *testing.B) {
	const n = 200_000
	s := filledStore(b, n)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.LoadNext("bench.subject.7", 1+rng.Uint64N(n-1000)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHeapAndRecovery appends -filestore.heap messages (128-byte payloads,
// 1000 subjects), reports heap bytes per message and the extrapolation to 10
// million, then the time to reopen (the index is always rebuilt from the
// segments).
func TestHeapAndRecovery(t *testing.T) {
	n := *flagHeap
	if n == 0 {
		t.Skip("set -filestore.heap=N (e.g. 2000000)")
	}
	dir := t.TempDir()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	s, err := Open(dir, store.Config{SyncInterval: time.Hour}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 128)
	start := time.Now()
	for i := range n {
		if _, err := s.Append(benchSubjects[i%len(benchSubjects)], nil, data, int64(i), 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	after := heap()
	per := float64(after-before) / float64(n)
	t.Logf("appended %d msgs in %v (%.0f msgs/s)", n, took, float64(n)/took.Seconds())
	t.Logf("heap %.1f MiB, %.1f bytes/msg, 10M msgs ≈ %.0f MiB", float64(after-before)/(1<<20), per, per*10e6/(1<<20))
	runtime.KeepAlive(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	s, err = Open(dir, store.Config{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	t.Logf("reopen of %d msgs: %v; 10M msgs ≈ %v", s.State().Msgs, d, time.Duration(float64(d)*10e6/float64(n)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkOpen measures recovery: reopening a closed store of 200,000
// messages rebuilds its index from the segments (page cache warm).
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(dir, store.Config{SyncInterval: time.Hour}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 128)
	const n = 200_000
	for i := range n {
		s.Append(benchSubjects[i%len(benchSubjects)], nil, data, int64(i), 0, nil)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Open(dir, store.Config{}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkConsumerSetState writes whole consumer snapshots, as a JetStream
// consumer's persister does after every batch of deliveries and acks, with
// n messages pending, on the in-memory file system so that the CPU of
// encoding and bookkeeping shows rather than the disk.
func BenchmarkConsumerSetState(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			s, err := Open("/db", store.Config{}, Options{FS: newMemFS(), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			cs, err := s.ConsumerStore("c")
			if err != nil {
				b.Fatal(err)
			}
			st := &store.ConsumerState{Pending: map[uint64]store.Pending{}}
			for i := uint64(1); i <= uint64(n); i++ {
				st.Pending[i] = store.Pending{Consumer: i, Time: int64(i) * 1e9}
			}
			next := uint64(n)
			b.ReportAllocs()
			for b.Loop() {
				delete(st.Pending, next-uint64(n)+1)
				next++
				st.Pending[next] = store.Pending{Consumer: next, Time: int64(next) * 1e9}
				st.Delivered = store.SeqPair{Consumer: next, Stream: next}
				if err := cs.SetState(st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
