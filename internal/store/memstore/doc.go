// Package memstore keeps one stream's messages in memory and implements
// store.Store.
//
// Messages live in a map keyed by sequence (O(1) Load, no cost for interior
// gaps, which matter for KV streams where a few live keys can span millions of
// sequences). Each distinct subject has an index holding its live sequences in
// ascending order; it interns the subject string and makes the per-subject
// questions cheap:
//
//   - Load: O(1).
//   - LoadNext/LoadPrev/LoadLast with a literal filter: O(log k) for k
//     messages on the subject; FilteredState with a literal filter likewise.
//   - With ">" (or ""): a short forward probe of the map, falling back to the
//     subject indexes when the gap is long; FilteredState("", start) counts
//     by whichever is smaller, the sequence range or the subject set.
//   - With a wildcard: one binary search per matching subject (the matching
//     subjects are cached per filter until the subject set changes), after a
//     short scan when the filter matches most subjects.
//   - Append: O(1) amortised plus the limits it triggers.
//
// Per-message TTLs sit in a min-heap with lazy deletion; max_age expiry walks
// from the oldest message and assumes append times do not go backwards.
//
// Waiter.Done is called as soon as Append has recorded the message (memory is
// as durable as it gets), never with the store lock held, and in sequence order
// across concurrent appenders: a small queue hands the calls to one appender at
// a time (waiter.go), so Done may run on another appender's goroutine. Consumer state is kept in memory only and lives
// as long as the Store.
//
// memstore leaves discard-new decisions, subject validation of published
// messages and the scheduling of Expire calls to the stream.
package memstore
