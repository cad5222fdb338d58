// Package storetest is the conformance suite for store.Store implementations.
//
// Run drives a fresh store per subtest through every method of store.Store and
// store.ConsumerStore: sequence assignment, loads with literal and wildcard
// filters, per-subject and filtered state (consumer num_pending, which must be
// exact), deletes, purges, compaction, truncation, every discard-old limit,
// expiry with time passed in, configuration updates, removal reporting,
// waiters, consumer state, errors, and a seeded randomized comparison against a
// reference model (model.go) that also serves as the executable statement of
// the semantics. RunDurable adds the cases that close and reopen one store.
//
// Every subtest also checks, when it ends, that each removal was reported
// through OnRemove exactly once and that appended = live + removed.
//
// Semantics pinned here beyond store.go (each follows nats-server's memstore
// unless noted):
//
//   - A never-written store with Config.FirstSeq 0 reports FirstSeq 0 and
//     LastSeq 0; with FirstSeq n > 0 it reports n and n-1. Once written, an
//     empty store reports FirstSeq = LastSeq+1. LastSeq never decreases except
//     through Truncate; LastTime survives removals.
//   - NumDeleted = LastSeq-FirstSeq+1-Msgs for a non-empty store, 0 when empty;
//     Deleted lists exactly those sequences.
//   - Filters: "" and ">" match everything; an invalid filter gives
//     ErrInvalidFilter from loads and Purge and empty results elsewhere.
//   - LoadNext treats start 0 as 1; LoadPrev clamps start to LastSeq and finds
//     nothing for start 0. FilteredState is zero when nothing matches.
//   - Purge removes a message when it matches Subject, its sequence is below
//     Seq (if set) and it is not among the newest Keep matching messages (if
//     set). Keep counts messages, not sequences (nats-server's memstore keeps
//     the last Keep sequences when there is no subject; we follow the API
//     text). Purge{Seq} without a subject is Compact(Seq).
//   - Compact past LastSeq+1 empties the store and sets LastSeq = seq-1, so
//     the next append gets seq.
//   - Limits are enforced on Append in the order max_msgs_per_subject (the new
//     message's subject), max_msgs, max_bytes, each removing oldest first; a
//     message larger than MaxBytes removes itself. UpdateConfig enforces the
//     same limits at once; a shorter MaxAge waits for the next Expire.
//   - Expire(now) removes a message whose TTL is due (time+ttl <= now) with
//     ReasonTTL, then messages with time <= now-MaxAge with ReasonMaxAge,
//     skipping TTL -1 (RETENTION.md §2); a positive TTL longer than MaxAge does
//     not extend it. It returns the earliest time anything else is due.
//   - Consumer state: see consumer.go.
package storetest
