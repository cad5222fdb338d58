package proto

// ProtocolError is a violation of the client protocol found by the Parser.
//
// Msg is the exact text nats-server puts inside -ERR '...' for the violation
// (PROTOCOL.md §1 and §9). SendErr reports whether nats-server writes that
// -ERR line before it closes the connection; when false the connection is
// closed silently and Msg only describes the problem for logs. In every case
// the connection cannot continue: the byte stream has lost its framing.
//
// The Parser returns the sentinels below, usually wrapped with the op name and
// a clipped copy of the offending bytes; use errors.Is to match a sentinel and
// errors.As to reach Msg and SendErr.
type ProtocolError struct {
	Msg     string
	SendErr bool
}

func (e *ProtocolError) Error() string { return "proto: " + e.Msg }

var (
	// ErrUnknownOp is an op name the side does not accept, a payload that is not
	// followed by exactly "\r\n", or other unparsable bytes (PROTOCOL.md §1).
	ErrUnknownOp = &ProtocolError{Msg: "Unknown Protocol Operation", SendErr: true}

	// ErrMaxControlLine is a control line whose argument part is longer than
	// Limits.MaxControlLine (PROTOCOL.md §1).
	ErrMaxControlLine = &ProtocolError{Msg: "maximum control line exceeded", SendErr: true}

	// ErrMaxPayload is a PUB/HPUB/MSG/HMSG whose total size is larger than the
	// maximum payload; for HPUB/HMSG the limit covers headers plus payload
	// (PROTOCOL.md §1).
	ErrMaxPayload = &ProtocolError{Msg: "Maximum Payload Violation", SendErr: true}

	// ErrBadArgs is a control line with the wrong number of arguments, or a size
	// or max-msgs that is not a non-negative decimal fitting in an int32, or an
	// HPUB/HMSG header size larger than its total size. nats-server closes the
	// connection without an -ERR (PROTOCOL.md §1, "Malformed args").
	ErrBadArgs = &ProtocolError{Msg: "malformed protocol arguments", SendErr: false}
)

// Texts of the -ERR lines other packages send (PROTOCOL.md §9), so that the
// spelling lives in one place. Pass them to AppendErr.
const (
	MsgAuthViolation         = "Authorization Violation"
	MsgAuthTimeout           = "Authentication Timeout"
	MsgAuthExpired           = "User Authentication Expired"
	MsgAuthRevoked           = "User Authentication Revoked"
	MsgAccountExpired        = "Account Authentication Expired"
	MsgMaxConnections        = "maximum connections exceeded"
	MsgMaxAccountConnections = "maximum account active connections exceeded"
	MsgMaxSubscriptions      = "maximum subscriptions exceeded"
	MsgInvalidSubject        = "Invalid Subject"
	MsgInvalidPublishSubject = "Invalid Publish Subject"
	MsgInvalidProtocol       = "invalid client protocol"
	MsgNoRespondersHeaders   = "no responders requires headers support"
	MsgStaleConnection       = "Stale Connection"
	MsgTLSRequired           = "Secure Connection - TLS Required"
)
