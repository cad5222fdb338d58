package jsapi

import "time"

// ConsumerConfig is the configuration of a consumer (JETSTREAM-API.md §10).
// A consumer with an empty DeliverSubject is a pull consumer.
type ConsumerConfig struct {
	Durable       string          `json:"durable_name,omitempty"`
	Name          string          `json:"name,omitempty"`
	Description   string          `json:"description,omitempty"`
	DeliverPolicy DeliverPolicy   `json:"deliver_policy"`
	OptStartSeq   uint64          `json:"opt_start_seq,omitempty"`
	OptStartTime  *time.Time      `json:"opt_start_time,omitempty"`
	AckPolicy     AckPolicy       `json:"ack_policy"`
	AckWait       time.Duration   `json:"ack_wait,omitempty"`
	MaxDeliver    int             `json:"max_deliver,omitempty"`
	BackOff       []time.Duration `json:"backoff,omitempty"`

	FilterSubject  string   `json:"filter_subject,omitempty"`
	FilterSubjects []string `json:"filter_subjects,omitempty"`

	ReplayPolicy    ReplayPolicy `json:"replay_policy"`
	RateLimit       uint64       `json:"rate_limit_bps,omitempty"` // bits per second
	SampleFrequency string       `json:"sample_freq,omitempty"`
	MaxWaiting      int          `json:"max_waiting,omitempty"`
	MaxAckPending   int          `json:"max_ack_pending,omitempty"`
	FlowControl     bool         `json:"flow_control,omitempty"`
	HeadersOnly     bool         `json:"headers_only,omitempty"`

	// Pull-only limits on single requests.
	MaxRequestBatch    int           `json:"max_batch,omitempty"`
	MaxRequestExpires  time.Duration `json:"max_expires,omitempty"`
	MaxRequestMaxBytes int           `json:"max_bytes,omitempty"`

	// Push-only.
	DeliverSubject string        `json:"deliver_subject,omitempty"`
	DeliverGroup   string        `json:"deliver_group,omitempty"`
	Heartbeat      time.Duration `json:"idle_heartbeat,omitempty"`

	InactiveThreshold time.Duration `json:"inactive_threshold,omitempty"`
	// Replicas is always written; 0 means "as many as the stream".
	Replicas      int  `json:"num_replicas"`
	MemoryStorage bool `json:"mem_storage,omitempty"`

	// Direct and Sourcing mark internal consumers feeding mirrors and sources.
	Direct   bool `json:"direct,omitempty"`
	Sourcing bool `json:"sourcing,omitempty"`

	Metadata   map[string]string `json:"metadata,omitempty"`
	PauseUntil *time.Time        `json:"pause_until,omitempty"`

	// Priority groups (ADR-42, 2.11). PinnedTTL is priority_timeout.
	PriorityGroups []string       `json:"priority_groups,omitempty"`
	PriorityPolicy PriorityPolicy `json:"priority_policy,omitempty"`
	PinnedTTL      time.Duration  `json:"priority_timeout,omitempty"`

	// DeadLetter and NakBackoff are holdfast extensions (issue 7); old
	// clients never send them and ignore them in responses. The same
	// settings travel as holdfast.* metadata keys (MetaDLQ...).
	DeadLetter *DeadLetterConfig `json:"dead_letter,omitempty"`
	NakBackoff []time.Duration   `json:"nak_backoff,omitempty"`
}

// DeadLetterConfig says where a consumer moves the messages it gives up on.
// An object without Stream, in an update, removes the setting.
type DeadLetterConfig struct {
	Stream        string   `json:"stream,omitempty"`
	SubjectPrefix string   `json:"subject_prefix,omitempty"`
	On            []string `json:"on,omitempty"`
	History       int      `json:"history,omitempty"`
}

// Dead-letter reasons, the values of DeadLetterConfig.On and of the
// Holdfast-Dlq-Reason header.
const (
	DLQReasonMaxDeliveries = "max_deliveries"
	DLQReasonTerminated    = "terminated"
	DLQReasonExpired       = "expired"
	DLQReasonMaxLen        = "maxlen"
	DLQReasonManual        = "manual"
)

// Consumer metadata keys carrying the dead-letter settings, so that
// `nats consumer add --metadata` can set them and tools that round-trip a
// config without the dead_letter field keep them.
const (
	MetaDLQStream        = "holdfast.dlq.stream"
	MetaDLQSubjectPrefix = "holdfast.dlq.subject_prefix"
	MetaDLQOn            = "holdfast.dlq.on"
	MetaDLQHistory       = "holdfast.dlq.history"
	MetaNakBackoff       = "holdfast.nak_backoff"
	// MetaDLQAccept, in a stream's metadata, opts the stream in as a
	// dead-letter queue: "*" or a comma-separated list of source streams.
	MetaDLQAccept = "holdfast.dlq.accept"
)

// ConsumerInfo is a consumer's config and delivery state (JETSTREAM-API.md
// §11). nats-server declares Config as a pointer that is never nil in a
// response; here it is a value.
type ConsumerInfo struct {
	Stream         string         `json:"stream_name"`
	Name           string         `json:"name"`
	Created        time.Time      `json:"created"`
	Config         ConsumerConfig `json:"config"`
	Delivered      SequenceInfo   `json:"delivered"`
	AckFloor       SequenceInfo   `json:"ack_floor"`
	NumAckPending  int            `json:"num_ack_pending"`
	NumRedelivered int            `json:"num_redelivered"`
	NumWaiting     int            `json:"num_waiting"`
	NumPending     uint64         `json:"num_pending"`
	// NumParked is a holdfast extension: messages that reached max_deliver
	// without an ack and are kept for retention (old clients ignore it).
	NumParked int `json:"num_parked,omitempty"`
	// NumDeadLetterPending counts messages whose move to the dead-letter
	// stream is recorded but not yet durable; DeadLettered counts the moves
	// done since the consumer was created (or the server started), by reason.
	NumDeadLetterPending int               `json:"num_dead_letter_pending,omitempty"`
	DeadLettered         map[string]uint64 `json:"dead_lettered,omitempty"`
	Cluster              *ClusterInfo      `json:"cluster,omitempty"`
	PushBound            bool              `json:"push_bound,omitempty"`
	Paused               bool              `json:"paused,omitempty"`
	PauseRemaining       time.Duration     `json:"pause_remaining,omitempty"`
	TimeStamp            time.Time         `json:"ts"`

	PriorityGroups []PriorityGroupState `json:"priority_groups,omitempty"`
}

// SequenceInfo is a consumer and stream sequence pair. Last is the last
// delivery time in "delivered" and the last ack time in "ack_floor".
type SequenceInfo struct {
	Consumer uint64     `json:"consumer_seq"`
	Stream   uint64     `json:"stream_seq"`
	Last     *time.Time `json:"last_active,omitempty"`
}

// PriorityGroupState is the pin state of one priority group. PinnedTS is
// tagged omitempty like nats-server's, which has no effect on a time.Time:
// the zero time is written as "0001-01-01T00:00:00Z".
type PriorityGroupState struct {
	Group          string    `json:"group"`
	PinnedClientID string    `json:"pinned_client_id,omitempty"`
	PinnedTS       time.Time `json:"pinned_ts,omitempty"`
}
