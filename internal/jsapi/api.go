package jsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ApiResponse starts every JSON API response: the "type" string and, on
// failure, the "error" object. Response types embed it first so "type" is
// the first key written, as clients and humans expect.
type ApiResponse struct {
	Type  string    `json:"type"`
	Error *ApiError `json:"error,omitempty"`
}

// Err returns r.Error as an error, or a nil interface when there is none
// (not a typed nil).
func (r *ApiResponse) Err() error {
	if r.Error == nil {
		return nil
	}
	return r.Error
}

// ApiPaged is the paging block of NAMES, LIST and STREAM.INFO responses.
// All three fields are always written, errors included.
type ApiPaged struct {
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// ApiPagedRequest is the paging part of a request; negative offsets are
// treated as 0 by the server.
type ApiPagedRequest struct {
	Offset int `json:"offset"`
}

// Page sizes of the paged endpoints (JETSTREAM-API.md §12).
const (
	NamesLimit           = 1024    // STREAM.NAMES, CONSUMER.NAMES
	ListLimit            = 256     // STREAM.LIST, CONSUMER.LIST
	MaxSubjectDetails    = 100_000 // STREAM.INFO subjects page
	MaxNameLen           = 255     // stream, consumer and durable names
	MaxDescriptionLen    = 4096    // stream and consumer descriptions
	MaxMetadataLen       = 128 * 1024
	DefaultMaxWaiting    = 512 // consumer max_waiting default for pull consumers
	DefaultMaxAckPending = 1000
	MultiLastLimit       = 1024 // DIRECT.GET multi_last matches; more is "413 Too Many Results"
)

// Response "type" strings, one per endpoint.
const (
	typePrefix = "io.nats.jetstream.api.v1."

	AccountInfoResponseType          = typePrefix + "account_info_response"
	AccountPurgeResponseType         = typePrefix + "account_purge_response"
	StreamCreateResponseType         = typePrefix + "stream_create_response"
	StreamUpdateResponseType         = typePrefix + "stream_update_response"
	StreamInfoResponseType           = typePrefix + "stream_info_response"
	StreamDeleteResponseType         = typePrefix + "stream_delete_response"
	StreamPurgeResponseType          = typePrefix + "stream_purge_response"
	StreamNamesResponseType          = typePrefix + "stream_names_response"
	StreamListResponseType           = typePrefix + "stream_list_response"
	MsgGetResponseType               = typePrefix + "stream_msg_get_response"
	MsgDeleteResponseType            = typePrefix + "stream_msg_delete_response"
	StreamSnapshotResponseType       = typePrefix + "stream_snapshot_response"
	StreamRestoreResponseType        = typePrefix + "stream_restore_response"
	StreamLeaderStepDownResponseType = typePrefix + "stream_leader_stepdown_response"
	StreamRemovePeerResponseType     = typePrefix + "stream_remove_peer_response"
	StreamCancelMoveResponseType     = typePrefix + "stream_cancel_move_response"

	ConsumerCreateResponseType         = typePrefix + "consumer_create_response"
	ConsumerInfoResponseType           = typePrefix + "consumer_info_response"
	ConsumerDeleteResponseType         = typePrefix + "consumer_delete_response"
	ConsumerNamesResponseType          = typePrefix + "consumer_names_response"
	ConsumerListResponseType           = typePrefix + "consumer_list_response"
	ConsumerPauseResponseType          = typePrefix + "consumer_pause_response"
	ConsumerUnpinResponseType          = typePrefix + "consumer_unpin_response"
	ConsumerResetResponseType          = typePrefix + "consumer_reset_response"
	ConsumerLeaderStepDownResponseType = typePrefix + "consumer_leader_stepdown_response"

	MetaLeaderStepDownResponseType = typePrefix + "meta_leader_stepdown_response"
	MetaServerRemoveResponseType   = typePrefix + "meta_server_remove_response"

	// SystemResponseType is used for replies that have no endpoint type,
	// such as a rejected request that could not be routed.
	SystemResponseType = typePrefix + "system_response"
)

// Decode decodes a request body strictly, as nats-server 2.12+ does: unknown
// fields and trailing data are rejected. The error is the 10025 ApiError
// ("invalid JSON: json: unknown field \"bogus\"") ready to be sent.
func Decode(data []byte, v any) *ApiError {
	return decode(data, v, true)
}

// DecodeLenient decodes a request body ignoring unknown fields, the rule for
// CONSUMER.MSG.NEXT, CONSUMER.UNPIN, CONSUMER.RESET and DIRECT.GET.
func DecodeLenient(data []byte, v any) *ApiError {
	return decode(data, v, false)
}

func decode(data []byte, v any, strict bool) *ApiError {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, tail := dec.Token(); !errors.Is(tail, io.EOF) {
			err = errors.New("invalid character after top-level value")
		}
	}
	if err != nil {
		return NewError(JSInvalidJSONErr, "err", err.Error())
	}
	return nil
}

// HasBody reports whether an "optional" request body should be parsed: its
// first non-whitespace byte is '{' or '['. Anything else means "no request".
func HasBody(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

// IsEmptyRequest reports whether a body satisfies endpoints that require an
// empty request: no bytes, only whitespace, or a JSON object with no keys.
// Other bodies get 10038 (JSNotEmptyRequestErr).
func IsEmptyRequest(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return true
	}
	var m map[string]json.RawMessage
	return data[0] == '{' && json.Unmarshal(data, &m) == nil && len(m) == 0
}

// Server-controlled metadata keys of stream and consumer configs (ADR-44).
// The server drops client-supplied MetaServerVersion and MetaServerLevel,
// recomputes MetaRequiredLevel on every create and update, and ignores all
// three when comparing configs for an idempotent create.
const (
	MetaRequiredLevel  = "_nats.req.level" // minimum API level to understand the asset
	MetaServerVersion  = "_nats.ver"       // added to every returned config
	MetaServerLevel    = "_nats.level"     // added to every returned config
	MetaReservedPrefix = "_nats."
)
