package jsapi

// Header names used by JetStream (JETSTREAM-MESSAGING.md). Lookups are
// exact-case: "nats-msg-id" is not a message id.

// Publish headers, client to server (§1.2).
const (
	MsgIDHeader                   = "Nats-Msg-Id"
	ExpectedStreamHeader          = "Nats-Expected-Stream"
	ExpectedLastSeqHeader         = "Nats-Expected-Last-Sequence"
	ExpectedLastSubjSeqHeader     = "Nats-Expected-Last-Subject-Sequence"
	ExpectedLastSubjSeqSubjHeader = "Nats-Expected-Last-Subject-Sequence-Subject"
	ExpectedLastMsgIDHeader       = "Nats-Expected-Last-Msg-Id"
	RollupHeader                  = "Nats-Rollup"
	TTLHeader                     = "Nats-TTL"
	RequiredAPILevelHeader        = "Nats-Required-Api-Level"
	IncrHeader                    = "Nats-Incr"
	BatchIDHeader                 = "Nats-Batch-Id"
	BatchSeqHeader                = "Nats-Batch-Sequence"
	BatchCommitHeader             = "Nats-Batch-Commit"
	ScheduleHeader                = "Nats-Schedule"
	ScheduleTTLHeader             = "Nats-Schedule-TTL"
	ScheduleTargetHeader          = "Nats-Schedule-Target"
	ScheduleSourceHeader          = "Nats-Schedule-Source"
	ScheduleRollupHeader          = "Nats-Schedule-Rollup"
	ScheduleTimeZoneHeader        = "Nats-Schedule-Time-Zone"
	SchedulerHeader               = "Nats-Scheduler"
	ScheduleNextHeader            = "Nats-Schedule-Next"
	StreamSourceHeader            = "Nats-Stream-Source"
	StreamIdentityHeader          = "Nats-Stream-Identity"
	RequestInfoHeader             = "Nats-Request-Info" // internal; stripped before storing
)

// Nats-Rollup values (case-insensitive on input).
const (
	RollupSubject = "sub"
	RollupAll     = "all"
)

// TTLNever is the Nats-TTL value that exempts a message from max_age.
const TTLNever = "never"

// Headers added by the server to direct-get replies and republished
// messages (§7, §9).
const (
	StreamHeader          = "Nats-Stream"
	SubjectHeader         = "Nats-Subject" // also on 503 no-responders replies
	SequenceHeader        = "Nats-Sequence"
	TimeStampHeader       = "Nats-Time-Stamp"
	LastSequenceHeader    = "Nats-Last-Sequence"
	NumPendingHeader      = "Nats-Num-Pending"
	UpToSequenceHeader    = "Nats-UpTo-Sequence"
	MsgSizeHeader         = "Nats-Msg-Size"
	PinIDHeader           = "Nats-Pin-Id"
	MarkerReasonHeader    = "Nats-Marker-Reason"
	KVOperationHeader     = "KV-Operation"
	LastConsumerHeader    = "Nats-Last-Consumer"
	LastStreamHeader      = "Nats-Last-Stream"
	ConsumerStalledHeader = "Nats-Consumer-Stalled"
	PendingMessagesHeader = "Nats-Pending-Messages"
	PendingBytesHeader    = "Nats-Pending-Bytes"
)

// Nats-Marker-Reason values of subject delete markers (§1.5).
const (
	MarkerReasonMaxAge = "MaxAge"
	MarkerReasonPurge  = "Purge"
	MarkerReasonRemove = "Remove"
)

// KV-Operation values.
const (
	KVOperationDelete = "DEL"
	KVOperationPurge  = "PURGE"
)

// Status descriptions of header-only status messages (§4.2, §5). They follow
// "NATS/1.0 <code> "; nats.go matches several by substring, so keep them.
const (
	StatusIdleHeartbeat      = "Idle Heartbeat"      // 100
	StatusFlowControlRequest = "FlowControl Request" // 100
	StatusNoMessages         = "No Messages"         // 404
	StatusMessageNotFound    = "Message Not Found"   // 404, direct get
	StatusNoResults          = "No Results"          // 404, multi_last
	StatusRequestTimeout     = "Request Timeout"     // 408
	StatusRequestsPending    = "Requests Pending"    // 408
	StatusInterestExpired    = "Interest Expired"    // 408
	StatusEmptyRequest       = "Empty Request"       // 408, direct get
	StatusMalformedRequest   = "Malformed Request"   // 408, direct get
	StatusBadRequest         = "Bad Request"         // 400 pull, 408 direct get
	StatusExceededMaxWaiting = "Exceeded MaxWaiting" // 409
	StatusMaxBatchT          = "Exceeded MaxRequestBatch of %d"
	StatusMaxExpiresT        = "Exceeded MaxRequestExpires of %v"
	StatusMaxBytesT          = "Exceeded MaxRequestMaxBytes of %d"
	StatusMsgSizeExceeds     = "Message Size Exceeds MaxBytes" // 409
	StatusBatchCompleted     = "Batch Completed"               // 409
	StatusConsumerDeleted    = "Consumer Deleted"              // 409
	StatusConsumerIsPush     = "Consumer is push based"        // 409
	StatusLeadershipChange   = "Leadership Change"             // 409
	StatusServerShutdown     = "Server Shutdown"               // 409
	StatusRequiredAPILevel   = "Required Api Level"            // 412
	StatusTooManyResults     = "Too Many Results"              // 413
	StatusPinIDMismatch      = "Nats-Pin-Id mismatch"          // 423
	StatusWrongPinID         = "Nats-Wrong-Pin-Id"             // 423
	StatusEOB                = "EOB"                           // 204, end of direct-get batch
	StatusNoInterest         = "No Interest"                   // 408, snapshot
	StatusNoFlowResponse     = "No Flow Response"              // 408, snapshot
	StatusTooManyRequests    = "Too Many Requests"             // 429, publish
)
