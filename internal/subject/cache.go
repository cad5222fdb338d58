package subject

import (
	"strings"
	"sync"
)

// defaultCacheSize bounds the number of subjects whose match results are
// cached. Hot publish subjects are few; a bound keeps memory flat when
// publishers spray unique subjects (request inboxes, per-order ids).
const defaultCacheSize = 1024

// cache maps literal subjects to shared match results.
//
// Staleness: every put happens while the caller holds the index read lock,
// and every write to the trie evicts the subjects its filter matches while
// holding the index write lock. So no put can slip in between a trie change
// and its eviction, and a result computed before the change is either
// evicted or was never stored. Lock order: Index.mu, then cache.mu.
//
// Besides the map, keys lists the cached subjects: scanning a slice of
// strings for a wildcard eviction is several times faster than ranging over
// the map. Each entry records its slot in keys so that removal is O(1).
type cache[T comparable] struct {
	mu   sync.RWMutex
	m    map[string]cached[T] // guarded by mu
	keys []string             // guarded by mu; keys[m[k].slot] == k
	max  int                  // 0 disables the cache
}

type cached[T comparable] struct {
	r    *Result[T]
	slot int
}

func (c *cache[T]) get(subject string) *Result[T] {
	c.mu.RLock()
	r := c.m[subject].r
	c.mu.RUnlock()
	return r
}

// getBytes is get for a byte slice; m[string(b)] does not allocate.
func (c *cache[T]) getBytes(subject []byte) *Result[T] {
	c.mu.RLock()
	r := c.m[string(subject)].r
	c.mu.RUnlock()
	return r
}

// put stores r for subject. The caller holds the index read lock.
func (c *cache[T]) put(subject string, r *Result[T]) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]cached[T])
	}
	if e, ok := c.m[subject]; ok {
		// Two misses raced on the same subject under the same read lock
		// generation; both computed the same result.
		c.m[subject] = cached[T]{r, e.slot}
		return
	}
	if len(c.keys) >= c.max {
		c.shrinkLocked()
	}
	c.m[subject] = cached[T]{r, len(c.keys)}
	c.keys = append(c.keys, subject)
}

// removeLocked drops the entry in slot i, moving the last entry into it.
func (c *cache[T]) removeLocked(i int) {
	delete(c.m, c.keys[i])
	last := len(c.keys) - 1
	if i != last {
		moved := c.keys[last]
		c.keys[i] = moved
		c.m[moved] = cached[T]{c.m[moved].r, i}
	}
	c.keys[last] = ""
	c.keys = c.keys[:last]
}

// shrinkLocked drops every fourth entry. Walking down from the top, each
// removal moves an already visited survivor into the hole, so the dropped
// entries are spread over old and new ones alike.
func (c *cache[T]) shrinkLocked() {
	for i := len(c.keys) - 1; i >= 0; i -= 4 {
		c.removeLocked(i)
	}
}

// evict removes every cached subject that filter matches, because adding or
// removing a value under filter changes exactly those results. The caller
// holds the index write lock.
//
// A literal filter changes one entry. A wildcard filter needs a scan; its
// literal prefix ("_INBOX.abc." for "_INBOX.abc.*") rejects most entries
// with a byte comparison before the full Match.
func (c *cache[T]) evict(filter string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) == 0 {
		return
	}
	if !HasWildcard(filter) {
		if e, ok := c.m[filter]; ok {
			c.removeLocked(e.slot)
		}
		return
	}
	prefix := literalPrefix(filter)
	for i := len(c.keys) - 1; i >= 0; i-- {
		if k := c.keys[i]; strings.HasPrefix(k, prefix) && Match(filter, k) {
			c.removeLocked(i) // moves a visited entry into i
		}
	}
}

// literalPrefix returns the tokens of filter before its first wildcard,
// with their trailing '.'.
func literalPrefix(filter string) string {
	for i := 0; i < len(filter); {
		end := next(filter, i)
		if end-i == 1 && (filter[i] == '*' || filter[i] == '>') {
			return filter[:i]
		}
		i = end + 1
	}
	return filter
}

func (c *cache[T]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.keys)
}

// checkLocked reports a broken link between keys and m; tests call it.
func (c *cache[T]) checkLocked() (bad string, ok bool) {
	if len(c.keys) != len(c.m) {
		return "length", false
	}
	for i, k := range c.keys {
		if e, found := c.m[k]; !found || e.slot != i {
			return k, false
		}
	}
	return "", true
}
