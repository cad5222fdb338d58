package monitor

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// Jsz is the /jsz response. Without JetStream it is nats-server's disabled
// form: zero usage, "disabled": true and an empty config.
type Jsz struct {
	JetStreamStats
	ID             string           `json:"server_id"`
	Now            time.Time        `json:"now"`
	Disabled       bool             `json:"disabled,omitempty"`
	Config         JetStreamConfig  `json:"config"`
	Limits         *JetStreamLimits `json:"limits,omitempty"`
	Streams        int              `json:"streams"`
	Consumers      int              `json:"consumers"`
	Messages       uint64           `json:"messages"`
	Bytes          uint64           `json:"bytes"`
	AccountDetails []*JszAccount    `json:"account_details,omitempty"`
	Total          int              `json:"total"`
}

// JszAccount is one account in /jsz?accounts=true.
type JszAccount struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	JetStreamStats
	Streams []*JszStream `json:"stream_detail,omitempty"`
}

// JszStream is one stream in /jsz?streams=true. Removed is holdfast's:
// messages that left the stream, by reason.
type JszStream struct {
	Name      string              `json:"name"`
	Created   time.Time           `json:"created"`
	Cluster   *jsapi.ClusterInfo  `json:"cluster,omitempty"`
	Config    *jsapi.StreamConfig `json:"config,omitempty"`
	State     jsapi.StreamState   `json:"state"`
	Consumers []*JszConsumer      `json:"consumer_detail,omitempty"`
	Removed   map[string]uint64   `json:"removed,omitempty"`
}

// JszConsumer is one consumer in /jsz?consumers=true. Config, which
// jsapi.ConsumerInfo always carries, is left out unless config=true; the
// outer field shadows the embedded one for encoding/json.
type JszConsumer struct {
	jsapi.ConsumerInfo
	Config       *jsapi.ConsumerConfig `json:"config,omitempty"`
	Parked       uint64                `json:"parked,omitempty"`
	DeadLettered uint64                `json:"dead_lettered,omitempty"`
}

// JszOptions are /jsz's query options.
type JszOptions struct {
	Account    string // acc=<name>: only this account (implies accounts)
	Accounts   bool
	Streams    bool
	Consumers  bool
	Config     bool
	LeaderOnly bool // leader-only: single server, always the leader
	Offset     int
	Limit      int
}

func (h *Handler) serveJsz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	opts := JszOptions{
		Account:    q.str("acc"),
		Accounts:   q.boolean("accounts"),
		Streams:    q.boolean("streams"),
		Consumers:  q.boolean("consumers"),
		Config:     q.boolean("config"),
		LeaderOnly: q.boolean("leader-only"),
		Offset:     q.integer("offset"),
		Limit:      q.integer("limit"),
	}
	_ = q.boolean("raft") // accepted for compatibility; holdfast has no raft groups yet
	if q.err != "" {
		badRequest(w, q.err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.Jsz(opts))
}

// Jsz renders /jsz from one JetStream snapshot.
func (h *Handler) Jsz(opts JszOptions) *Jsz {
	jz := &Jsz{ID: h.srv.Info().ID, Now: h.now().UTC()}
	js := h.jetStream()
	if js == nil {
		jz.Disabled = true
		return jz
	}
	snap := js.Snapshot()
	jz.JetStreamStats, jz.Config = snap.Stats, snap.Config
	limits := snap.Limits
	jz.Limits = &limits
	accounts := slices.Clone(snap.Accounts)
	slices.SortFunc(accounts, func(a, b AccountSnapshot) int { return cmp.Compare(a.Name, b.Name) })
	for _, a := range accounts {
		for _, s := range a.Streams {
			jz.Streams++
			jz.Consumers += len(s.Consumers)
			jz.Messages += s.Info.State.Msgs
			jz.Bytes += s.Info.State.Bytes
		}
	}
	jz.Total = len(accounts)
	switch {
	case opts.Account != "":
		accounts = slices.DeleteFunc(accounts, func(a AccountSnapshot) bool { return a.Name != opts.Account })
	case opts.Accounts || opts.Streams || opts.Consumers:
		if opts.Limit <= 0 {
			opts.Limit = len(accounts)
		}
		lo, hi := page(len(accounts), opts.Offset, opts.Limit)
		accounts = accounts[lo:hi]
	default:
		accounts = nil
	}
	for _, a := range accounts {
		jz.AccountDetails = append(jz.AccountDetails, jszAccount(a, opts))
	}
	return jz
}

func jszAccount(a AccountSnapshot, opts JszOptions) *JszAccount {
	ja := &JszAccount{Name: a.Name, ID: a.Name, JetStreamStats: a.Stats}
	if !opts.Streams && !opts.Consumers {
		return ja
	}
	streams := slices.Clone(a.Streams)
	slices.SortFunc(streams, func(x, y StreamSnapshot) int { return cmp.Compare(x.Info.Config.Name, y.Info.Config.Name) })
	for _, s := range streams {
		js := &JszStream{
			Name:    s.Info.Config.Name,
			Created: s.Info.Created,
			Cluster: s.Info.Cluster,
			State:   s.Info.State,
			Removed: s.Removed,
		}
		if opts.Config {
			cfg := s.Info.Config
			js.Config = &cfg
		}
		if opts.Consumers {
			for _, c := range s.Consumers {
				jc := &JszConsumer{ConsumerInfo: c.Info, Parked: c.Parked, DeadLettered: c.DeadLettered}
				if opts.Config {
					cfg := c.Info.Config
					jc.Config = &cfg
				}
				js.Consumers = append(js.Consumers, jc)
			}
		}
		ja.Streams = append(ja.Streams, js)
	}
	return ja
}
