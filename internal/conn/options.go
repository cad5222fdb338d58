package conn

import (
	"log/slog"
	"time"

	"github.com/holdfast-mq/holdfast/internal/auth"
	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// Defaults, as nats-server (PROTOCOL.md §11).
const (
	DefaultMaxPending    = 64 << 20
	DefaultPingInterval  = 2 * time.Minute
	DefaultFirstPing     = 2 * time.Second
	DefaultMaxPingsOut   = 2
	DefaultWriteDeadline = 10 * time.Second
	DefaultAuthTimeout   = 2 * time.Second
)

// Options are shared by every connection of a server. They are read-only once
// connections use them.
type Options struct {
	Broker *broker.Broker
	Auth   *auth.Config
	// Info is the INFO template; each connection fills in client_id and client_ip.
	Info           proto.ServerInfo
	MaxPayload     int
	MaxControlLine int
	MaxPending     int
	PingInterval   time.Duration
	FirstPing      time.Duration
	MaxPingsOut    int
	WriteDeadline  time.Duration
	AuthTimeout    time.Duration
	// Trace logs every op received at debug level.
	Trace  bool
	Logger *slog.Logger
}

// WithDefaults returns a copy with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.MaxPayload <= 0 {
		o.MaxPayload = 1 << 20
	}
	if o.MaxControlLine <= 0 {
		o.MaxControlLine = 4096
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.FirstPing <= 0 {
		o.FirstPing = DefaultFirstPing
	}
	if o.MaxPingsOut <= 0 {
		o.MaxPingsOut = DefaultMaxPingsOut
	}
	if o.WriteDeadline <= 0 {
		o.WriteDeadline = DefaultWriteDeadline
	}
	if o.AuthTimeout <= 0 {
		o.AuthTimeout = DefaultAuthTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
