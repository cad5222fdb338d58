package jsapi

import "time"

// Request and response bodies of the $JS.API.CONSUMER.* endpoints
// (JETSTREAM-API.md §4) and the pull request of CONSUMER.MSG.NEXT
// (JETSTREAM-MESSAGING.md §4.1).

// ConsumerCreateRequest is the body of every consumer create subject.
type ConsumerCreateRequest struct {
	Stream   string         `json:"stream_name"`
	Config   ConsumerConfig `json:"config"`
	Action   ConsumerAction `json:"action"`
	Pedantic bool           `json:"pedantic,omitempty"`
}

// ConsumerCreateResponse answers the consumer create subjects.
type ConsumerCreateResponse struct {
	ApiResponse
	*ConsumerInfo
}

// ConsumerInfoResponse answers CONSUMER.INFO.
type ConsumerInfoResponse struct {
	ApiResponse
	*ConsumerInfo
}

// ConsumerDeleteResponse answers CONSUMER.DELETE.
type ConsumerDeleteResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// ConsumerNamesRequest is the optional body of CONSUMER.NAMES and
// CONSUMER.LIST.
type ConsumerNamesRequest struct {
	ApiPagedRequest
}

// ConsumerListRequest has the same shape as ConsumerNamesRequest.
type ConsumerListRequest = ConsumerNamesRequest

// ConsumerNamesResponse answers CONSUMER.NAMES; Consumers is [] when empty,
// so callers should set a non-nil slice.
type ConsumerNamesResponse struct {
	ApiResponse
	ApiPaged
	Consumers []string `json:"consumers"`
}

// ConsumerListResponse answers CONSUMER.LIST; Consumers is [] when empty.
type ConsumerListResponse struct {
	ApiResponse
	ApiPaged
	Consumers []*ConsumerInfo   `json:"consumers"`
	Missing   []string          `json:"missing,omitempty"`
	Offline   map[string]string `json:"offline,omitempty"`
}

// ConsumerPauseRequest is the optional body of CONSUMER.PAUSE; the zero time
// resumes the consumer.
type ConsumerPauseRequest struct {
	PauseUntil time.Time `json:"pause_until,omitempty"`
}

// ConsumerPauseResponse answers CONSUMER.PAUSE; pause_until is always
// written, "0001-01-01T00:00:00Z" when resumed.
type ConsumerPauseResponse struct {
	ApiResponse
	Paused         bool          `json:"paused"`
	PauseUntil     time.Time     `json:"pause_until"`
	PauseRemaining time.Duration `json:"pause_remaining,omitempty"`
}

// ConsumerUnpinRequest is the body of CONSUMER.UNPIN.
type ConsumerUnpinRequest struct {
	Group string `json:"group"`
}

// ConsumerUnpinResponse answers CONSUMER.UNPIN.
type ConsumerUnpinResponse struct {
	ApiResponse
}

// ConsumerResetRequest is the optional body of CONSUMER.RESET (2.14).
type ConsumerResetRequest struct {
	Seq uint64 `json:"seq,omitempty"`
}

// ConsumerResetResponse answers CONSUMER.RESET; reset_seq is always written.
type ConsumerResetResponse struct {
	ApiResponse
	*ConsumerInfo
	ResetSeq uint64 `json:"reset_seq"`
}

// ConsumerLeaderStepDownResponse answers CONSUMER.LEADER.STEPDOWN.
type ConsumerLeaderStepDownResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// NextRequest is the JSON form of a pull request on CONSUMER.MSG.NEXT. The
// body may also be empty (batch 1) or a bare integer (batch n); it is
// decoded leniently.
type NextRequest struct {
	Expires   time.Duration `json:"expires,omitempty"`
	Batch     int           `json:"batch,omitempty"`
	MaxBytes  int           `json:"max_bytes,omitempty"`
	NoWait    bool          `json:"no_wait,omitempty"`
	Heartbeat time.Duration `json:"idle_heartbeat,omitempty"`
	PriorityGroup
}

// PriorityGroup is the priority-group part of a pull request (ADR-42).
type PriorityGroup struct {
	Group         string `json:"group,omitempty"`
	MinPending    int64  `json:"min_pending,omitempty"`
	MinAckPending int64  `json:"min_ack_pending,omitempty"`
	ID            string `json:"id,omitempty"`
	Priority      int    `json:"priority,omitempty"`
}

// NakOptions is the JSON that may follow "-NAK " in an ack payload.
type NakOptions struct {
	Delay time.Duration `json:"delay"`
}
