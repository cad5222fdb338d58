package monitor

import "time"

// Server is the view of a running server that the monitor renders. Every method
// returns a copy that the caller owns; implementations hold their locks only
// while copying.
type Server interface {
	// Info is the server's identity and configuration.
	Info() Info
	// Stats are the server's counters now.
	Stats() Stats
	// Conns returns the connections in state (open, closed or both). With
	// subs, each Conn carries its subscriptions.
	Conns(state ConnState, subs bool) []Conn
	// Subs returns every client subscription.
	Subs() []Sub
	// SublistStats are the subscription index's counters.
	SublistStats() SublistStats
}

// Info is what a server is and how it is configured; it changes only on restart.
type Info struct {
	ID, Name       string
	Version        string // the nats-server version whose behaviour is implemented
	Build          string // holdfast's own version
	GitCommit      string
	GoVersion      string
	Proto          int
	Host           string
	Port           int
	HTTPHost       string
	HTTPPort       int
	AuthRequired   bool
	MaxConn        int
	MaxPayload     int
	MaxControlLine int
	MaxPending     int64
	PingInterval   time.Duration
	MaxPingsOut    int
	AuthTimeout    time.Duration
	WriteDeadline  time.Duration
	Start          time.Time
	ConfigLoadTime time.Time
	// JetStream is true when the configuration asks for JetStream; /healthz
	// then reports "unavailable" until a JetStream provider is ready.
	JetStream bool
}

// Stats are cumulative counters and current gauges of a server.
type Stats struct {
	Conns            int    // open client connections
	TotalConns       uint64 // connections accepted since start
	Subscriptions    int
	InMsgs, InBytes  uint64
	OutMsgs          uint64
	OutBytes         uint64
	SlowConsumers    uint64 // connections closed as slow consumers
	StaleConnections uint64 // connections closed for missing PONGs
}

// ConnState selects connections for Conns.
type ConnState int

// Connection states, as nats-server's /connz?state=.
const (
	ConnOpen ConnState = iota
	ConnClosed
	ConnAll
)

// Conn is a snapshot of one client connection.
type Conn struct {
	CID          uint64
	IP           string
	Port         int
	Start        time.Time
	LastActivity time.Time
	Stop         time.Time // zero while open
	Reason       string    // why it closed; "" while open
	RTT          time.Duration
	PendingBytes int
	InMsgs       uint64
	OutMsgs      uint64
	InBytes      uint64
	OutBytes     uint64
	NumSubs      int
	Subs         []Sub // only when asked for
	Name         string
	Lang         string
	Version      string
	User         string
	Account      string
}

// Sub is one client subscription.
type Sub struct {
	Account string
	Subject string
	Queue   string
	SID     string
	Msgs    int64
	Max     int64
	CID     uint64
}

// SublistStats are the counters of a subscription index, as /subsz reports them.
type SublistStats struct {
	Subscriptions int
	Cache         int
	Inserts       uint64
	Removes       uint64
	Matches       uint64
	CacheHits     uint64
}
