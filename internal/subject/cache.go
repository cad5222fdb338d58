package subject

import "sync"

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
type cache[T comparable] struct {
	mu  sync.RWMutex
	m   map[string]*Result[T] // guarded by mu
	max int                   // 0 disables the cache
}

func (c *cache[T]) get(subject string) *Result[T] {
	c.mu.RLock()
	r := c.m[subject]
	c.mu.RUnlock()
	return r
}

// getBytes is get for a byte slice; m[string(b)] does not allocate.
func (c *cache[T]) getBytes(subject []byte) *Result[T] {
	c.mu.RLock()
	r := c.m[string(subject)]
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
		c.m = make(map[string]*Result[T])
	}
	if len(c.m) >= c.max {
		c.shrinkLocked()
	}
	c.m[subject] = r
}

// shrinkLocked drops a quarter of the entries. Map iteration order is
// random, which makes this a cheap random eviction.
func (c *cache[T]) shrinkLocked() {
	drop := len(c.m)/4 + 1
	for k := range c.m {
		if drop == 0 {
			return
		}
		delete(c.m, k)
		drop--
	}
}

// evict removes every cached subject that filter matches, because adding or
// removing a value under filter changes exactly those results. The caller
// holds the index write lock.
func (c *cache[T]) evict(filter string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) == 0 {
		return
	}
	if !HasWildcard(filter) {
		delete(c.m, filter)
		return
	}
	for k := range c.m {
		if Match(filter, k) {
			delete(c.m, k)
		}
	}
}

func (c *cache[T]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
