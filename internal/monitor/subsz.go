package monitor

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// DefaultSubszLimit is the page size when the request gives none, as nats-server.
const DefaultSubszLimit = 1024

// Subsz is the /subsz response: the subscription index's counters and,
// with subs=1, a page of subscriptions.
type Subsz struct {
	ID  string    `json:"server_id"`
	Now time.Time `json:"now"`
	SublistStatsJSON
	Total  int         `json:"total"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
	Subs   []SubDetail `json:"subscriptions_list,omitempty"`
}

// SublistStatsJSON is nats-server's SublistStats.
type SublistStatsJSON struct {
	NumSubs      uint32  `json:"num_subscriptions"`
	NumCache     uint32  `json:"num_cache"`
	NumInserts   uint64  `json:"num_inserts"`
	NumRemoves   uint64  `json:"num_removes"`
	NumMatches   uint64  `json:"num_matches"`
	CacheHitRate float64 `json:"cache_hit_rate"`
	MaxFanout    uint32  `json:"max_fanout"`
	AvgFanout    float64 `json:"avg_fanout"`
}

// SubszOptions are /subsz's query options.
type SubszOptions struct {
	Subs    bool   // subs=1: list subscriptions
	Test    string // test=<subject>: only subscriptions that match this literal subject
	Account string // acc=<name>
	Offset  int
	Limit   int
}

func (h *Handler) serveSubsz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	opts := SubszOptions{
		Subs:    q.boolean("subs"),
		Test:    q.str("test"),
		Account: q.str("acc"),
		Offset:  q.integer("offset"),
		Limit:   q.integer("limit"),
	}
	if q.err != "" {
		badRequest(w, q.err)
		return
	}
	if opts.Test != "" && !literal(opts.Test) {
		badRequest(w, "Bad test subject: "+opts.Test)
		return
	}
	h.writeJSON(w, http.StatusOK, h.Subsz(opts))
}

// Subsz renders /subsz.
func (h *Handler) Subsz(opts SubszOptions) *Subsz {
	if opts.Limit <= 0 {
		opts.Limit = DefaultSubszLimit
	}
	st := h.srv.SublistStats()
	sz := &Subsz{
		ID:     h.srv.Info().ID,
		Now:    h.now().UTC(),
		Offset: max(opts.Offset, 0),
		Limit:  opts.Limit,
		SublistStatsJSON: SublistStatsJSON{
			NumSubs:    uint32(st.Subscriptions),
			NumCache:   uint32(st.Cache),
			NumInserts: st.Inserts,
			NumRemoves: st.Removes,
			NumMatches: st.Matches,
		},
	}
	if st.Matches > 0 {
		sz.CacheHitRate = float64(st.CacheHits) / float64(st.Matches)
	}
	if !opts.Subs {
		return sz
	}
	subs := slices.DeleteFunc(h.srv.Subs(), func(s Sub) bool {
		return (opts.Account != "" && s.Account != opts.Account) ||
			(opts.Test != "" && !matches(s.Subject, opts.Test))
	})
	slices.SortFunc(subs, func(a, b Sub) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.CID, b.CID), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.SID, b.SID))
	})
	sz.Total = len(subs)
	lo, hi := page(len(subs), sz.Offset, sz.Limit)
	for _, s := range subs[lo:hi] {
		sz.Subs = append(sz.Subs, subDetail(s, true))
	}
	return sz
}

// literal reports whether subj is a valid subject without wildcards.
func literal(subj string) bool {
	if subj == "" {
		return false
	}
	for tok := range strings.SplitSeq(subj, ".") {
		if tok == "" || tok == "*" || tok == ">" || strings.ContainsAny(tok, " \t\r\n") {
			return false
		}
	}
	return true
}

// matches reports whether the subscription filter matches the literal subject.
// The monitor may not import package subject (STYLE.md), and /subsz?test= is
// rare enough for this token walk.
func matches(filter, subj string) bool {
	ft, st := strings.Split(filter, "."), strings.Split(subj, ".")
	for i, f := range ft {
		if f == ">" {
			return len(st) > i
		}
		if i >= len(st) || (f != "*" && f != st[i]) {
			return false
		}
	}
	return len(ft) == len(st)
}
