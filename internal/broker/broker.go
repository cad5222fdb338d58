package broker

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Sentinel errors.
var (
	// ErrInvalidSubject is returned for a subscription whose subject or queue is malformed.
	ErrInvalidSubject = errors.New("broker: invalid subject")
)

// Options configure a Broker.
type Options struct {
	Logger *slog.Logger
}

// Stats are cumulative message counters of a Broker.
type Stats struct {
	InMsgs, InBytes   uint64
	OutMsgs, OutBytes uint64
}

// Broker routes published messages to subscriptions. It is safe for concurrent use.
type Broker struct {
	log   *slog.Logger
	index *subject.Index[*Subscription]

	inMsgs, inBytes   atomic.Uint64
	outMsgs, outBytes atomic.Uint64

	waiters struct {
		sync.Mutex
		changed chan struct{} // closed and cleared by the next Subscribe; nil when nobody waits
	}
}

// New returns an empty broker.
func New(opts Options) *Broker {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Broker{log: log, index: subject.NewIndex[*Subscription]()}
}

// Subscribe registers sub.
func (b *Broker) Subscribe(sub *Subscription) error {
	if !subject.ValidSubject(sub.Subject) || (sub.Queue != "" && !subject.ValidQueue(sub.Queue)) {
		return ErrInvalidSubject
	}
	if err := b.index.Insert(sub.Subject, sub.Queue, sub); err != nil {
		return ErrInvalidSubject
	}
	b.waiters.Lock()
	if b.waiters.changed != nil {
		close(b.waiters.changed)
		b.waiters.changed = nil
	}
	b.waiters.Unlock()
	return nil
}

// WaitForInterest blocks until some subscription matches the literal subject,
// or ctx ends. Tests use it to know a subscriber is in place without sleeping.
func (b *Broker) WaitForInterest(ctx context.Context, subj string) error {
	for {
		b.waiters.Lock()
		if b.waiters.changed == nil {
			b.waiters.changed = make(chan struct{})
		}
		changed := b.waiters.changed
		b.waiters.Unlock()
		if b.HasInterest(subj) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Unsubscribe removes sub; removing it twice is harmless.
func (b *Broker) Unsubscribe(sub *Subscription) {
	if sub.removed.Swap(true) {
		return
	}
	_ = b.index.Remove(sub.Subject, sub.Queue, sub)
}

// AutoUnsubscribe makes sub leave after max deliveries in total. If it already
// had that many, it leaves now and AutoUnsubscribe reports true.
func (b *Broker) AutoUnsubscribe(sub *Subscription, max int64) bool {
	sub.max.Store(max)
	if max > 0 && sub.delivered.Load() >= max {
		b.Unsubscribe(sub)
		return true
	}
	return false
}

// HasInterest reports whether any subscription matches the literal subject.
func (b *Broker) HasInterest(subj string) bool { return b.index.HasInterest(subj) }

// NumSubscriptions is the number of registered subscriptions.
func (b *Broker) NumSubscriptions() int { return b.index.Count() }

// IndexStats reports the subscription index's counters (cache size, matches,
// cache hits, inserts, removes) for monitoring.
func (b *Broker) IndexStats() subject.Stats { return b.index.Stats() }

// Subscriptions calls fn for every subscription until fn returns false.
func (b *Broker) Subscriptions(fn func(*Subscription) bool) {
	b.index.All(func(_, _ string, s *Subscription) bool { return fn(s) })
}

// Stats returns the cumulative counters.
func (b *Broker) Stats() Stats {
	return Stats{InMsgs: b.inMsgs.Load(), InBytes: b.inBytes.Load(),
		OutMsgs: b.outMsgs.Load(), OutBytes: b.outBytes.Load()}
}

// Publish delivers a message to every matching plain subscription and to one
// member of every matching queue group. origin is the publishing Subscriber
// (nil for internal publishers); subscriptions of origin marked NoEcho are
// skipped. hdr is nil when the message has no headers. It returns the number of
// deliveries made.
func (b *Broker) Publish(origin Subscriber, subj, reply, hdr, payload []byte) int {
	size := uint64(len(hdr) + len(payload))
	b.inMsgs.Add(1)
	b.inBytes.Add(size)
	var res *subject.Result[*Subscription]
	if oneOff(subj) {
		r := oneOffResults.Get().(*subject.Result[*Subscription])
		defer oneOffResults.Put(r)
		res = b.index.MatchBytesInto(subj, r)
	} else {
		res = b.index.MatchBytes(subj)
	}
	d := delivery{origin: origin}
	if bytes.HasPrefix(subj, sysPrefix) {
		d.sysSubject = true
		d.sysOrigin = origin == nil
		if so, ok := origin.(SystemOrigin); ok {
			d.sysOrigin = so.System()
		}
	}
	n := 0
	for _, sub := range res.Plain {
		if b.deliver(d, sub, subj, reply, hdr, payload) {
			n++
		}
	}
	for i := range res.Queues {
		if b.deliverQueue(d, res.Queues[i].Members, subj, reply, hdr, payload) {
			n++
		}
	}
	if n > 0 {
		b.outMsgs.Add(uint64(n))
		b.outBytes.Add(uint64(n) * size)
	}
	return n
}

// oneOffResults are the match results of one-off subjects, reused: each
// PubAck, reply and ack would otherwise allocate one (a fifth of the
// allocations of a consumed message). A Publish holds one while it
// delivers; re-entrant publishes take their own.
var oneOffResults = sync.Pool{New: func() any { return new(subject.Result[*Subscription]) }}

// oneOff reports subjects that are published to once: request inboxes (each
// PubAck and reply goes to a fresh one) and JetStream ack subjects (one per
// delivered message). Caching their match results would only evict hot ones.
func oneOff(subj []byte) bool {
	return bytes.HasPrefix(subj, inboxPrefix) || bytes.HasPrefix(subj, ackPrefix)
}

var (
	inboxPrefix = []byte("_INBOX.")
	ackPrefix   = []byte("$JS.ACK.")
	// sysPrefix is the system account's namespace (auth.SystemPrefix): a
	// message there reaches only subscriptions on its publisher's side,
	// system or not, as if the system account were a separate account.
	sysPrefix = []byte("$SYS.")
)

// delivery is what deliver needs to know about the publisher.
type delivery struct {
	origin     Subscriber
	sysSubject bool // the subject is under $SYS.
	sysOrigin  bool // the publisher is the server or a system user
}

// deliverQueue hands the message to one member of a queue group, starting at a
// random member and moving on past members that cannot take it.
func (b *Broker) deliverQueue(d delivery, members []*Subscription, subj, reply, hdr, payload []byte) bool {
	if len(members) == 0 {
		return false
	}
	start := 0
	if len(members) > 1 {
		start = rand.IntN(len(members))
	}
	for i := range members {
		if b.deliver(d, members[(start+i)%len(members)], subj, reply, hdr, payload) {
			return true
		}
	}
	return false
}

func (b *Broker) deliver(d delivery, sub *Subscription, subj, reply, hdr, payload []byte) bool {
	if sub.NoEcho && d.origin != nil && sub.Owner == d.origin {
		return false
	}
	if d.sysSubject && sub.System != d.sysOrigin {
		return false
	}
	if sub.removed.Load() {
		return false
	}
	ok, last := sub.take()
	if !ok {
		return false
	}
	sub.Owner.Deliver(sub, subj, reply, hdr, payload)
	if last {
		b.Unsubscribe(sub)
	}
	return true
}
