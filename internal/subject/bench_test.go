package subject

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var regions = []string{"eu", "us", "ap", "sa", "af", "me", "cn", "in", "au", "ca"}

// benchEntries is a realistic mix of 100,000 subscriptions: mostly literal
// order subjects, request inboxes, '*' and '>' filters, a few broad
// monitoring filters and queue-group workers.
func benchEntries() []entry {
	var es []entry
	add := func(filter, queue string) { es = append(es, entry{filter, queue, len(es)}) }
	for i := range 70000 {
		add(fmt.Sprintf("orders.%s.%d", regions[i%len(regions)], i), "")
	}
	for i := range 10000 {
		add(fmt.Sprintf("_INBOX.%08x.*", i*7919), "")
	}
	for i := range 5000 {
		add(fmt.Sprintf("events.tenant%d.*.created", i), "")
	}
	for i := range 5000 {
		add(fmt.Sprintf("telemetry.dev%d.>", i), "")
	}
	for i := range 9980 { // 100 services, about 100 workers each
		add(fmt.Sprintf("svc.s%d.>", i%100), "workers")
	}
	for _, r := range regions {
		add("orders."+r+".*", "")
		add("orders."+r+".*", "audit")
	}
	return es
}

func benchIndex(b *testing.B, cacheSize int) *Index[int] {
	b.Helper()
	x := NewIndex[int]()
	x.cache.max = cacheSize
	for _, e := range benchEntries() {
		if err := x.Insert(e.filter, e.queue, e.v); err != nil {
			b.Fatal(err)
		}
	}
	if x.Count() != 100000 {
		b.Fatalf("Count() = %d", x.Count())
	}
	return x
}

func BenchmarkIndexMatch(b *testing.B) {
	x := benchIndex(b, defaultCacheSize)
	nocache := benchIndex(b, 0)
	// 100k distinct published subjects: far more than the cache holds.
	subjects := make([]string, 100000)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("orders.%s.%d", regions[i%len(regions)], i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(subjects), func(i, j int) {
		subjects[i], subjects[j] = subjects[j], subjects[i]
	})
	const hot = "orders.eu.4240"
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		x.Match(hot)
		for b.Loop() {
			x.Match(hot)
		}
	})
	b.Run("hit-bytes", func(b *testing.B) {
		b.ReportAllocs()
		hb := []byte(hot)
		x.MatchBytes(hb)
		for b.Loop() {
			x.MatchBytes(hb)
		}
	})
	b.Run("hit-parallel", func(b *testing.B) {
		b.ReportAllocs()
		x.Match(hot)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				x.Match(hot)
			}
		})
	})
	b.Run("miss", func(b *testing.B) { // trie walk plus cache insert and eviction
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x.Match(subjects[i%len(subjects)])
			i++
		}
	})
	b.Run("miss-nocache", func(b *testing.B) { // trie walk only
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			nocache.Match(subjects[i%len(subjects)])
			i++
		}
	})
	b.Run("miss-queue", func(b *testing.B) { // about 100 queue members copied
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			nocache.Match(fmt.Sprintf("svc.s%d.req", i%100))
			i++
		}
	})
	b.Run("miss-no-interest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nocache.Match("nobody.listens.here")
		}
	})
	b.Run("has-interest-miss", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			nocache.HasInterest(subjects[i%len(subjects)])
			i++
		}
	})
}

// BenchmarkIndexInsert inserts into an index of 100,000 subscriptions,
// taking the new entries out again (untimed) whenever a batch is used up.
func BenchmarkIndexInsert(b *testing.B) {
	x := benchIndex(b, defaultCacheSize)
	batch := extraEntries()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(batch) {
			b.StopTimer()
			for _, e := range batch {
				_ = x.Remove(e.filter, e.queue, e.v)
			}
			i = 0
			b.StartTimer()
		}
		e := batch[i]
		if err := x.Insert(e.filter, e.queue, e.v); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkIndexRemove removes from an index of 100,000 subscriptions,
// putting the entries back (untimed) whenever a batch is used up.
func BenchmarkIndexRemove(b *testing.B) {
	x := benchIndex(b, defaultCacheSize)
	batch := extraEntries()
	refill := func() {
		for _, e := range batch {
			_ = x.Insert(e.filter, e.queue, e.v)
		}
	}
	refill()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(batch) {
			b.StopTimer()
			refill()
			i = 0
			b.StartTimer()
		}
		e := batch[i]
		if err := x.Remove(e.filter, e.queue, e.v); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkIndexChurnWarm inserts and removes a request-inbox filter while
// the cache is full of hot subjects, so each write pays for eviction.
func BenchmarkIndexChurnWarm(b *testing.B) {
	x := benchIndex(b, defaultCacheSize)
	for i := range defaultCacheSize {
		x.Match(fmt.Sprintf("orders.%s.%d", regions[i%len(regions)], i))
	}
	for _, f := range []string{"_INBOX.churn.*", "orders.eu.4240"} {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := x.Insert(f, "", -1); err != nil {
					b.Fatal(err)
				}
				if err := x.Remove(f, "", -1); err != nil {
					b.Fatal(err)
				}
			}
			if n := x.Stats().Cached; n < defaultCacheSize/2 {
				b.Fatalf("cache drained to %d", n)
			}
		})
	}
}

// extraEntries are 10,000 new subscriptions in the same mix as benchEntries.
func extraEntries() []entry {
	var es []entry
	for i := range 10000 {
		v := 1_000_000 + i
		switch i % 4 {
		case 0, 1:
			es = append(es, entry{fmt.Sprintf("orders.%s.x%d", regions[i%len(regions)], i), "", v})
		case 2:
			es = append(es, entry{fmt.Sprintf("_INBOX.x%d.*", i), "", v})
		case 3:
			es = append(es, entry{fmt.Sprintf("svc.s%d.>", i%100), "workers", v})
		}
	}
	return es
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	s := []byte("orders.eu.12345.created")
	for b.Loop() {
		MatchBytes("orders.*.*.>", s)
	}
}

func BenchmarkValidLiteralBytes(b *testing.B) {
	b.ReportAllocs()
	s := []byte("orders.eu.12345.created")
	for b.Loop() {
		ValidLiteralBytes(s)
	}
}
