package jsapi

// Request and response bodies of the $JS.API.STREAM.* endpoints
// (JETSTREAM-API.md §3). Responses embed *StreamInfo (or similar) as a
// pointer so that an error response carries only "type" and "error" plus
// the non-omitempty fields of the response itself, as nats-server writes.

// StreamCreateRequest is the body of STREAM.CREATE and STREAM.UPDATE: a
// StreamConfig plus the request-scoped pedantic flag (2.11).
type StreamCreateRequest struct {
	StreamConfig
	Pedantic bool `json:"pedantic,omitempty"`
}

// StreamUpdateRequest has the same shape as StreamCreateRequest.
type StreamUpdateRequest = StreamCreateRequest

// StreamCreateResponse answers STREAM.CREATE (and a successful restore).
type StreamCreateResponse struct {
	ApiResponse
	*StreamInfo
	DidCreate bool `json:"did_create,omitempty"`
}

// StreamUpdateResponse answers STREAM.UPDATE.
type StreamUpdateResponse struct {
	ApiResponse
	*StreamInfo
}

// StreamInfoRequest is the optional body of STREAM.INFO.
type StreamInfoRequest struct {
	ApiPagedRequest
	DeletedDetails bool   `json:"deleted_details,omitempty"`
	SubjectsFilter string `json:"subjects_filter,omitempty"`
}

// StreamInfoResponse answers STREAM.INFO; the paging block pages
// state.subjects.
type StreamInfoResponse struct {
	ApiResponse
	ApiPaged
	*StreamInfo
}

// StreamDeleteResponse answers STREAM.DELETE.
type StreamDeleteResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// StreamPurgeRequest is the optional body of STREAM.PURGE. Sequence removes
// messages below it, Keep keeps the newest n; both together are 10003.
type StreamPurgeRequest struct {
	Sequence uint64 `json:"seq,omitempty"`
	Subject  string `json:"filter,omitempty"`
	Keep     uint64 `json:"keep,omitempty"`
}

// StreamPurgeResponse answers STREAM.PURGE; purged is always written.
type StreamPurgeResponse struct {
	ApiResponse
	Success bool   `json:"success,omitempty"`
	Purged  uint64 `json:"purged"`
}

// StreamNamesRequest is the optional body of STREAM.NAMES: Subject keeps
// only streams whose subjects collide with it.
type StreamNamesRequest struct {
	ApiPagedRequest
	Subject string `json:"subject,omitempty"`
}

// StreamNamesResponse answers STREAM.NAMES; Streams is null when empty.
type StreamNamesResponse struct {
	ApiResponse
	ApiPaged
	Streams []string `json:"streams"`
}

// StreamListRequest is the optional body of STREAM.LIST.
type StreamListRequest = StreamNamesRequest

// StreamListResponse answers STREAM.LIST; Streams is [] when empty, so
// callers should set a non-nil slice.
type StreamListResponse struct {
	ApiResponse
	ApiPaged
	Streams []*StreamInfo     `json:"streams"`
	Missing []string          `json:"missing,omitempty"`
	Offline map[string]string `json:"offline,omitempty"`
}

// StreamSnapshotRequest is the body of STREAM.SNAPSHOT.
type StreamSnapshotRequest struct {
	DeliverSubject string `json:"deliver_subject"`
	NoConsumers    bool   `json:"no_consumers,omitempty"`
	ChunkSize      int    `json:"chunk_size,omitempty"`
	WindowSize     int    `json:"window_size,omitempty"`
	CheckMsgs      bool   `json:"jsck,omitempty"`
}

// StreamSnapshotResponse answers STREAM.SNAPSHOT before the chunks flow.
type StreamSnapshotResponse struct {
	ApiResponse
	Config *StreamConfig `json:"config,omitempty"`
	State  *StreamState  `json:"state,omitempty"`
}

// StreamRestoreRequest is the body of STREAM.RESTORE.
type StreamRestoreRequest struct {
	Config StreamConfig `json:"config"`
	State  StreamState  `json:"state"`
}

// StreamRestoreResponse answers STREAM.RESTORE with the subject to publish
// chunks to.
type StreamRestoreResponse struct {
	ApiResponse
	DeliverSubject string `json:"deliver_subject"`
}

// LeaderStepDownRequest is the optional body of the LEADER.STEPDOWN
// endpoints (stream, consumer and meta).
type LeaderStepDownRequest struct {
	Placement *Placement `json:"placement,omitempty"`
}

// StreamLeaderStepDownResponse answers STREAM.LEADER.STEPDOWN.
type StreamLeaderStepDownResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// StreamRemovePeerRequest is the body of STREAM.PEER.REMOVE.
type StreamRemovePeerRequest struct {
	Peer string `json:"peer"`
}

// StreamRemovePeerResponse answers STREAM.PEER.REMOVE.
type StreamRemovePeerResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// StreamMoveRequest is the body of ACCOUNT.STREAM.MOVE (system account).
type StreamMoveRequest struct {
	Server  string   `json:"server,omitempty"`
	Cluster string   `json:"cluster,omitempty"`
	Domain  string   `json:"domain,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

// StreamCancelMoveResponse answers STREAM.CANCEL_MOVE.
type StreamCancelMoveResponse struct {
	ApiResponse
	*StreamInfo
}

// MetaLeaderStepDownResponse answers META.LEADER.STEPDOWN.
type MetaLeaderStepDownResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}

// MetaServerRemoveRequest is the body of SERVER.REMOVE: Server is the
// server name ("peer"), Peer its id ("peer_id").
type MetaServerRemoveRequest struct {
	Server string `json:"peer"`
	Peer   string `json:"peer_id,omitempty"`
}

// MetaServerRemoveResponse answers SERVER.REMOVE.
type MetaServerRemoveResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}
