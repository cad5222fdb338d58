// Package jsapi holds the JetStream wire vocabulary of holdfast: the JSON
// bodies of the $JS.API request/response endpoints, stream and consumer
// configs and infos, the PubAck, the ApiError table, and the subject and
// header names clients depend on. It imports only the standard library and
// does no I/O; the handlers that give these types meaning live in
// internal/jetstream.
//
// # Compatibility
//
// The contract is byte-level compatibility with nats-server 2.14/2.15 as seen
// by nats.go v1.55 (both the jetstream package and the legacy JetStream
// context), jsm.go and the nats CLI. Field names, omitempty and field order
// follow the server's wire form (JETSTREAM-API.md, JETSTREAM-MESSAGING.md);
// where nats.go tags a field differently the server wins, and the test in
// compat_test.go lists each such difference. Durations are time.Duration
// (JSON nanoseconds). Times are time.Time and must be UTC when set, so they
// render as RFC 3339 with nanoseconds and a "Z"; the zero time renders as
// "0001-01-01T00:00:00Z", which nats-server also emits (first_ts of an empty
// stream, pause_until of a resumed consumer).
//
// Encode with encoding/json: like nats-server it escapes <, > and & inside
// strings ("orders.\u003e"), which clients read back unchanged. PubAck has a
// hand-written encoder (AppendJSON) because the server's PubAck bytes are
// not encoding/json's.
//
// Enums (RetentionPolicy, AckPolicy, ...) are integers whose zero value is
// the server default for an omitted field; they marshal to nats-server's
// strings and reject unknown strings when decoding.
//
// Responses embed ApiResponse first, then a pointer to the info they carry:
//
//	resp := jsapi.StreamCreateResponse{
//		ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamCreateResponseType},
//		StreamInfo:  &info,
//		DidCreate:   true,
//	}
//
// On failure leave the pointer nil and set Error; the reply then holds only
// "type", "error" and the response's own always-present fields, as
// nats-server's does.
//
// # Errors
//
// errors_gen.go is generated from errors.json (a copy of nats-server's error
// table) by `go generate`; do not edit it. Each entry is an ErrorID constant
// named as in errors.json, valued by its err_code:
//
//	jsapi.NewError(jsapi.JSStreamNotFoundErr)
//	    // {"code":404,"err_code":10059,"description":"stream not found"}
//	jsapi.NewError(jsapi.JSStreamWrongLastSequenceErrF, "seq", "7")
//	    // {"code":400,"err_code":10071,"description":"wrong last sequence: 7"}
//	jsapi.FromError(jsapi.JSStreamInvalidConfigF, err)
//	    // 10052 with description err.Error(), or err itself if it is an *ApiError
//
// errors.Is compares err_code: errors.Is(err, jsapi.JSStreamNotFoundErr) is
// true for any *ApiError with err_code 10059. Domain errors are translated to
// ApiErrors in one place, in internal/jetstream.
//
// # Requests
//
// Decode applies the server's strict rule (unknown fields are 10025 invalid
// JSON); DecodeLenient is for the endpoints that ignore unknown fields.
// HasBody and IsEmptyRequest implement the "optional" and "empty" body rules.
package jsapi
