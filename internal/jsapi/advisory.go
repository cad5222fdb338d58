package jsapi

import "time"

// Advisory and metric subjects and their "type" strings
// (JETSTREAM-MESSAGING.md §12). Subjects ending in Pre take ".<stream>" or
// ".<stream>.<consumer>"; the T forms are fmt templates.
const (
	AdvisoryPrefix = "$JS.EVENT.ADVISORY"
	MetricPrefix   = "$JS.EVENT.METRIC"

	AdvisoryAPIAudit = "$JS.EVENT.ADVISORY.API"

	AdvisoryStreamCreatedT          = "$JS.EVENT.ADVISORY.STREAM.CREATED.%s"
	AdvisoryStreamUpdatedT          = "$JS.EVENT.ADVISORY.STREAM.UPDATED.%s"
	AdvisoryStreamDeletedT          = "$JS.EVENT.ADVISORY.STREAM.DELETED.%s"
	AdvisoryStreamSnapshotCreateT   = "$JS.EVENT.ADVISORY.STREAM.SNAPSHOT_CREATE.%s"
	AdvisoryStreamSnapshotCompleteT = "$JS.EVENT.ADVISORY.STREAM.SNAPSHOT_COMPLETE.%s"
	AdvisoryStreamRestoreCreateT    = "$JS.EVENT.ADVISORY.STREAM.RESTORE_CREATE.%s"
	AdvisoryStreamRestoreCompleteT  = "$JS.EVENT.ADVISORY.STREAM.RESTORE_COMPLETE.%s"
	AdvisoryStreamBatchAbandonedT   = "$JS.EVENT.ADVISORY.STREAM.BATCH_ABANDONED.%s"
	AdvisoryStreamLeaderElectedT    = "$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.%s"
	AdvisoryStreamQuorumLostT       = "$JS.EVENT.ADVISORY.STREAM.QUORUM_LOST.%s"

	AdvisoryConsumerCreatedT        = "$JS.EVENT.ADVISORY.CONSUMER.CREATED.%s.%s"
	AdvisoryConsumerDeletedT        = "$JS.EVENT.ADVISORY.CONSUMER.DELETED.%s.%s"
	AdvisoryConsumerPauseT          = "$JS.EVENT.ADVISORY.CONSUMER.PAUSE.%s.%s"
	AdvisoryConsumerPinnedT         = "$JS.EVENT.ADVISORY.CONSUMER.PINNED.%s.%s"
	AdvisoryConsumerUnpinnedT       = "$JS.EVENT.ADVISORY.CONSUMER.UNPINNED.%s.%s"
	AdvisoryConsumerMaxDeliveriesT  = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s"
	AdvisoryConsumerMsgNakedT       = "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.%s.%s"
	AdvisoryConsumerMsgTerminatedT  = "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.%s.%s"
	AdvisoryConsumerLeaderElectedT  = "$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.%s.%s"
	AdvisoryConsumerQuorumLostT     = "$JS.EVENT.ADVISORY.CONSUMER.QUORUM_LOST.%s.%s"
	AdvisoryDomainLeaderElected     = "$JS.EVENT.ADVISORY.DOMAIN.LEADER_ELECTED"
	AdvisoryServerOutOfStorage      = "$JS.EVENT.ADVISORY.SERVER.OUT_OF_STORAGE"
	AdvisoryServerRemoved           = "$JS.EVENT.ADVISORY.SERVER.REMOVED"
	AdvisoryServerMetaRescue        = "$JS.EVENT.ADVISORY.SERVER.META_RESCUE"
	AdvisoryAPILimitReached         = "$JS.EVENT.ADVISORY.API.LIMIT_REACHED"
	MetricConsumerAckT              = "$JS.EVENT.METRIC.CONSUMER.ACK.%s.%s"
	advisoryTypePrefix              = "io.nats.jetstream.advisory.v1."
	AdvisoryAPIAuditType            = advisoryTypePrefix + "api_audit"
	AdvisoryStreamActionType        = advisoryTypePrefix + "stream_action"
	AdvisoryConsumerActionType      = advisoryTypePrefix + "consumer_action"
	AdvisoryConsumerPauseType       = advisoryTypePrefix + "consumer_pause"
	AdvisoryConsumerPinnedType      = advisoryTypePrefix + "consumer_group_pinned"
	AdvisoryConsumerUnpinnedType    = advisoryTypePrefix + "consumer_group_unpinned"
	AdvisoryMaxDeliverType          = advisoryTypePrefix + "max_deliver"
	AdvisoryNakType                 = advisoryTypePrefix + "nak"
	AdvisoryTerminatedType          = advisoryTypePrefix + "terminated"
	AdvisorySnapshotCreateType      = advisoryTypePrefix + "snapshot_create"
	AdvisorySnapshotCompleteType    = advisoryTypePrefix + "snapshot_complete"
	AdvisoryRestoreCreateType       = advisoryTypePrefix + "restore_create"
	AdvisoryRestoreCompleteType     = advisoryTypePrefix + "restore_complete"
	AdvisoryBatchAbandonedType      = advisoryTypePrefix + "stream_batch_abandoned"
	AdvisoryStreamLeaderElectedType = advisoryTypePrefix + "stream_leader_elected"
	AdvisoryStreamQuorumLostType    = advisoryTypePrefix + "stream_quorum_lost"
	AdvisoryConsumerLeaderType      = advisoryTypePrefix + "consumer_leader_elected"
	AdvisoryConsumerQuorumLostType  = advisoryTypePrefix + "consumer_quorum_lost"
	AdvisoryDomainLeaderType        = advisoryTypePrefix + "domain_leader_elected"
	AdvisoryOutOfStorageType        = advisoryTypePrefix + "server_out_of_space"
	AdvisoryServerRemovedType       = advisoryTypePrefix + "server_removed"
	AdvisoryMetaRescueType          = advisoryTypePrefix + "meta_rescue"
	AdvisoryAPILimitReachedType     = advisoryTypePrefix + "api_limit_reached"
	MetricConsumerAckType           = "io.nats.jetstream.metric.v1.consumer_ack"
)

// Values of the "action" field of stream and consumer action advisories.
const (
	ActionCreated  = "create"
	ActionModified = "modify"
	ActionDeleted  = "delete"
)

// TypedEvent starts every advisory and metric: its type string, a unique id
// (a NUID) and the UTC time it was raised.
type TypedEvent struct {
	Type string    `json:"type"`
	ID   string    `json:"id"`
	Time time.Time `json:"timestamp"`
}

// StreamActionAdvisory is published on stream create, update and delete.
type StreamActionAdvisory struct {
	TypedEvent
	Stream string `json:"stream"`
	Action string `json:"action"` // ActionCreated, ActionModified or ActionDeleted
	Domain string `json:"domain,omitempty"`
}

// ConsumerActionAdvisory is published on consumer create and delete.
type ConsumerActionAdvisory struct {
	TypedEvent
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	Action   string `json:"action"`
	Domain   string `json:"domain,omitempty"`
}

// ConsumerPauseAdvisory is published when a consumer is paused or resumed.
type ConsumerPauseAdvisory struct {
	TypedEvent
	Stream     string    `json:"stream"`
	Consumer   string    `json:"consumer"`
	Paused     bool      `json:"paused"`
	PauseUntil time.Time `json:"pause_until"`
	Domain     string    `json:"domain,omitempty"`
}

// ConsumerPinnedAdvisory is published when a priority group gets a pin.
type ConsumerPinnedAdvisory struct {
	TypedEvent
	Account        string `json:"account,omitempty"`
	Stream         string `json:"stream"`
	Consumer       string `json:"consumer"`
	Domain         string `json:"domain,omitempty"`
	Group          string `json:"group"`
	PinnedClientID string `json:"pinned_id"`
}

// ConsumerUnpinnedAdvisory is published when a pin is released; Reason is
// "admin" (CONSUMER.UNPIN) or "timeout".
type ConsumerUnpinnedAdvisory struct {
	TypedEvent
	Account  string `json:"account,omitempty"`
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	Domain   string `json:"domain,omitempty"`
	Group    string `json:"group"`
	Reason   string `json:"reason"`
}

// MaxDeliverAdvisory is published once when a message reaches max_deliver.
// It has no consumer_seq.
type MaxDeliverAdvisory struct {
	TypedEvent
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
	Domain     string `json:"domain,omitempty"`
}

// NakAdvisory is published for every -NAK.
type NakAdvisory struct {
	TypedEvent
	Stream      string `json:"stream"`
	Consumer    string `json:"consumer"`
	ConsumerSeq uint64 `json:"consumer_seq"`
	StreamSeq   uint64 `json:"stream_seq"`
	Deliveries  uint64 `json:"deliveries"`
	Domain      string `json:"domain,omitempty"`
}

// TerminatedAdvisory is published for every +TERM, and when the server
// terminates a pending message removed by limits or deletes.
type TerminatedAdvisory struct {
	TypedEvent
	Stream      string `json:"stream"`
	Consumer    string `json:"consumer"`
	ConsumerSeq uint64 `json:"consumer_seq"`
	StreamSeq   uint64 `json:"stream_seq"`
	Deliveries  uint64 `json:"deliveries"`
	Reason      string `json:"reason,omitempty"`
	Domain      string `json:"domain,omitempty"`
}

// ConsumerAckMetric is the sampled ack metric; AckTime is the time from
// the last delivery to the ack.
type ConsumerAckMetric struct {
	TypedEvent
	Stream      string        `json:"stream"`
	Consumer    string        `json:"consumer"`
	ConsumerSeq uint64        `json:"consumer_seq"`
	StreamSeq   uint64        `json:"stream_seq"`
	AckTime     time.Duration `json:"ack_time"`
	Deliveries  uint64        `json:"deliveries"`
	Domain      string        `json:"domain,omitempty"`
}
