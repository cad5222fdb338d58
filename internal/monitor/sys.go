package monitor

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"time"
)

// The $SYS.REQ.SERVER request kinds answered (the last subject token;
// PING alone is KindStatsz). They render the same snapshots as the HTTP
// endpoints, wrapped as nats-server's ServerAPIResponse.
const (
	KindStatsz  = "STATSZ"
	KindVarz    = "VARZ"
	KindJsz     = "JSZ"
	KindHealthz = "HEALTHZ"
	KindConnz   = "CONNZ"
	KindSubsz   = "SUBSZ"
)

// SysServerInfo identifies the answering server in a $SYS response.
type SysServerInfo struct {
	Name      string    `json:"name"`
	Host      string    `json:"host"`
	ID        string    `json:"id"`
	Domain    string    `json:"domain,omitempty"`
	Version   string    `json:"ver"`
	JetStream bool      `json:"jetstream"`
	Flags     uint64    `json:"flags"`
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
}

// sysFlagJetStream is the flags bit nats-server sets when JetStream is on.
const sysFlagJetStream = 1

// SysResponse is the reply to a $SYS.REQ.SERVER request: the statsz of a
// PING, the data of the other kinds, or an error.
type SysResponse struct {
	Server *SysServerInfo `json:"server"`
	Statsz *Statsz        `json:"statsz,omitempty"`
	Data   any            `json:"data,omitempty"`
	Error  *SysError      `json:"error,omitempty"`
}

// SysError is an error in a SysResponse.
type SysError struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// Statsz is the answer to $SYS.REQ.SERVER.PING (nats-server's ServerStats).
type Statsz struct {
	Start         time.Time      `json:"start"`
	Mem           int64          `json:"mem"`
	Cores         int            `json:"cores"`
	CPU           float64        `json:"cpu"`
	Connections   int            `json:"connections"`
	TotalConns    uint64         `json:"total_connections"`
	Accounts      int            `json:"active_accounts"`
	Subscriptions int            `json:"subscriptions"`
	Sent          MsgBytes       `json:"sent"`
	SentClients   MsgBytes       `json:"sent_to_clients"`
	Received      MsgBytes       `json:"received"`
	RecvClients   MsgBytes       `json:"received_from_clients"`
	SlowConsumers uint64         `json:"slow_consumers"`
	ActiveServers int            `json:"active_servers"`
	JetStream     *VarzJetStream `json:"jetstream,omitempty"`
	MaxProcs      int            `json:"gomaxprocs"`
}

// MsgBytes counts messages and their bytes.
type MsgBytes struct {
	Msgs  uint64 `json:"msgs"`
	Bytes uint64 `json:"bytes"`
}

// SysFilter is the optional body of a $SYS.REQ.SERVER.PING request: a
// server answers only when it matches (nats-server's EventFilterOptions).
type SysFilter struct {
	Name       string   `json:"server_name,omitempty"`
	Cluster    string   `json:"cluster,omitempty"`
	Host       string   `json:"host,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Domain     string   `json:"domain,omitempty"`
	ExactMatch bool     `json:"exact_match,omitempty"`
}

// sysRequest is everything a $SYS request body may carry: the filter and the
// options of each kind, under nats-server's JSON names.
type sysRequest struct {
	SysFilter
	// JSZ
	Account   string `json:"account"`
	Accounts  bool   `json:"accounts"`
	Streams   bool   `json:"streams"`
	Consumer  bool   `json:"consumer"`
	Consumers bool   `json:"consumers"`
	Config    bool   `json:"config"`
	// HEALTHZ
	JSEnabledOnly bool `json:"js-enabled-only"`
	JSServerOnly  bool `json:"js-server-only"`
	// CONNZ and SUBSZ
	Sort          string `json:"sort"`
	Auth          bool   `json:"auth"`
	Subscriptions bool   `json:"subscriptions"`
	SubsDetail    bool   `json:"subscriptions_detail"`
	CID           uint64 `json:"cid"`
	State         int    `json:"state"`
	User          string `json:"user"`
	Acc           string `json:"acc"`
	Test          string `json:"test"`
	Offset        int    `json:"offset"`
	Limit         int    `json:"limit"`
}

// SysRequest answers a $SYS.REQ.SERVER request of the given kind. It returns
// nil when the server must not answer: the body's filter does not match, or
// the kind is unknown. seq numbers the server's $SYS messages.
func (h *Handler) SysRequest(kind string, body []byte, seq uint64) *SysResponse {
	info, now := h.srv.Info(), h.now()
	resp := &SysResponse{Server: &SysServerInfo{
		Name: info.Name, Host: info.Host, ID: info.ID, Version: info.Version,
		Seq: seq, Time: now.UTC(),
	}}
	js := h.jetStream()
	if js != nil {
		resp.Server.JetStream, resp.Server.Flags = true, sysFlagJetStream
		resp.Server.Domain = js.Snapshot().Config.Domain
	}
	var req sysRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			resp.Error = &SysError{Code: http.StatusBadRequest, Description: err.Error()}
			return resp
		}
	}
	if !req.matches(resp.Server) {
		return nil
	}
	switch kind {
	case KindStatsz:
		resp.Statsz = h.statsz(info.Start, js)
	case KindVarz:
		resp.Data = h.Varz()
	case KindJsz:
		resp.Data = h.Jsz(JszOptions{Account: req.Account, Accounts: req.Accounts, Streams: req.Streams,
			Consumers: req.Consumers || req.Consumer, Config: req.Config, Offset: req.Offset, Limit: req.Limit})
	case KindHealthz:
		hs := h.Healthz(HealthzOptions{JSEnabledOnly: req.JSEnabledOnly, JSServerOnly: req.JSServerOnly})
		hs.StatusCode = http.StatusOK
		if hs.Error != "" {
			hs.StatusCode = http.StatusServiceUnavailable
		}
		resp.Data = hs
	case KindConnz:
		cz, errText := h.Connz(ConnzOptions{Sort: req.Sort, Subs: req.Subscriptions, SubsDetail: req.SubsDetail,
			Auth: req.Auth, State: ConnState(req.State), CID: req.CID, User: req.User, Account: req.Acc,
			Offset: req.Offset, Limit: req.Limit})
		if errText != "" {
			resp.Error = &SysError{Code: http.StatusBadRequest, Description: errText}
		} else {
			resp.Data = cz
		}
	case KindSubsz:
		resp.Data = h.Subsz(SubszOptions{Subs: req.Subscriptions, Test: req.Test, Account: req.Acc,
			Offset: req.Offset, Limit: req.Limit})
	default:
		return nil
	}
	return resp
}

// matches applies the filter as nats-server does: names and hosts match as
// substrings unless exact_match is set; holdfast has no cluster and no tags,
// so a filter asking for either never matches.
func (f *SysFilter) matches(s *SysServerInfo) bool {
	match := func(want, have string) bool {
		if want == "" {
			return true
		}
		if f.ExactMatch {
			return want == have
		}
		return strings.Contains(have, want)
	}
	return match(f.Name, s.Name) && match(f.Host, s.Host) && match(f.Cluster, "") &&
		match(f.Domain, s.Domain) && len(f.Tags) == 0
}

func (h *Handler) statsz(start time.Time, js JetStream) *Statsz {
	st, now := h.srv.Stats(), h.now()
	sz := &Statsz{
		Start:         start.UTC(),
		Mem:           residentMemory(),
		Cores:         runtime.NumCPU(),
		CPU:           h.cpu.percent(now),
		Connections:   st.Conns,
		TotalConns:    st.TotalConns,
		Accounts:      1,
		Subscriptions: st.Subscriptions,
		Sent:          MsgBytes{st.OutMsgs, st.OutBytes},
		SentClients:   MsgBytes{st.OutMsgs, st.OutBytes},
		Received:      MsgBytes{st.InMsgs, st.InBytes},
		RecvClients:   MsgBytes{st.InMsgs, st.InBytes},
		SlowConsumers: st.SlowConsumers,
		ActiveServers: 1,
		MaxProcs:      runtime.GOMAXPROCS(0),
	}
	if js != nil {
		snap := js.Snapshot()
		sz.JetStream = &VarzJetStream{Config: &snap.Config, Stats: &snap.Stats, Limits: &snap.Limits}
	}
	return sz
}
