package conn

// CloseReason says why a connection closed; the names follow nats-server's
// /connz closed-connection reasons where one exists.
type CloseReason string

// Close reasons.
const (
	ReasonClientClosed         CloseReason = "Client Closed"
	ReasonServerShutdown       CloseReason = "Server Shutdown"
	ReasonSlowConsumerPending  CloseReason = "Slow Consumer (Pending Bytes)"
	ReasonSlowConsumerDeadline CloseReason = "Slow Consumer (Write Deadline)"
	ReasonStale                CloseReason = "Stale Connection"
	ReasonProtocolViolation    CloseReason = "Protocol Violation"
	ReasonParseError           CloseReason = "Parse Error"
	ReasonAuthViolation        CloseReason = "Authentication Failure"
	ReasonAuthTimeout          CloseReason = "Authentication Timeout"
	ReasonMaxPayload           CloseReason = "Maximum Message Payload Exceeded"
	ReasonMaxControlLine       CloseReason = "Maximum Control Line Exceeded"
	ReasonWriteError           CloseReason = "Write Error"
)
