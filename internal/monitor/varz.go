package monitor

import (
	"net/http"
	"runtime"
	"time"
)

// Varz is the /varz response. Field names and order follow nats-server's
// Varz; sections holdfast does not have (cluster, gateway, leaf, mqtt,
// websocket) are present and empty, as in a nats-server without them.
type Varz struct {
	ID                   string            `json:"server_id"`
	Name                 string            `json:"server_name"`
	Version              string            `json:"version"`
	Proto                int               `json:"proto"`
	GitCommit            string            `json:"git_commit,omitempty"`
	GoVersion            string            `json:"go"`
	Host                 string            `json:"host"`
	Port                 int               `json:"port"`
	AuthRequired         bool              `json:"auth_required,omitempty"`
	MaxConn              int               `json:"max_connections"`
	PingInterval         time.Duration     `json:"ping_interval"`
	MaxPingsOut          int               `json:"ping_max"`
	HTTPHost             string            `json:"http_host"`
	HTTPPort             int               `json:"http_port"`
	HTTPBasePath         string            `json:"http_base_path"`
	HTTPSPort            int               `json:"https_port"`
	AuthTimeout          float64           `json:"auth_timeout"`
	MaxControlLine       int               `json:"max_control_line"`
	MaxPayload           int               `json:"max_payload"`
	MaxPending           int64             `json:"max_pending"`
	Cluster              struct{}          `json:"cluster"`
	Gateway              struct{}          `json:"gateway"`
	LeafNode             struct{}          `json:"leaf"`
	MQTT                 struct{}          `json:"mqtt"`
	Websocket            struct{}          `json:"websocket"`
	JetStream            VarzJetStream     `json:"jetstream"`
	TLSTimeout           float64           `json:"tls_timeout"`
	WriteDeadline        time.Duration     `json:"write_deadline"`
	Start                time.Time         `json:"start"`
	Now                  time.Time         `json:"now"`
	Uptime               string            `json:"uptime"`
	Mem                  int64             `json:"mem"`
	Cores                int               `json:"cores"`
	MaxProcs             int               `json:"gomaxprocs"`
	CPU                  float64           `json:"cpu"`
	Connections          int               `json:"connections"`
	TotalConnections     uint64            `json:"total_connections"`
	Routes               int               `json:"routes"`
	Remotes              int               `json:"remotes"`
	Leafs                int               `json:"leafnodes"`
	InMsgs               uint64            `json:"in_msgs"`
	InBytes              uint64            `json:"in_bytes"`
	InClientMsgs         uint64            `json:"in_client_msgs"`
	InClientBytes        uint64            `json:"in_client_bytes"`
	OutMsgs              uint64            `json:"out_msgs"`
	OutBytes             uint64            `json:"out_bytes"`
	OutClientMsgs        uint64            `json:"out_client_msgs"`
	OutClientBytes       uint64            `json:"out_client_bytes"`
	SlowConsumers        uint64            `json:"slow_consumers"`
	StaleConnections     uint64            `json:"stale_connections"`
	StalledClients       uint64            `json:"stalled_clients"`
	Subscriptions        int               `json:"subscriptions"`
	HTTPReqStats         map[string]uint64 `json:"http_req_stats"`
	ConfigLoadTime       time.Time         `json:"config_load_time"`
	ConfigDigest         string            `json:"config_digest"`
	SlowConsumersStats   KindStats         `json:"slow_consumer_stats"`
	StaleConnectionStats KindStats         `json:"stale_connection_stats"`
}

// VarzJetStream is /varz's jetstream section: empty when disabled.
type VarzJetStream struct {
	Config *JetStreamConfig `json:"config,omitempty"`
	Stats  *JetStreamStats  `json:"stats,omitempty"`
	Limits *JetStreamLimits `json:"limits,omitempty"`
}

// KindStats splits a counter by connection kind; holdfast has clients only.
type KindStats struct {
	Clients  uint64 `json:"clients"`
	Routes   uint64 `json:"routes"`
	Gateways uint64 `json:"gateways"`
	Leafs    uint64 `json:"leafs"`
}

func (h *Handler) serveVarz(w http.ResponseWriter, _ *http.Request) {
	h.writeJSON(w, http.StatusOK, h.Varz())
}

// Varz renders /varz from fresh snapshots.
func (h *Handler) Varz() *Varz {
	info, st, now := h.srv.Info(), h.srv.Stats(), h.now()
	v := &Varz{
		ID:                   info.ID,
		Name:                 info.Name,
		Version:              info.Version,
		Proto:                info.Proto,
		GitCommit:            info.GitCommit,
		GoVersion:            info.GoVersion,
		Host:                 info.Host,
		Port:                 info.Port,
		AuthRequired:         info.AuthRequired,
		MaxConn:              info.MaxConn,
		PingInterval:         info.PingInterval,
		MaxPingsOut:          info.MaxPingsOut,
		HTTPHost:             info.HTTPHost,
		HTTPPort:             info.HTTPPort,
		AuthTimeout:          info.AuthTimeout.Seconds(),
		MaxControlLine:       info.MaxControlLine,
		MaxPayload:           info.MaxPayload,
		MaxPending:           info.MaxPending,
		TLSTimeout:           2, // nats-server's default; holdfast has no TLS yet
		WriteDeadline:        info.WriteDeadline,
		Start:                info.Start.UTC(),
		Now:                  now.UTC(),
		Uptime:               uptime(now.Sub(info.Start)),
		Mem:                  residentMemory(),
		Cores:                runtime.NumCPU(),
		MaxProcs:             runtime.GOMAXPROCS(0),
		CPU:                  h.cpu.percent(now),
		Connections:          st.Conns,
		TotalConnections:     st.TotalConns,
		InMsgs:               st.InMsgs,
		InBytes:              st.InBytes,
		InClientMsgs:         st.InMsgs,
		InClientBytes:        st.InBytes,
		OutMsgs:              st.OutMsgs,
		OutBytes:             st.OutBytes,
		OutClientMsgs:        st.OutMsgs,
		OutClientBytes:       st.OutBytes,
		SlowConsumers:        st.SlowConsumers,
		StaleConnections:     st.StaleConnections,
		Subscriptions:        st.Subscriptions,
		HTTPReqStats:         h.reqStats(),
		ConfigLoadTime:       info.ConfigLoadTime.UTC(),
		SlowConsumersStats:   KindStats{Clients: st.SlowConsumers},
		StaleConnectionStats: KindStats{Clients: st.StaleConnections},
	}
	if js := h.jetStream(); js != nil {
		snap := js.Snapshot()
		v.JetStream = VarzJetStream{Config: &snap.Config, Stats: &snap.Stats, Limits: &snap.Limits}
	}
	return v
}
