// Package storetest is the conformance suite for store.Store implementations.
//
// Run drives a fresh store per subtest through every method of store.Store and
// store.ConsumerStore: sequence assignment, loads with literal and wildcard
// filters, per-subject and filtered state (consumer num_pending, which must be
// exact), deletes, purges, compaction, truncation, every discard-old limit,
// expiry with time passed in, configuration updates, waiters, consumer state,
// errors after Close, concurrent use, and seeded randomized comparisons against
// reference models of the store (model.go) and of consumer state
// (consumermodel.go). The models are also the executable statement of the
// semantics. RunDurable adds the cases that close and reopen one store;
// durable implementations run both:
//
//	func TestConformance(t *testing.T) {
//		open := func(t *testing.T, dir string, cfg store.Config) store.Store { ... }
//		storetest.Run(t, func(t *testing.T, cfg store.Config) store.Store { return open(t, t.TempDir(), cfg) })
//		storetest.RunDurable(t, open)
//	}
//
// Every subtest also checks, when it ends, that each removal was reported
// through OnRemove exactly once, with the message's subject, and that
// appended = live + removed. No case sleeps; waits for a store's own goroutine
// have a deadline and fail rather than hang.
//
// Semantics pinned here beyond store.go (each as nats-server's memstore does,
// unless noted):
//
//   - A never-written store with Config.FirstSeq 0 reports FirstSeq 0 and
//     LastSeq 0 (JETSTREAM-API.md §8); with FirstSeq n > 0 it reports n and
//     n-1. An emptied store reports FirstSeq = LastSeq+1 and FirstTime 0.
//     LastSeq never decreases except through Truncate; LastTime survives
//     removals (also across a reopen).
//   - NumDeleted = LastSeq-FirstSeq+1-Msgs for a non-empty store, 0 when empty;
//     Deleted lists exactly those sequences.
//   - Filters: "" and ">" match everything; an invalid filter gives
//     ErrInvalidFilter from loads and Purge and empty results elsewhere.
//   - LoadNext treats start 0 as 1; LoadPrev clamps start to LastSeq and finds
//     nothing for start 0. FilteredState is all zero when nothing matches.
//   - Purge removes a message when it matches Subject, its sequence is below
//     Seq (if set) and it is not among the newest Keep matching messages (if
//     set). Keep counts messages, not sequences, and Seq 1 removes nothing
//     (nats-server PR #8241 made its memstore agree with its filestore on
//     both). Purge{Seq} without a subject is Compact(Seq).
//   - Compact past LastSeq+1 empties the store and sets LastSeq = seq-1, so
//     the next append gets seq.
//   - Truncate(seq) of a live seq makes it LastSeq, with its time as LastTime;
//     the next append reuses seq+1.
//   - Limits are enforced on Append in the order max_msgs_per_subject (the new
//     message's subject), max_msgs, max_bytes, each removing oldest first; a
//     message larger than MaxBytes removes itself (RETENTION.md §2, discard
//     old). UpdateConfig enforces the same limits at once; a shorter MaxAge
//     waits for the next Expire. Append never expires anything.
//   - Expire(now) removes a message whose TTL is due (time+ttl <= now) with
//     ReasonTTL, then messages with time <= now-MaxAge with ReasonMaxAge,
//     skipping TTL -1 (RETENTION.md §2); a positive TTL longer than MaxAge does
//     not extend it (nats-server's expireMsgs skips only negative TTLs). It
//     returns the earliest time anything left is due.
//   - Waiter.Done may be called from any goroutine, but in sequence order and
//     never with a lock that Load or State needs: Done may read the store.
//   - Consumer state: see consumer.go.
package storetest
