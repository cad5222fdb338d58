package monitor

import (
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// JetStream is the view of the JetStream subsystem that /jsz, /healthz, /varz
// and /metrics render. The JetStream subsystem implements it; until it does,
// the server passes nil and every endpoint shows JetStream as disabled, as
// nats-server does without "jetstream" in its configuration.
type JetStream interface {
	// Health returns nil once JetStream has recovered every stream and
	// consumer from its store, and otherwise an error whose text /healthz
	// returns with status 503 (nats-server's wording is, for example,
	// "JetStream stream '$G > ORDERS' could not be recovered"). With
	// serverOnly, the per-stream and per-consumer checks are skipped
	// (/healthz?js-server-only=true).
	Health(serverOnly bool) error
	// Snapshot returns a copy of JetStream's state: every account, stream
	// and consumer, with counters. It is called once per /jsz, /varz or
	// /metrics request, and the monitor filters it by the query options.
	Snapshot() *JetStreamSnapshot
}

// JetStreamSnapshot is the state of JetStream at one instant.
type JetStreamSnapshot struct {
	Config   JetStreamConfig
	Limits   JetStreamLimits
	Stats    JetStreamStats // server totals
	Accounts []AccountSnapshot
	Store    StoreStats
}

// JetStreamConfig is the "config" object of /jsz and /varz.
type JetStreamConfig struct {
	MaxMemory    int64         `json:"max_memory"`
	MaxStore     int64         `json:"max_storage"`
	StoreDir     string        `json:"store_dir,omitempty"`
	SyncInterval time.Duration `json:"sync_interval,omitempty"`
	SyncAlways   bool          `json:"sync_always,omitempty"`
	Domain       string        `json:"domain,omitempty"`
	CompressOK   bool          `json:"compress_ok,omitempty"`
	UniqueTag    string        `json:"unique_tag,omitempty"`
	Strict       bool          `json:"strict,omitempty"`
}

// JetStreamLimits is the "limits" object of /jsz and /varz: server-wide
// defaults and caps (zero fields are left out).
type JetStreamLimits struct {
	MaxRequestBatch     int           `json:"max_request_batch,omitempty"`
	MaxAckPending       int           `json:"max_ack_pending,omitempty"`
	MaxHAAssets         int           `json:"max_ha_assets,omitempty"`
	Duplicates          time.Duration `json:"max_duplicate_window,omitempty"`
	DefaultMaxConsumers int           `json:"default_max_consumers,omitempty"`
}

// JetStreamStats is usage, as the "stats" object of /varz's jetstream section
// and the top of /jsz.
type JetStreamStats struct {
	Memory         uint64      `json:"memory"`
	Store          uint64      `json:"storage"`
	ReservedMemory uint64      `json:"reserved_memory"`
	ReservedStore  uint64      `json:"reserved_storage"`
	Accounts       int         `json:"accounts"`
	HAResources    int         `json:"ha_assets"`
	API            APIStats    `json:"api"`
	APIByType      []APICounts `json:"-"` // /metrics only
}

// APIStats counts $JS.API requests.
type APIStats struct {
	Level    int    `json:"level"`
	Total    uint64 `json:"total"`
	Errors   uint64 `json:"errors"`
	Inflight uint64 `json:"inflight,omitempty"`
}

// APICounts counts the requests of one $JS.API request type ("STREAM.CREATE",
// "CONSUMER.MSG.NEXT", ...); Errors counts those answered with an ApiError.
type APICounts struct {
	Type     string
	Requests uint64
	Errors   uint64
}

// AccountSnapshot is one account's JetStream usage and streams.
type AccountSnapshot struct {
	Name    string
	Stats   JetStreamStats
	Streams []StreamSnapshot
}

// StreamSnapshot is one stream: its info as $JS.API.STREAM.INFO returns it,
// its consumers, and how many messages left it for each reason.
type StreamSnapshot struct {
	Info      jsapi.StreamInfo
	Consumers []ConsumerSnapshot
	// Removed counts messages that left the stream, by reason (the Removal*
	// constants). Published = Info.State.Msgs + the sum of Removed.
	Removed map[string]uint64
}

// ConsumerSnapshot is one consumer with the counters stream info lacks.
type ConsumerSnapshot struct {
	Info jsapi.ConsumerInfo
	// Parked counts messages that reached max_deliver and wait for an
	// operator (acked, nak'd, or dead-lettered).
	Parked uint64
	// DeadLettered counts messages moved to a dead-letter subject.
	DeadLettered uint64
}

// StoreStats are server-wide storage counters.
type StoreStats struct {
	Fsyncs       uint64
	BytesWritten uint64
	// FsyncSeconds is the distribution of fsync durations, in seconds.
	FsyncSeconds Histogram
	// CommitBatch is the distribution of messages per group commit.
	CommitBatch Histogram
}

// Histogram is a cumulative histogram: Buckets maps an upper bound to the
// number of observations less than or equal to it.
type Histogram struct {
	Count   uint64
	Sum     float64
	Buckets map[float64]uint64
}

// Reasons a message leaves a stream. Every removal is counted under exactly
// one of them, so that published = stored + removed for every stream.
const (
	RemovalAcked           = "acked"            // interest or work-queue retention, all interest acknowledged
	RemovalMaxAge          = "max_age"          // older than max_age
	RemovalTTL             = "ttl"              // per-message TTL (Nats-TTL) expired
	RemovalMaxMsgs         = "max_msgs"         // discard old past max_msgs
	RemovalMaxBytes        = "max_bytes"        // discard old past max_bytes
	RemovalMaxPerSubject   = "max_per_subject"  // past max_msgs_per_subject
	RemovalDiscard         = "discard"          // discard new: refused, never stored
	RemovalPurge           = "purge"            // $JS.API.STREAM.PURGE
	RemovalDeleteAPI       = "delete_api"       // $JS.API.STREAM.MSG.DELETE
	RemovalRollup          = "rollup"           // replaced by a Nats-Rollup message
	RemovalConsumerDeleted = "consumer_deleted" // interest released when its last consumer went away
	RemovalDeadLettered    = "dead_lettered"    // moved to a dead-letter subject
)

// RemovalReasons lists every reason, in the order /metrics writes them; each
// stream exports all of them, zeros included, so that rate() works from the
// first removal.
var RemovalReasons = []string{
	RemovalAcked, RemovalMaxAge, RemovalTTL, RemovalMaxMsgs, RemovalMaxBytes,
	RemovalMaxPerSubject, RemovalDiscard, RemovalPurge, RemovalDeleteAPI,
	RemovalRollup, RemovalConsumerDeleted, RemovalDeadLettered,
}
