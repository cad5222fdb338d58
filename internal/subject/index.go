package subject

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// ErrInvalidSubject means a filter or queue name given to Index failed
// ValidSubject or ValidQueue.
var ErrInvalidSubject = errors.New("subject: invalid subject")

// ErrNotFound means Index.Remove found no such (filter, queue, value).
var ErrNotFound = errors.New("subject: subscription not found")

// ErrExists means Index.Insert was given a (filter, queue, value) that the
// index already holds; the index is unchanged.
var ErrExists = errors.New("subject: subscription already exists")

// Index is a concurrent subscription index: it maps filters, optionally in
// a queue group, to values, and answers which values match a literal subject.
// The zero value is not usable; call NewIndex.
//
// The same value may be inserted under several filters and queues; Match
// reports it once per matching (filter, queue), and the caller decides
// whether to de-duplicate. T must be comparable at run time (an interface
// holding a slice panics, as a map key would).
type Index[T comparable] struct {
	mu struct {
		sync.RWMutex
		root  node[T] // the trie; guarded by mu
		count int     // number of (filter, queue, value) entries
	}
	cache cache[T]
	empty *Result[T] // shared result for subjects nobody listens to

	matches, hits, inserts, removes atomic.Uint64

	// testHookPut, when set, runs just before a miss stores its result.
	testHookPut func()
}

// NewIndex returns an empty index with a match cache of the default size.
func NewIndex[T comparable]() *Index[T] {
	x := &Index[T]{empty: &Result[T]{}}
	x.cache.max = defaultCacheSize
	return x
}

// Insert adds v under filter, in queue group queue ("" for none). It returns
// an error wrapping ErrInvalidSubject for a bad filter or queue name, and
// ErrExists when the entry is already there.
func (x *Index[T]) Insert(filter, queue string, v T) error {
	if err := check(filter, queue); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	n := &x.mu.root
	for rest, more := filter, true; more; {
		var tok string
		tok, rest, more = cut(rest)
		n = n.childOrNew(tok)
	}
	if !n.add(queue, v) {
		return fmt.Errorf("%w: filter %q queue %q", ErrExists, filter, queue)
	}
	n.filter = filter
	x.mu.count++
	x.inserts.Add(1)
	x.cache.evict(filter)
	return nil
}

// Remove deletes v from filter and queue, pruning trie nodes left empty. It
// returns an error wrapping ErrNotFound when there is no such entry, or
// ErrInvalidSubject for a bad filter or queue name.
func (x *Index[T]) Remove(filter, queue string, v T) error {
	if err := check(filter, queue); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !removeLocked(&x.mu.root, filter, queue, v) {
		return fmt.Errorf("%w: filter %q queue %q", ErrNotFound, filter, queue)
	}
	x.mu.count--
	x.removes.Add(1)
	x.cache.evict(filter)
	return nil
}

func check(filter, queue string) error {
	if !ValidSubject(filter) {
		return fmt.Errorf("%w: filter %q", ErrInvalidSubject, filter)
	}
	if queue != "" && !ValidQueue(queue) {
		return fmt.Errorf("%w: queue %q", ErrInvalidSubject, queue)
	}
	return nil
}

// removeLocked removes v below n along filter and prunes children that end
// up unused. Recursion depth is the number of tokens in filter.
func removeLocked[T comparable](n *node[T], filter, queue string, v T) bool {
	tok, rest, more := cut(filter)
	c := n.child(tok)
	if c == nil {
		return false
	}
	var ok bool
	if more {
		ok = removeLocked(c, rest, queue, v)
	} else {
		ok = c.remove(queue, v)
		if !c.holds() {
			c.filter = ""
		}
	}
	if ok && c.unused() {
		n.dropChild(tok)
	}
	return ok
}

// Match returns the values whose filters match the literal subject. The
// result is shared and must not be modified. A subject with an empty token
// matches nothing. A cached result is returned without allocating.
func (x *Index[T]) Match(subject string) *Result[T] {
	x.matches.Add(1)
	if r := x.cache.get(subject); r != nil {
		x.hits.Add(1)
		return r
	}
	return x.matchSlow(subject, true)
}

// MatchBytes is Match for a subject in a byte slice, as the protocol parser
// holds it. It does not allocate when the result is cached.
func (x *Index[T]) MatchBytes(subject []byte) *Result[T] {
	x.matches.Add(1)
	if r := x.cache.getBytes(subject); r != nil {
		x.hits.Add(1)
		return r
	}
	return x.matchSlow(string(subject), true)
}

// MatchBytesUncached is MatchBytes for a subject that is published once, such
// as a reply inbox or an ack subject: it neither looks in the cache nor fills
// it, so one-off subjects do not evict the results of hot ones.
func (x *Index[T]) MatchBytesUncached(subject []byte) *Result[T] {
	x.matches.Add(1)
	return x.matchSlow(string(subject), false)
}

// MatchBytesInto is MatchBytesUncached filling r, whose slices it reuses,
// instead of allocating a Result: for a caller that holds the result only
// while it delivers and then reuses r (the broker, for one-off subjects).
// The subject is read in place, not copied: neither r nor the index keeps
// it. Queue groups, rare on one-off subjects, still allocate their members.
func (x *Index[T]) MatchBytesInto(subject []byte, r *Result[T]) *Result[T] {
	x.matches.Add(1)
	clear(r.Plain)
	clear(r.Queues)
	r.Plain, r.Queues = r.Plain[:0], r.Queues[:0]
	s := unsafe.String(unsafe.SliceData(subject), len(subject))
	if !wellFormed(s) {
		return r
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var buf [16]*node[T]
	for _, n := range collectLocked(&x.mu.root, s, buf[:0]) {
		r.Plain = append(r.Plain, n.plain.list...)
		for _, q := range n.queues {
			i := r.group(q.name)
			if i < 0 {
				i = len(r.Queues)
				r.Queues = append(r.Queues, Group[T]{Name: q.name})
			}
			g := &r.Queues[i]
			g.Members = append(g.Members[:len(g.Members):len(g.Members)], q.members.list...)
		}
	}
	return r
}

func (x *Index[T]) matchSlow(subject string, cache bool) *Result[T] {
	if !wellFormed(subject) {
		return x.empty
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var buf [16]*node[T]
	r := x.empty
	if nodes := collectLocked(&x.mu.root, subject, buf[:0]); len(nodes) > 0 {
		r = newResult(nodes)
	}
	if !cache {
		return r
	}
	// Still under the read lock: see the staleness note on cache.
	if x.testHookPut != nil {
		x.testHookPut()
	}
	x.cache.put(subject, r)
	return r
}

// collectLocked appends to nodes every node below n whose filter matches
// subject and that holds values. subject is well formed.
func collectLocked[T comparable](n *node[T], subject string, nodes []*node[T]) []*node[T] {
	tok, rest, more := cut(subject)
	if c := n.gt; c != nil && c.holds() {
		nodes = append(nodes, c) // '>' takes this token and all that follow
	}
	for _, c := range [2]*node[T]{n.star, n.lit[tok]} {
		switch {
		case c == nil:
		case more:
			nodes = collectLocked(c, rest, nodes)
		case c.holds():
			nodes = append(nodes, c)
		}
	}
	return nodes
}

// HasInterest reports whether any filter matches the literal subject. It
// stops at the first match and does not fill the cache.
func (x *Index[T]) HasInterest(subject string) bool {
	if r := x.cache.get(subject); r != nil {
		return !r.Empty()
	}
	if !wellFormed(subject) {
		return false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return interestLocked(&x.mu.root, subject)
}

func interestLocked[T comparable](n *node[T], subject string) bool {
	tok, rest, more := cut(subject)
	if c := n.gt; c != nil && c.holds() {
		return true
	}
	for _, c := range [2]*node[T]{n.star, n.lit[tok]} {
		switch {
		case c == nil:
		case more:
			if interestLocked(c, rest) {
				return true
			}
		case c.holds():
			return true
		}
	}
	return false
}

// Count returns the number of (filter, queue, value) entries.
func (x *Index[T]) Count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.mu.count
}

// All calls fn for every entry until fn returns false, in no particular
// order. It works on a snapshot taken under the read lock, so fn may call
// back into the index; entries changed meanwhile may or may not be seen.
func (x *Index[T]) All(fn func(filter, queue string, v T) bool) {
	type entry struct {
		filter, queue string
		v             T
	}
	x.mu.RLock()
	all := make([]entry, 0, x.mu.count)
	walkLocked(&x.mu.root, func(n *node[T]) {
		for _, v := range n.plain.list {
			all = append(all, entry{n.filter, "", v})
		}
		for _, q := range n.queues {
			for _, v := range q.members.list {
				all = append(all, entry{n.filter, q.name, v})
			}
		}
	})
	x.mu.RUnlock()
	for _, e := range all {
		if !fn(e.filter, e.queue, e.v) {
			return
		}
	}
}

func walkLocked[T comparable](n *node[T], fn func(*node[T])) {
	if n.holds() {
		fn(n)
	}
	for _, c := range n.lit {
		walkLocked(c, fn)
	}
	if n.star != nil {
		walkLocked(n.star, fn)
	}
	if n.gt != nil {
		walkLocked(n.gt, fn)
	}
}

// Stats is a snapshot of an Index's counters, for monitoring (/subsz).
type Stats struct {
	Count     int    // entries in the index
	Cached    int    // subjects in the match cache
	Matches   uint64 // Match and MatchBytes calls
	CacheHits uint64 // of which answered from the cache
	Inserts   uint64 // successful Insert calls
	Removes   uint64 // successful Remove calls
}

// Stats returns the index's counters.
func (x *Index[T]) Stats() Stats {
	return Stats{
		Count:     x.Count(),
		Cached:    x.cache.len(),
		Matches:   x.matches.Load(),
		CacheHits: x.hits.Load(),
		Inserts:   x.inserts.Load(),
		Removes:   x.removes.Load(),
	}
}
