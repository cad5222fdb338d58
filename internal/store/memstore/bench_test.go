package memstore_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/store/memstore"
)

const (
	benchMsgs     = 100_000
	benchSubjects = 100
)

var benchPayload = make([]byte, 128)

// filled returns a store with benchMsgs messages spread round-robin over
// benchSubjects subjects "bench.<i>".
func filled(b *testing.B, cfg store.Config) (*memstore.Store, []string) {
	b.Helper()
	s := memstore.New(cfg)
	b.Cleanup(func() { s.Close() })
	subjects := make([]string, benchSubjects)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("bench.%d", i)
	}
	for i := range benchMsgs {
		if _, err := s.Append(subjects[i%benchSubjects], nil, benchPayload, int64(i), 0, nil); err != nil {
			b.Fatal(err)
		}
	}
	return s, subjects
}

func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  store.Config
	}{
		{"unlimited", store.Config{}},
		{"max_msgs", store.Config{MaxMsgs: 10_000}},
		{"per_subject", store.Config{MaxMsgsPerSubject: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := memstore.New(c.cfg)
			defer s.Close()
			subjects := []string{"bench.a", "bench.b", "bench.c", "bench.d"}
			b.ReportAllocs()
			b.SetBytes(int64(len(benchPayload)))
			i := 0
			for b.Loop() {
				if _, err := s.Append(subjects[i&3], nil, benchPayload, int64(i), 0, nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("waiter", func(b *testing.B) {
		s := memstore.New(store.Config{})
		defer s.Close()
		var w countWaiter
		b.ReportAllocs()
		b.SetBytes(int64(len(benchPayload)))
		for b.Loop() {
			if _, err := s.Append("bench.w", nil, benchPayload, 0, 0, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A KV bucket: 10k keys updated at random, one message kept per key, so
	// live messages are scattered over a long sequence range.
	b.Run("kv_random", func(b *testing.B) {
		s := memstore.New(store.Config{MaxMsgsPerSubject: 1})
		defer s.Close()
		keys := make([]string, 10_000)
		for i := range keys {
			keys[i] = fmt.Sprintf("$KV.b.k%d", i)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Append(keys[rng.IntN(len(keys))], nil, benchPayload[:16], 0, 0, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type countWaiter struct{ n int }

func (w *countWaiter) Done(uint64, error) { w.n++ }

func BenchmarkLoad(b *testing.B) {
	s, _ := filled(b, store.Config{})
	b.ReportAllocs()
	seq := uint64(0)
	for b.Loop() {
		seq = seq%benchMsgs + 1
		if _, err := s.Load(seq); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadNext(b *testing.B) {
	s, _ := filled(b, store.Config{})
	for _, filter := range []string{">", "bench.7", "bench.*", "*.7"} {
		b.Run(filter, func(b *testing.B) {
			b.ReportAllocs()
			start := uint64(1)
			for b.Loop() {
				m, err := s.LoadNext(filter, start)
				if err != nil {
					start = 1 // walked off the end: start over
					continue
				}
				start = m.Seq + 1
			}
		})
	}
}

func BenchmarkFilteredState(b *testing.B) {
	s, _ := filled(b, store.Config{})
	for _, filter := range []string{">", "bench.7", "bench.*", "*.7"} {
		b.Run(filter, func(b *testing.B) {
			b.ReportAllocs()
			start := uint64(1)
			var total uint64
			for b.Loop() {
				start = start*7919%benchMsgs + 1
				total += s.FilteredState(filter, start).Msgs
			}
			if total == 0 {
				b.Fatal("FilteredState found nothing")
			}
		})
	}
}
