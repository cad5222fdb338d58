package subject

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// entry is one (filter, queue, value) in the reference model.
type entry struct {
	filter, queue string
	v             int
}

// reference is the obviously correct index: a list scanned with Match.
type reference []entry

func (ref reference) match(subject string) string {
	r := &Result[int]{}
	for _, e := range ref {
		if !Match(e.filter, subject) {
			continue
		}
		if e.queue == "" {
			r.Plain = append(r.Plain, e.v)
		} else {
			addGroup(r, e.queue, e.v)
		}
	}
	return canon(r)
}

// addGroup adds v to the group called name, creating it if needed.
func addGroup(r *Result[int], name string, v int) {
	if i := r.group(name); i >= 0 {
		r.Queues[i].Members = append(r.Queues[i].Members, v)
		return
	}
	r.Queues = append(r.Queues, Group[int]{Name: name, Members: []int{v}})
}

func (ref reference) remove(e entry) reference {
	i := slices.Index(ref, e)
	return slices.Delete(ref, i, i+1)
}

// canon renders a result independent of order.
func canon(r *Result[int]) string {
	if r == nil {
		return "<nil>"
	}
	var b strings.Builder
	plain := slices.Sorted(slices.Values(r.Plain))
	fmt.Fprintf(&b, "plain%v", plain)
	groups := slices.Clone(r.Queues)
	slices.SortFunc(groups, func(a, b Group[int]) int { return strings.Compare(a.Name, b.Name) })
	for _, g := range groups {
		fmt.Fprintf(&b, " %s%v", g.Name, slices.Sorted(slices.Values(g.Members)))
	}
	return b.String()
}

func TestIndexBasic(t *testing.T) {
	x := NewIndex[int]()
	subs := []entry{
		{"orders.eu.1", "", 1},
		{"orders.*.1", "", 2},
		{"orders.>", "", 3},
		{"orders.>", "workers", 4},
		{"orders.eu.*", "workers", 5},
		{"orders.eu.*", "audit", 6},
		{">", "", 7},
		{"orders.eu.1", "", 2}, // same value under a second filter
	}
	for _, e := range subs {
		if err := x.Insert(e.filter, e.queue, e.v); err != nil {
			t.Fatalf("Insert(%q, %q, %d): %v", e.filter, e.queue, e.v, err)
		}
	}
	tests := []struct {
		name, subject, want string
	}{
		{"all kinds", "orders.eu.1", "plain[1 2 2 3 7] audit[6] workers[4 5]"},
		{"other region", "orders.us.1", "plain[2 3 7] workers[4]"},
		{"deep", "orders.eu.1.x", "plain[3 7] workers[4]"},
		{"root only", "orders", "plain[7]"},
		{"none", "", "plain[]"},
		{"empty token", "orders..1", "plain[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // second time from the cache
				if got := canon(x.Match(tt.subject)); got != tt.want {
					t.Errorf("Match(%q) = %s, want %s", tt.subject, got, tt.want)
				}
				if got := canon(x.MatchBytes([]byte(tt.subject))); got != tt.want {
					t.Errorf("MatchBytes(%q) = %s, want %s", tt.subject, got, tt.want)
				}
				if got, want := x.HasInterest(tt.subject), tt.want != "plain[]"; got != want {
					t.Errorf("HasInterest(%q) = %v, want %v", tt.subject, got, want)
				}
			}
		})
	}
	if got := x.Count(); got != len(subs) {
		t.Errorf("Count() = %d, want %d", got, len(subs))
	}
	var seen []entry
	x.All(func(filter, queue string, v int) bool {
		seen = append(seen, entry{filter, queue, v})
		return true
	})
	cmp := func(a, b entry) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
	if !slices.Equal(slices.SortedFunc(slices.Values(seen), cmp), slices.SortedFunc(slices.Values(subs), cmp)) {
		t.Errorf("All saw %v, want %v", seen, subs)
	}
	for _, e := range subs {
		if err := x.Remove(e.filter, e.queue, e.v); err != nil {
			t.Fatalf("Remove(%q, %q, %d): %v", e.filter, e.queue, e.v, err)
		}
	}
	if x.Count() != 0 || !x.mu.root.unused() {
		t.Errorf("after removing all: Count() = %d, root unused = %v", x.Count(), x.mu.root.unused())
	}
	if r := x.Match("orders.eu.1"); !r.Empty() {
		t.Errorf("Match after removing all = %s", canon(r))
	}
}

func TestIndexErrors(t *testing.T) {
	x := NewIndex[int]()
	if err := x.Insert("a.b", "q", 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		op            func(filter, queue string, v int) error
		filter, queue string
		v             int
		want          error
	}{
		{"insert bad filter", x.Insert, "a..b", "", 1, ErrInvalidSubject},
		{"insert gt not last", x.Insert, "a.>.b", "", 1, ErrInvalidSubject},
		{"insert empty filter", x.Insert, "", "", 1, ErrInvalidSubject},
		{"insert bad queue", x.Insert, "a.b", "q 1", 1, ErrInvalidSubject},
		{"insert duplicate", x.Insert, "a.b", "q", 1, ErrExists},
		{"remove bad filter", x.Remove, "a b", "", 1, ErrInvalidSubject},
		{"remove missing filter", x.Remove, "a.c", "", 1, ErrNotFound},
		{"remove missing queue", x.Remove, "a.b", "r", 1, ErrNotFound},
		{"remove plain of queue", x.Remove, "a.b", "", 1, ErrNotFound},
		{"remove missing value", x.Remove, "a.b", "q", 2, ErrNotFound},
		{"remove prefix", x.Remove, "a", "q", 1, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(tt.filter, tt.queue, tt.v); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if x.Count() != 1 {
		t.Errorf("Count() = %d after failed operations, want 1", x.Count())
	}
}

// TestIndexCacheNeverStale primes the cache for every subject after each
// write, so that any missed eviction would surface as a wrong answer.
func TestIndexCacheNeverStale(t *testing.T) {
	x := NewIndex[int]()
	subjects := words([]string{"a", "b"}, 3, ValidLiteral)
	filters := words([]string{"a", "*", ">"}, 3, ValidSubject)
	var ref reference
	verify := func(step string) {
		t.Helper()
		for _, s := range subjects {
			if got, want := canon(x.Match(s)), ref.match(s); got != want {
				t.Fatalf("%s: Match(%q) = %s, want %s", step, s, got, want)
			}
		}
	}
	verify("empty")
	for i, f := range filters {
		e := entry{f, []string{"", "q"}[i%2], i}
		if err := x.Insert(e.filter, e.queue, e.v); err != nil {
			t.Fatal(err)
		}
		ref = append(ref, e)
		verify("insert " + f)
	}
	if st := x.Stats(); st.CacheHits == 0 || st.Cached == 0 {
		t.Fatalf("cache not exercised: %+v", st)
	}
	for _, e := range slices.Clone(ref) {
		if err := x.Remove(e.filter, e.queue, e.v); err != nil {
			t.Fatal(err)
		}
		ref = ref.remove(e)
		verify("remove " + e.filter)
	}
}

// TestIndexCachePutUnderLock pins the invariant the cache relies on: a miss
// stores its result while no writer can run, so a write cannot fall between
// computing a result and caching it.
func TestIndexCachePutUnderLock(t *testing.T) {
	x := NewIndex[int]()
	puts := 0
	x.testHookPut = func() {
		puts++
		if x.mu.TryLock() {
			x.mu.Unlock()
			t.Error("a writer could run between computing and caching a result")
		}
	}
	if err := x.Insert("a.*", "", 1); err != nil {
		t.Fatal(err)
	}
	x.Match("a.b")
	x.MatchBytes([]byte("a.c"))
	x.Match("a.b") // hit: no put
	if puts != 2 {
		t.Errorf("puts = %d, want 2", puts)
	}
}

func TestIndexCacheBounded(t *testing.T) {
	x := NewIndex[int]()
	if err := x.Insert("a.>", "", 1); err != nil {
		t.Fatal(err)
	}
	for i := range 10 * defaultCacheSize {
		x.Match(fmt.Sprintf("a.%d", i))
	}
	if n := x.Stats().Cached; n > defaultCacheSize || n < defaultCacheSize/2 {
		t.Errorf("cache holds %d subjects, bound is %d", n, defaultCacheSize)
	}
	if k, ok := x.cache.checkLocked(); !ok {
		t.Errorf("cache keys and map disagree at %q", k)
	}
	if err := x.Insert("a.*", "", 2); err != nil {
		t.Fatal(err)
	}
	if n := x.Stats().Cached; n != 0 {
		t.Errorf("after Insert(a.*): %d cached subjects, want 0", n)
	}
}

// randomFilter draws from a small alphabet so that filters collide often.
func randomFilter(rng *rand.Rand, wild bool) string {
	toks := []string{"a", "b", "c", "d"}
	n := 1 + rng.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = toks[rng.IntN(len(toks))]
		if wild && rng.IntN(4) == 0 {
			parts[i] = "*"
		}
	}
	if wild && rng.IntN(5) == 0 {
		parts[n-1] = ">"
	}
	return strings.Join(parts, ".")
}

// TestIndexRandom compares Index with the reference over random steps,
// including queue groups, a disabled and a tiny cache.
func TestIndexRandom(t *testing.T) {
	for _, size := range []int{defaultCacheSize, 0, 3} {
		t.Run(fmt.Sprintf("cache%d", size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(size)))
			x := NewIndex[int]()
			x.cache.max = size
			var ref reference
			into := &Result[int]{} // reused across steps, as the broker does
			for step := range 10000 {
				switch op := rng.IntN(10); {
				case op < 3 && len(ref) < 300:
					e := entry{randomFilter(rng, true), []string{"", "", "q1", "q2"}[rng.IntN(4)], rng.IntN(8)}
					err := x.Insert(e.filter, e.queue, e.v)
					if slices.Contains(ref, e) {
						if !errors.Is(err, ErrExists) {
							t.Fatalf("step %d: Insert(%v) = %v, want ErrExists", step, e, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("step %d: Insert(%v): %v", step, e, err)
					}
					ref = append(ref, e)
				case op < 5 && len(ref) > 0:
					e := ref[rng.IntN(len(ref))]
					if err := x.Remove(e.filter, e.queue, e.v); err != nil {
						t.Fatalf("step %d: Remove(%v): %v", step, e, err)
					}
					ref = ref.remove(e)
				default:
					s := randomFilter(rng, false)
					want := ref.match(s)
					if got := canon(x.Match(s)); got != want {
						t.Fatalf("step %d: Match(%q) = %s, want %s", step, s, got, want)
					}
					if got := canon(x.MatchBytesInto([]byte(s), into)); got != want {
						t.Fatalf("step %d: MatchBytesInto(%q) = %s, want %s", step, s, got, want)
					}
					if got, want := x.HasInterest(s), want != "plain[]"; got != want {
						t.Fatalf("step %d: HasInterest(%q) = %v, want %v", step, s, got, want)
					}
				}
				if x.Count() != len(ref) {
					t.Fatalf("step %d: Count() = %d, want %d", step, x.Count(), len(ref))
				}
				if k, ok := x.cache.checkLocked(); !ok {
					t.Fatalf("step %d: cache keys and map disagree at %q", step, k)
				}
			}
		})
	}
}

// TestIndexConcurrent runs matchers against writers; run it with -race.
// Each writer owns a value and toggles it under one filter, so a reader's
// result must always show each value at most once and only under filters
// that match.
func TestIndexConcurrent(t *testing.T) {
	x := NewIndex[int]()
	for i := range 100 {
		if err := x.Insert(fmt.Sprintf("base.%d", i%10), "", 1000+i); err != nil {
			t.Fatal(err)
		}
	}
	filters := []string{"base.1", "base.*", "base.>", ">", "*.1", "other.1"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w, f := range filters {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				q := []string{"", "g"}[i%2]
				if err := x.Insert(f, q, w); err != nil {
					t.Error(err)
					return
				}
				// Read your own write: readers keep refilling the cache, and
				// none of their results may outlive this Insert.
				if got, want := contains(x.Match("base.1"), w), Match(f, "base.1"); got != want {
					t.Errorf("after Insert(%q, %q): value seen = %v, want %v", f, q, got, want)
					return
				}
				if err := x.Remove(f, q, w); err != nil {
					t.Error(err)
					return
				}
				if contains(x.MatchBytes([]byte("base.1")), w) {
					t.Errorf("after Remove(%q, %q): stale value %d", f, q, w)
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for r := range 4 {
		readers.Go(func() {
			b := []byte("base.1")
			for i := range 20000 {
				var res *Result[int]
				if (i+r)%2 == 0 {
					res = x.Match("base.1")
				} else {
					res = x.MatchBytes(b)
				}
				if n := checkConcurrent(res); n != "" {
					t.Error(n)
					return
				}
				x.HasInterest("other.1")
			}
		})
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	if got := x.Count(); got != 100 {
		t.Errorf("Count() = %d, want 100", got)
	}
}

func contains(r *Result[int], v int) bool {
	if slices.Contains(r.Plain, v) {
		return true
	}
	for _, g := range r.Queues {
		if slices.Contains(g.Members, v) {
			return true
		}
	}
	return false
}

func checkConcurrent(r *Result[int]) string {
	seen := map[int]bool{}
	base := 0
	for _, v := range r.Plain {
		if v >= 1000 {
			base++
			continue
		}
		if seen[v] || v == 5 { // writer 5 uses "other.1"
			return fmt.Sprintf("bad plain value %d in %s", v, canon(r))
		}
		seen[v] = true
	}
	for _, g := range r.Queues {
		for _, v := range g.Members {
			if seen[v] || v == 5 || g.Name != "g" {
				return fmt.Sprintf("bad queue value %d in %s", v, canon(r))
			}
			seen[v] = true
		}
	}
	if base != 10 {
		return fmt.Sprintf("%d base values, want 10: %s", base, canon(r))
	}
	return ""
}

func TestIndexMatchCachedNoAlloc(t *testing.T) {
	x := NewIndex[int]()
	if err := x.Insert("orders.*.created", "", 1); err != nil {
		t.Fatal(err)
	}
	b := []byte("orders.eu.created")
	x.MatchBytes(b)
	n := testing.AllocsPerRun(100, func() {
		x.MatchBytes(b)
		x.Match("orders.eu.created")
		x.HasInterest("orders.eu.created")
	})
	if n != 0 {
		t.Errorf("allocs = %v, want 0", n)
	}
}

// TestIndexManyMembers covers filters with more members than posThreshold,
// where removal switches from a scan to a position map.
func TestIndexManyMembers(t *testing.T) {
	x := NewIndex[int]()
	const n = 5 * posThreshold
	for _, q := range []string{"", "workers"} {
		for v := range n {
			if err := x.Insert("svc.>", q, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Insert("svc.>", q, 0); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate Insert = %v, want ErrExists", err)
		}
	}
	if r := x.Match("svc.a"); r.Len() != 2*n || len(r.Plain) != n || len(r.Queues) != 1 {
		t.Fatalf("Match = %d values (%d plain, %d groups), want %d", r.Len(), len(r.Plain), len(r.Queues), 2*n)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	left := map[int]bool{}
	for v := range n {
		left[v] = true
	}
	for _, v := range rng.Perm(n) {
		for _, q := range []string{"", "workers"} {
			if err := x.Remove("svc.>", q, v); err != nil {
				t.Fatalf("Remove(%d, %q): %v", v, q, err)
			}
			if err := x.Remove("svc.>", q, v); !errors.Is(err, ErrNotFound) {
				t.Fatalf("second Remove(%d, %q) = %v, want ErrNotFound", v, q, err)
			}
		}
		delete(left, v)
		r := x.Match("svc.a")
		want := slices.Sorted(func(yield func(int) bool) {
			for v := range left {
				if !yield(v) {
					return
				}
			}
		})
		if got := slices.Sorted(slices.Values(r.Plain)); !slices.Equal(got, want) {
			t.Fatalf("after removing %d: plain %v, want %v", v, got, want)
		}
		if len(left) > 0 && !slices.Equal(slices.Sorted(slices.Values(r.Queues[0].Members)), want) {
			t.Fatalf("after removing %d: queue %v, want %v", v, r.Queues[0].Members, want)
		}
	}
	if !x.mu.root.unused() || x.Count() != 0 {
		t.Errorf("index not empty: Count() = %d", x.Count())
	}
	var nilResult *Result[int]
	if !nilResult.Empty() || nilResult.Len() != 0 {
		t.Error("nil Result is not empty")
	}
}

func TestIndexAllStops(t *testing.T) {
	x := NewIndex[int]()
	for v := range 10 {
		if err := x.Insert("a", "", v); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	x.All(func(filter, queue string, v int) bool {
		calls++
		// fn may call back into the index: All works on a snapshot.
		if err := x.Insert("b", "", v); err != nil {
			t.Error(err)
		}
		return calls < 3
	})
	if calls != 3 || x.Count() != 13 {
		t.Errorf("calls = %d, Count() = %d; want 3, 13", calls, x.Count())
	}
}

func TestIndexMatchUncached(t *testing.T) {
	x := NewIndex[int]()
	for i, f := range []string{"_INBOX.*", "_INBOX.>", "a.b"} {
		if err := x.Insert(f, "", i); err != nil {
			t.Fatal(err)
		}
	}
	got := x.MatchBytesUncached([]byte("_INBOX.abc"))
	if canon(got) != canon(x.Match("_INBOX.abc")) || got.Len() != 2 {
		t.Fatalf("uncached %s, cached %s", canon(got), canon(x.Match("_INBOX.abc")))
	}
	before := x.Stats().Cached
	for i := range 100 {
		x.MatchBytesUncached(fmt.Appendf(nil, "_INBOX.%d", i))
	}
	if after := x.Stats().Cached; after != before {
		t.Fatalf("uncached matches changed the cache from %d to %d entries", before, after)
	}
}

// TestIndexMatchIntoNoAlloc: a reused Result makes one-off matches free.
func TestIndexMatchIntoNoAlloc(t *testing.T) {
	x := NewIndex[int]()
	for i, f := range []string{"$JS.ACK.S.C.>", "_INBOX.*"} {
		if err := x.Insert(f, "", i); err != nil {
			t.Fatal(err)
		}
	}
	r := &Result[int]{}
	subj := []byte("$JS.ACK.S.C.1.2.3.4.5")
	x.MatchBytesInto(subj, r)
	if allocs := testing.AllocsPerRun(100, func() { x.MatchBytesInto(subj, r) }); allocs != 0 {
		t.Fatalf("%v allocations per match", allocs)
	}
	if r.Len() != 1 || r.Plain[0] != 0 {
		t.Fatalf("result %s", canon(r))
	}
}
