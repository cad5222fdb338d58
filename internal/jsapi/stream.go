package jsapi

import "time"

// StreamConfig is the configuration of a stream, as sent in STREAM.CREATE
// and STREAM.UPDATE and returned in every StreamInfo (JETSTREAM-API.md §7).
//
// Field order and omitempty follow nats-server's wire form. Fields without
// omitempty are always written, because clients (KV and object store in
// particular) compare the returned config with the one they asked for.
type StreamConfig struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	Subjects     []string        `json:"subjects,omitempty"`
	Retention    RetentionPolicy `json:"retention"`
	MaxConsumers int             `json:"max_consumers"`
	MaxMsgs      int64           `json:"max_msgs"`
	MaxBytes     int64           `json:"max_bytes"`
	MaxAge       time.Duration   `json:"max_age"`
	// MaxMsgsPerSubject is max_msgs_per_subject; -1 means unlimited.
	MaxMsgsPerSubject int64 `json:"max_msgs_per_subject"`
	// MaxMsgSize is omitempty on the wire, but the server normalises 0 to -1
	// so it is written in practice.
	MaxMsgSize  int32           `json:"max_msg_size,omitempty"`
	Discard     DiscardPolicy   `json:"discard"`
	Storage     StorageType     `json:"storage"`
	Replicas    int             `json:"num_replicas"`
	NoAck       bool            `json:"no_ack,omitempty"`
	Duplicates  time.Duration   `json:"duplicate_window,omitempty"`
	Placement   *Placement      `json:"placement,omitempty"`
	Mirror      *StreamSource   `json:"mirror,omitempty"`
	Sources     []*StreamSource `json:"sources,omitempty"`
	Compression Compression     `json:"compression"`
	FirstSeq    uint64          `json:"first_seq,omitempty"`

	SubjectTransform *SubjectTransformConfig `json:"subject_transform,omitempty"`
	RePublish        *RePublish              `json:"republish,omitempty"`

	AllowDirect          bool `json:"allow_direct"`
	MirrorDirect         bool `json:"mirror_direct"`
	DiscardNewPerSubject bool `json:"discard_new_per_subject,omitempty"`
	Sealed               bool `json:"sealed"`
	DenyDelete           bool `json:"deny_delete"`
	DenyPurge            bool `json:"deny_purge"`
	AllowRollup          bool `json:"allow_rollup_hdrs"`

	ConsumerLimits StreamConsumerLimits `json:"consumer_limits"`

	AllowMsgTTL            bool          `json:"allow_msg_ttl"`
	SubjectDeleteMarkerTTL time.Duration `json:"subject_delete_marker_ttl,omitempty"`
	AllowMsgCounter        bool          `json:"allow_msg_counter,omitempty"`
	AllowAtomicPublish     bool          `json:"allow_atomic,omitempty"`
	AllowMsgSchedules      bool          `json:"allow_msg_schedules,omitempty"`
	PersistMode            PersistMode   `json:"persist_mode,omitempty"`
	AllowBatchPublish      bool          `json:"allow_batched,omitempty"`

	Metadata map[string]string `json:"metadata,omitempty"`

	// TemplateOwner is template_owner, removed in nats-server 2.11. It is
	// accepted on input so strict decoding does not reject old clients, and
	// holdfast never sets it.
	TemplateOwner string `json:"template_owner,omitempty"`
}

// Placement asks for the cluster or server tags a stream should live on.
type Placement struct {
	Cluster   string   `json:"cluster,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Preferred string   `json:"preferred,omitempty"`
}

// StreamSource is a mirror or source of a stream.
type StreamSource struct {
	Name              string                   `json:"name"`
	OptStartSeq       uint64                   `json:"opt_start_seq,omitempty"`
	OptStartTime      *time.Time               `json:"opt_start_time,omitempty"`
	FilterSubject     string                   `json:"filter_subject,omitempty"`
	SubjectTransforms []SubjectTransformConfig `json:"subject_transforms,omitempty"`
	External          *ExternalStream          `json:"external,omitempty"`
	Consumer          *StreamConsumerSource    `json:"consumer,omitempty"`
}

// StreamConsumerSource names the durable consumer used for sourcing (2.14).
type StreamConsumerSource struct {
	Name           string `json:"name,omitempty"`
	DeliverSubject string `json:"deliver_subject,omitempty"`
}

// ExternalStream addresses a stream in another account or domain by its API
// and deliver prefixes.
type ExternalStream struct {
	APIPrefix     string `json:"api"`
	DeliverPrefix string `json:"deliver"`
}

// SubjectTransformConfig maps subjects matching Source to Destination.
type SubjectTransformConfig struct {
	Source      string `json:"src"`
	Destination string `json:"dest"`
}

// RePublish re-publishes stored messages matching Source to Destination.
type RePublish struct {
	Source      string `json:"src,omitempty"`
	Destination string `json:"dest"`
	HeadersOnly bool   `json:"headers_only,omitempty"`
}

// StreamConsumerLimits are defaults and caps applied to the stream's consumers.
type StreamConsumerLimits struct {
	InactiveThreshold time.Duration `json:"inactive_threshold,omitempty"`
	MaxAckPending     int           `json:"max_ack_pending,omitempty"`
}

// StreamInfo is a stream's config and state, returned by create, update,
// info, list and restore (JETSTREAM-API.md §8). Times must be UTC; the zero
// time is written as "0001-01-01T00:00:00Z", as nats-server does.
type StreamInfo struct {
	Config     StreamConfig        `json:"config"`
	Created    time.Time           `json:"created"`
	State      StreamState         `json:"state"`
	Domain     string              `json:"domain,omitempty"`
	Cluster    *ClusterInfo        `json:"cluster,omitempty"`
	Mirror     *StreamSourceInfo   `json:"mirror,omitempty"`
	Sources    []*StreamSourceInfo `json:"sources,omitempty"`
	Alternates []StreamAlternate   `json:"alternates,omitempty"`
	TimeStamp  time.Time           `json:"ts"`
}

// StreamState is the message state of a stream. Subjects is filled only when
// the info request had subjects_filter, Deleted only with deleted_details.
type StreamState struct {
	Msgs        uint64            `json:"messages"`
	Bytes       uint64            `json:"bytes"`
	FirstSeq    uint64            `json:"first_seq"`
	FirstTime   time.Time         `json:"first_ts"`
	LastSeq     uint64            `json:"last_seq"`
	LastTime    time.Time         `json:"last_ts"`
	NumSubjects int               `json:"num_subjects,omitempty"`
	Subjects    map[string]uint64 `json:"subjects,omitempty"`
	NumDeleted  int               `json:"num_deleted,omitempty"`
	Deleted     []uint64          `json:"deleted,omitempty"`
	Lost        *LostStreamData   `json:"lost,omitempty"`
	Consumers   int               `json:"consumer_count"`
}

// LostStreamData lists messages lost to corruption.
type LostStreamData struct {
	Msgs  []uint64 `json:"msgs"`
	Bytes uint64   `json:"bytes"`
}

// StreamAlternate is a mirror usable for direct get.
type StreamAlternate struct {
	Name    string `json:"name"`
	Domain  string `json:"domain,omitempty"`
	Cluster string `json:"cluster"`
}

// StreamSourceInfo is the replication state of a mirror or source.
// Active is the time since the last activity, -1 if never.
type StreamSourceInfo struct {
	Name              string                   `json:"name"`
	External          *ExternalStream          `json:"external,omitempty"`
	Lag               uint64                   `json:"lag"`
	Seq               uint64                   `json:"seq,omitempty"`
	Active            time.Duration            `json:"active"`
	Error             *ApiError                `json:"error,omitempty"`
	FilterSubject     string                   `json:"filter_subject,omitempty"`
	SubjectTransforms []SubjectTransformConfig `json:"subject_transforms,omitempty"`
}

// ClusterInfo describes the servers behind a stream or consumer. A
// standalone server still reports {"leader":"<server name>"} for streams.
type ClusterInfo struct {
	Name        string              `json:"name,omitempty"`
	RaftGroup   string              `json:"raft_group,omitempty"`
	Leader      string              `json:"leader,omitempty"`
	LeaderSince *time.Time          `json:"leader_since,omitempty"`
	SystemAcc   bool                `json:"system_account,omitempty"`
	TrafficAcc  string              `json:"traffic_account,omitempty"`
	Replicas    []*PeerInfo         `json:"replicas,omitempty"`
	Desired     *DesiredClusterInfo `json:"desired,omitempty"`
}

// PeerInfo is one replica of a clustered asset.
type PeerInfo struct {
	Name    string        `json:"name"`
	Current bool          `json:"current"`
	Offline bool          `json:"offline,omitempty"`
	Active  time.Duration `json:"active"`
	Lag     uint64        `json:"lag,omitempty"`
	Peer    string        `json:"peer"`
	Pending bool          `json:"pending,omitempty"`
}

// DesiredClusterInfo is the target placement of an asset being moved or
// rescaled (2.15). Holdfast, being single-server, reports none.
type DesiredClusterInfo struct {
	Created  time.Time                 `json:"created"`
	Name     string                    `json:"name,omitempty"`
	Replicas []*DesiredPeerInfo        `json:"replicas,omitempty"`
	Origin   *DesiredClusterInfoOrigin `json:"origin,omitempty"`
	Status   *DesiredClusterInfoStatus `json:"status,omitempty"`
}

// DesiredClusterInfoOrigin is the placement an asset is moving away from.
type DesiredClusterInfoOrigin struct {
	Replicas  int              `json:"replicas"`
	Placement *Placement       `json:"placement,omitempty"`
	Retention *RetentionPolicy `json:"retention,omitempty"`
}

// DesiredPeerInfo is one target replica.
type DesiredPeerInfo struct {
	Name    string `json:"name"`
	Offline bool   `json:"offline,omitempty"`
	Peer    string `json:"peer"`
}

// DesiredClusterInfoStatus is the progress of a move.
type DesiredClusterInfoStatus struct {
	Description string `json:"description"`
	Type        string `json:"type"`
	Err         string `json:"err,omitempty"`
}
