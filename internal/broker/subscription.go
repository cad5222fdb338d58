package broker

import "sync/atomic"

// Subscriber receives messages for its subscriptions.
type Subscriber interface {
	// Deliver queues one message for sub. The slices are valid only during the
	// call: an implementation copies what it keeps. It must not block; a subscriber
	// that cannot keep up drops itself (slow consumer), never the publisher.
	// hdr is nil for a message without headers.
	Deliver(sub *Subscription, subject, reply, hdr, payload []byte)
}

// SystemOrigin is implemented by publishers that can be system-account
// users; a publisher that does not implement it is not one. A nil origin
// (the server itself) is.
type SystemOrigin interface {
	System() bool
}

// Subscription is one interest registered with a Broker.
type Subscription struct {
	Subject string
	Queue   string
	SID     []byte     // the client's subscription id, as it appears in MSG
	Owner   Subscriber // who receives deliveries
	// NoEcho suppresses delivery of messages whose origin is Owner.
	NoEcho bool
	// System marks a subscription of a system-account user or of the server
	// itself: on $SYS subjects it sees only what system publishers send, and
	// other subscriptions see only what other publishers send.
	System bool

	max       atomic.Int64 // auto-unsubscribe after this many deliveries; 0: unlimited
	delivered atomic.Int64
	removed   atomic.Bool
}

// Delivered reports how many messages were handed to the owner.
func (s *Subscription) Delivered() int64 { return s.delivered.Load() }

// Max is the auto-unsubscribe limit (0: none).
func (s *Subscription) Max() int64 { return s.max.Load() }

// Removed reports whether the subscription left the index (unsubscribe, auto-unsubscribe, close).
func (s *Subscription) Removed() bool { return s.removed.Load() }

// take reserves one delivery, honouring the auto-unsubscribe limit.
// last is true when this delivery reaches the limit.
func (s *Subscription) take() (ok, last bool) {
	n := s.delivered.Add(1)
	max := s.max.Load()
	if max <= 0 {
		return true, false
	}
	if n > max {
		return false, false
	}
	return true, n == max
}
