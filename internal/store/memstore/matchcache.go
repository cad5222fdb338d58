package memstore

import "sync"

// matchCacheSize bounds how many wildcard filters the cache remembers; it is
// emptied when full. Consumers reuse a handful of filters.
const matchCacheSize = 128

// matchCache remembers which subjects a wildcard filter matches, so that a
// consumer calling LoadNext or FilteredState repeatedly with "orders.*" does
// not match every subject each time. Entries are valid for one generation of
// the subject set (Store.mu.subjectGen), which changes whenever a subject
// appears or disappears.
type matchCache struct {
	mu      sync.Mutex
	gen     uint64 // generation the entries were computed for
	entries map[string][]*subjectIndex
}

// matchingLocked returns the subject indexes matching the wildcard filter f.
// The caller holds s.mu (read or write); the slice must not be modified.
func (s *Store) matchingLocked(f filter) []*subjectIndex {
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.gen != s.mu.subjectGen || len(c.entries) >= matchCacheSize {
		c.gen = s.mu.subjectGen
		c.entries = make(map[string][]*subjectIndex)
	}
	if out, ok := c.entries[f.text]; ok {
		return out
	}
	out := []*subjectIndex{}
	for name, si := range s.mu.subjects {
		if f.match(name) {
			out = append(out, si)
		}
	}
	c.entries[f.text] = out
	return out
}

// eachIndexLocked calls fn for every subject index matching f.
func (s *Store) eachIndexLocked(f filter, fn func(*subjectIndex)) {
	switch {
	case f.all:
		for _, si := range s.mu.subjects {
			fn(si)
		}
	case f.literal:
		if si := s.mu.subjects[f.text]; si != nil {
			fn(si)
		}
	default:
		for _, si := range s.matchingLocked(f) {
			fn(si)
		}
	}
}
