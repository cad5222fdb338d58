package monitor

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

// DefaultConnzLimit is the page size when the request gives none, as nats-server.
const DefaultConnzLimit = 1024

// Connz is the /connz response.
type Connz struct {
	ID       string      `json:"server_id"`
	Now      time.Time   `json:"now"`
	NumConns int         `json:"num_connections"`
	Total    int         `json:"total"`
	Offset   int         `json:"offset"`
	Limit    int         `json:"limit"`
	Conns    []*ConnInfo `json:"connections"`
}

// ConnInfo is one connection in /connz, with nats-server's field names.
type ConnInfo struct {
	Cid            uint64      `json:"cid"`
	Kind           string      `json:"kind,omitempty"`
	Type           string      `json:"type,omitempty"`
	IP             string      `json:"ip"`
	Port           int         `json:"port"`
	Start          time.Time   `json:"start"`
	LastActivity   time.Time   `json:"last_activity"`
	Stop           *time.Time  `json:"stop,omitempty"`
	Reason         string      `json:"reason,omitempty"`
	RTT            string      `json:"rtt,omitempty"`
	Uptime         string      `json:"uptime"`
	Idle           string      `json:"idle"`
	Pending        int         `json:"pending_bytes"`
	InMsgs         uint64      `json:"in_msgs"`
	OutMsgs        uint64      `json:"out_msgs"`
	InBytes        uint64      `json:"in_bytes"`
	OutBytes       uint64      `json:"out_bytes"`
	NumSubs        int         `json:"subscriptions"`
	Name           string      `json:"name,omitempty"`
	Lang           string      `json:"lang,omitempty"`
	Version        string      `json:"version,omitempty"`
	AuthorizedUser string      `json:"authorized_user,omitempty"`
	Account        string      `json:"account,omitempty"`
	NameTag        string      `json:"name_tag,omitempty"`
	Subs           []string    `json:"subscriptions_list,omitempty"`
	SubsDetail     []SubDetail `json:"subscriptions_list_detail,omitempty"`
}

// SubDetail is one subscription in /connz?subs=detail and /subsz?subs=1.
type SubDetail struct {
	Account    string `json:"account,omitempty"`
	AccountTag string `json:"account_tag,omitempty"`
	Subject    string `json:"subject"`
	Queue      string `json:"qgroup,omitempty"`
	Sid        string `json:"sid"`
	Msgs       int64  `json:"msgs"`
	Max        int64  `json:"max,omitempty"`
	Cid        uint64 `json:"cid"`
}

// ConnzOptions are /connz's query options.
type ConnzOptions struct {
	Sort       string // see connSorts; default cid
	Subs       bool   // subs=true|1
	SubsDetail bool   // subs=detail
	Auth       bool   // auth=true: show authorized_user and account
	State      ConnState
	CID        uint64 // only this connection
	User       string // only connections authenticated as this user
	Account    string // only this account's connections
	Offset     int
	Limit      int
}

// connSorts are the sort options: each orders a before b when it returns < 0.
// Counters and durations sort largest first, identity and time oldest first,
// as nats-server does.
var connSorts = map[string]func(now time.Time) func(a, b *Conn) int{
	"cid":        fixed(func(a, b *Conn) int { return cmp.Compare(a.CID, b.CID) }),
	"start":      fixed(func(a, b *Conn) int { return a.Start.Compare(b.Start) }),
	"subs":       fixed(func(a, b *Conn) int { return cmp.Compare(b.NumSubs, a.NumSubs) }),
	"pending":    fixed(func(a, b *Conn) int { return cmp.Compare(b.PendingBytes, a.PendingBytes) }),
	"msgs_to":    fixed(func(a, b *Conn) int { return cmp.Compare(b.OutMsgs, a.OutMsgs) }),
	"msgs_from":  fixed(func(a, b *Conn) int { return cmp.Compare(b.InMsgs, a.InMsgs) }),
	"bytes_to":   fixed(func(a, b *Conn) int { return cmp.Compare(b.OutBytes, a.OutBytes) }),
	"bytes_from": fixed(func(a, b *Conn) int { return cmp.Compare(b.InBytes, a.InBytes) }),
	"last":       fixed(func(a, b *Conn) int { return b.LastActivity.Compare(a.LastActivity) }),
	"idle": func(now time.Time) func(a, b *Conn) int {
		return func(a, b *Conn) int { return cmp.Compare(idle(b, now), idle(a, now)) }
	},
	"uptime": func(now time.Time) func(a, b *Conn) int {
		return func(a, b *Conn) int { return cmp.Compare(lifetime(b, now), lifetime(a, now)) }
	},
	"rtt":    fixed(func(a, b *Conn) int { return cmp.Compare(b.RTT, a.RTT) }),
	"stop":   fixed(func(a, b *Conn) int { return b.Stop.Compare(a.Stop) }),
	"reason": fixed(func(a, b *Conn) int { return cmp.Compare(a.Reason, b.Reason) }),
}

func fixed(f func(a, b *Conn) int) func(time.Time) func(a, b *Conn) int {
	return func(time.Time) func(a, b *Conn) int { return f }
}

// idle is how long a connection has been quiet: until now, or until it closed.
func idle(c *Conn, now time.Time) time.Duration {
	if !c.Stop.IsZero() {
		now = c.Stop
	}
	return now.Sub(c.LastActivity)
}

// lifetime is how long a connection has been (or was) open.
func lifetime(c *Conn, now time.Time) time.Duration {
	if !c.Stop.IsZero() {
		now = c.Stop
	}
	return now.Sub(c.Start)
}

func (h *Handler) serveConnz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	opts := ConnzOptions{
		Sort:    q.str("sort"),
		Auth:    q.boolean("auth"),
		CID:     q.uint64("cid"),
		User:    q.str("user"),
		Account: q.str("acc"),
		Offset:  q.integer("offset"),
		Limit:   q.integer("limit"),
	}
	if s := q.str("subs"); s == "detail" {
		opts.SubsDetail = true
	} else {
		opts.Subs = q.boolean("subs")
	}
	switch s := q.str("state"); s {
	case "", "open":
		opts.State = ConnOpen
	case "closed":
		opts.State = ConnClosed
	case "any", "all":
		opts.State = ConnAll
	default:
		if q.err == "" {
			q.err = "Error decoding state for " + s
		}
	}
	if q.err != "" {
		badRequest(w, q.err)
		return
	}
	cz, err := h.Connz(opts)
	if err != "" {
		badRequest(w, err)
		return
	}
	h.writeJSON(w, http.StatusOK, cz)
}

// Connz renders /connz; the second result is the text of a 400 answer.
func (h *Handler) Connz(opts ConnzOptions) (*Connz, string) {
	if opts.Sort == "" {
		opts.Sort = "cid"
	}
	byName, ok := connSorts[opts.Sort]
	if !ok {
		return nil, "invalid sorting option: " + opts.Sort
	}
	if (opts.Sort == "stop" || opts.Sort == "reason") && opts.State == ConnOpen {
		return nil, "sort by " + opts.Sort + " only valid on closed connections"
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultConnzLimit
	}
	now := h.now()
	conns := h.srv.Conns(opts.State, opts.Subs || opts.SubsDetail)
	cz := &Connz{ID: h.srv.Info().ID, Now: now.UTC(), Offset: max(opts.Offset, 0), Limit: opts.Limit, Conns: []*ConnInfo{}}
	conns = slices.DeleteFunc(conns, func(c Conn) bool {
		return (opts.User != "" && c.User != opts.User) || (opts.Account != "" && c.Account != opts.Account)
	})
	cz.Total = len(conns)
	if opts.CID != 0 {
		// One connection: nats-server reports a page of one.
		conns = slices.DeleteFunc(conns, func(c Conn) bool { return c.CID != opts.CID })
		cz.Offset, cz.Limit = 0, 1
	}
	ptrs := make([]*Conn, len(conns))
	for i := range conns {
		ptrs[i] = &conns[i]
	}
	less := byName(now)
	slices.SortStableFunc(ptrs, func(a, b *Conn) int {
		if c := less(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.CID, b.CID)
	})
	lo, hi := page(len(ptrs), cz.Offset, cz.Limit)
	for _, c := range ptrs[lo:hi] {
		cz.Conns = append(cz.Conns, connInfo(c, now, opts))
	}
	cz.NumConns = len(cz.Conns)
	return cz, ""
}

func connInfo(c *Conn, now time.Time, opts ConnzOptions) *ConnInfo {
	ci := &ConnInfo{
		Cid:          c.CID,
		Kind:         "Client",
		Type:         "nats",
		IP:           c.IP,
		Port:         c.Port,
		Start:        c.Start.UTC(),
		LastActivity: c.LastActivity.UTC(),
		Reason:       c.Reason,
		RTT:          rtt(c.RTT),
		Uptime:       uptime(lifetime(c, now)),
		Idle:         uptime(idle(c, now)),
		Pending:      c.PendingBytes,
		InMsgs:       c.InMsgs,
		OutMsgs:      c.OutMsgs,
		InBytes:      c.InBytes,
		OutBytes:     c.OutBytes,
		NumSubs:      c.NumSubs,
		Name:         c.Name,
		Lang:         c.Lang,
		Version:      c.Version,
	}
	if !c.Stop.IsZero() {
		stop := c.Stop.UTC()
		ci.Stop = &stop
	}
	if opts.Auth {
		// nats-server names the account only when it is not the global one,
		// and always gives its name tag.
		ci.AuthorizedUser, ci.NameTag = c.User, c.Account
		if c.Account != GlobalAccount {
			ci.Account = c.Account
		}
	}
	switch {
	case opts.SubsDetail:
		for _, s := range c.Subs {
			ci.SubsDetail = append(ci.SubsDetail, subDetail(s, false))
		}
	case opts.Subs:
		for _, s := range c.Subs {
			ci.Subs = append(ci.Subs, s.Subject)
		}
	}
	return ci
}

func subDetail(s Sub, withAccount bool) SubDetail {
	d := SubDetail{Subject: s.Subject, Queue: s.Queue, Sid: s.SID, Msgs: s.Msgs, Max: s.Max, Cid: s.CID}
	if withAccount {
		d.Account, d.AccountTag = s.Account, s.Account
	}
	return d
}

// rtt formats a round-trip time as nats-server does: microsecond precision
// below a millisecond, "" before the first measurement.
func rtt(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d < time.Millisecond {
		d = d.Truncate(time.Microsecond)
	}
	return d.String()
}
