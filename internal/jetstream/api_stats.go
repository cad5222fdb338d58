package jetstream

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// apiCounters counts $JS.API requests and error answers by request type, the
// subject without its stream and consumer names ("STREAM.CREATE",
// "CONSUMER.INFO", "INFO"). Types come from the route table, so there are a
// few dozen at most.
type apiCounters struct {
	m sync.Map // type -> *apiCount
}

type apiCount struct{ requests, errors atomic.Uint64 }

// APICount is one request type's counters.
type APICount struct {
	Type             string
	Requests, Errors uint64
}

func (a *apiCounters) get(typ string) *apiCount {
	if c, ok := a.m.Load(typ); ok {
		return c.(*apiCount)
	}
	c, _ := a.m.LoadOrStore(typ, new(apiCount))
	return c.(*apiCount)
}

// snapshot returns the counters sorted by type.
func (a *apiCounters) snapshot() []APICount {
	var out []APICount
	a.m.Range(func(k, v any) bool {
		c := v.(*apiCount)
		out = append(out, APICount{Type: k.(string), Requests: c.requests.Load(), Errors: c.errors.Load()})
		return true
	})
	slices.SortFunc(out, func(x, y APICount) int { return cmp.Compare(x.Type, y.Type) })
	return out
}

// apiType is the request type of rest, the subject after "$JS.API.": route
// returns the names as the subject's tail, so the type is what precedes them.
func apiType(rest, name string) string {
	if name == "" {
		return rest
	}
	return strings.TrimSuffix(rest, "."+name)
}
