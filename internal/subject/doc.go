// Package subject implements NATS subject syntax, wildcard matching and the
// subscription index that the broker fans messages out from.
//
// A subject is a string of non-empty tokens separated by '.'. A subscription
// filter may use two wildcards: '*' matches exactly one token and '>',
// allowed only as the last token, matches one or more. The rules, including
// which bytes are illegal, are those of PROTOCOL.md §8; ValidSubject,
// ValidLiteral and ValidQueue check them, with zero-allocation []byte
// variants for the parser's hot path.
//
// Match compares one filter with one literal subject. Overlap and SubsetOf
// compare two filters: Overlap says whether some subject matches both (used
// to keep stream subjects disjoint), SubsetOf whether one filter's subjects
// all fall inside the other's. NumTokens, Token, TokensFrom and CutPrefix
// pick subjects apart, for example "$JS.API.STREAM.INFO.<stream>"; token
// positions are 1-based.
//
// Index maps filters, optionally in a queue group, to values of any
// comparable type (the broker stores its subscriptions there):
//
//	x := subject.NewIndex[*sub]()
//	_ = x.Insert("orders.*.created", "", s1)
//	_ = x.Insert("orders.>", "workers", s2)
//	r := x.Match("orders.eu.created") // r.Plain = [s1], r.Queues = [{workers [s2]}]
//
// Index is a token trie with separate '*' and '>' children per node, and a
// bounded cache (1024 subjects) of match results keyed by literal subject.
// A cache hit takes one read-locked map lookup and does not allocate; a miss
// walks the trie under the index read lock and copies the matching values
// into a new Result. Writers evict the cached subjects their filter matches
// while holding the index write lock, and misses fill the cache while
// holding the read lock, so once Insert or Remove has returned no Match can
// see the old result. Evicting for a literal filter is one map delete; for
// a wildcard filter it is a scan of the cached subjects (a few µs when the
// cache is full). Results are shared: callers must treat them as read-only.
//
// Inserting the same (filter, queue, value) twice fails with ErrExists;
// the same value under two filters, or two queues, is two entries, and
// Match reports it once for each that matches. Queue groups with the same
// name under different matching filters are merged into one Group, as
// nats-server does. Stats exposes counters for monitoring.
//
// The package is pure: standard library only, no I/O, no goroutines. It
// leaves to others everything about delivery: picking one member of a queue
// group (broker), de-duplicating a value matched through two filters (NATS
// delivers once per subscription, so the index reports both), permissions
// (auth), pedantic-mode checks of publish subjects (conn), and the reserved
// prefixes such as "$JS." and "_INBOX." (broker, jetstream).
package subject
