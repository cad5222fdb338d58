package broker

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
)

// nopSubscriber counts deliveries and keeps nothing, so that the benchmarks
// measure the broker's own cost: match, the per-subscription checks and the
// interface call.
type nopSubscriber struct{ n int }

func (s *nopSubscriber) Deliver(*Subscription, []byte, []byte, []byte, []byte) { s.n++ }

var benchPayload = make([]byte, 128)

// subscribeN registers n subscriptions on filter (in queue group queue, "" for
// none), each owned by its own subscriber, as n connections would be.
func subscribeN(b *testing.B, br *Broker, filter, queue string, n int) []*nopSubscriber {
	b.Helper()
	subs := make([]*nopSubscriber, n)
	for i := range subs {
		subs[i] = &nopSubscriber{}
		sub := &Subscription{Subject: filter, Queue: queue, SID: []byte(strconv.Itoa(i + 1)), Owner: subs[i]}
		if err := br.Subscribe(sub); err != nil {
			b.Fatal(err)
		}
	}
	return subs
}

func delivered(subs []*nopSubscriber) int {
	n := 0
	for _, s := range subs {
		n += s.n
	}
	return n
}

// BenchmarkPublish is the fan-out of one 128-byte message to 1, 10 and 100
// plain subscribers of one literal subject (a cached match).
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			br := New(Options{})
			subs := subscribeN(b, br, "bench.fanout", "", n)
			subj := []byte("bench.fanout")
			b.ReportAllocs()
			ops := 0
			for b.Loop() {
				br.Publish(nil, subj, nil, nil, benchPayload)
				ops++
			}
			if got := delivered(subs); got != ops*n {
				b.Fatalf("delivered %d, want %d", got, ops*n)
			}
			b.ReportMetric(float64(n), "deliveries/op")
		})
	}
}

// BenchmarkPublishNoInterest is a publish nobody listens to: `nats bench pub`
// without a subscriber.
func BenchmarkPublishNoInterest(b *testing.B) {
	br := New(Options{})
	subscribeN(b, br, "other.subject", "", 1)
	subj := []byte("bench.nobody")
	b.ReportAllocs()
	for b.Loop() {
		if br.Publish(nil, subj, nil, nil, benchPayload) != 0 {
			b.Fatal("delivered without interest")
		}
	}
}

// BenchmarkPublishQueue sends to one member of a queue group of 10 (a random
// start), alone and next to 10 plain subscribers.
func BenchmarkPublishQueue(b *testing.B) {
	for _, plain := range []int{0, 10} {
		b.Run(fmt.Sprintf("members=10/plain=%d", plain), func(b *testing.B) {
			br := New(Options{})
			members := subscribeN(b, br, "bench.queue", "workers", 10)
			others := subscribeN(b, br, "bench.queue", "", plain)
			subj := []byte("bench.queue")
			b.ReportAllocs()
			ops := 0
			for b.Loop() {
				br.Publish(nil, subj, nil, nil, benchPayload)
				ops++
			}
			if got := delivered(members); got != ops {
				b.Fatalf("queue got %d, want %d", got, ops)
			}
			if got := delivered(others); got != ops*plain {
				b.Fatalf("plain got %d, want %d", got, ops*plain)
			}
		})
	}
}

// index100k fills br with 100,000 subscriptions shaped like a busy account:
// literal per-entity subjects, inbox wildcards, '>' filters and queue workers.
func index100k(b *testing.B, br *Broker) {
	b.Helper()
	owner := &nopSubscriber{}
	add := func(filter, queue string) {
		sub := &Subscription{Subject: filter, Queue: queue, SID: []byte("1"), Owner: owner}
		if err := br.Subscribe(sub); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 80000 {
		add("orders.eu."+strconv.Itoa(i), "")
	}
	for i := range 10000 {
		add(fmt.Sprintf("_INBOX.%08x.*", i*7919), "")
	}
	for i := range 5000 {
		add(fmt.Sprintf("telemetry.dev%d.>", i), "")
	}
	for i := range 5000 {
		add(fmt.Sprintf("svc.s%d.>", i%100), "workers")
	}
	if got := br.NumSubscriptions(); got != 100000 {
		b.Fatalf("NumSubscriptions() = %d", got)
	}
}

// BenchmarkPublishIndex100k publishes into an index of 100k subscriptions.
// "hot" repeats one subject (answered by the match cache, as a `nats bench`
// run is); "spread" cycles through 100k distinct subjects, far more than the
// cache holds, as request inboxes and per-entity subjects do; "queue" hits a
// service's 50 queue workers.
func BenchmarkPublishIndex100k(b *testing.B) {
	br := New(Options{})
	index100k(b, br)
	hot := []byte("orders.eu.4242")
	spread := make([][]byte, 100000)
	for i := range spread {
		spread[i] = []byte("orders.eu." + strconv.Itoa((i*7919)%80000))
	}
	b.Run("hot", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if br.Publish(nil, hot, nil, nil, benchPayload) != 1 {
				b.Fatal("want one delivery")
			}
		}
	})
	b.Run("spread", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if br.Publish(nil, spread[i%len(spread)], nil, nil, benchPayload) != 1 {
				b.Fatal("want one delivery")
			}
			i++
		}
	})
	b.Run("queue", func(b *testing.B) {
		subj := []byte("svc.s7.get.user")
		b.ReportAllocs()
		for b.Loop() {
			if br.Publish(nil, subj, nil, nil, benchPayload) != 1 {
				b.Fatal("want one delivery")
			}
		}
	})
}

// BenchmarkPublishParallel publishes from every P at once to one subscriber
// each, on distinct subjects: what several publishing connections share is the
// broker's counters and the index's locks.
func BenchmarkPublishParallel(b *testing.B) {
	br := New(Options{})
	const subjects = 64
	owner := &atomicSubscriber{}
	for i := range subjects {
		sub := &Subscription{Subject: "bench.par." + strconv.Itoa(i), SID: []byte("1"), Owner: owner}
		if err := br.Subscribe(sub); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		subj := []byte("bench.par." + strconv.Itoa(int(next.Add(1))%subjects))
		for pb.Next() {
			br.Publish(nil, subj, nil, nil, benchPayload)
		}
	})
	if owner.n.Load() == 0 {
		b.Fatal("nothing delivered")
	}
}

// atomicSubscriber is nopSubscriber for deliveries from several goroutines.
type atomicSubscriber struct{ n atomic.Int64 }

func (s *atomicSubscriber) Deliver(*Subscription, []byte, []byte, []byte, []byte) { s.n.Add(1) }
