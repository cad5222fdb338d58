// Package conn serves one NATS client connection: the handshake (INFO, CONNECT,
// authentication), the read loop that parses ops and dispatches them to the
// broker, and the write loop that owns the socket for writing.
//
// Goroutines: Run executes the read loop in the caller's goroutine and starts one
// writer goroutine, which it waits for before returning. Deliveries from other
// connections append to an outbound buffer under a short lock and wake the
// writer; the writer swaps buffers and writes outside the lock, so many
// deliveries coalesce into one write system call. A connection whose pending
// outbound bytes exceed MaxPending, or whose write does not finish within
// WriteDeadline, is a slow consumer: it is closed and logged; publishers and other
// subscribers never wait for it (PROTOCOL.md §9: nats-server sends no -ERR then).
//
// Keepalive follows PROTOCOL.md §10: the writer sends PING every PingInterval
// (the first one FirstPing after CONNECT) unless the client sent something
// meanwhile, and closes with -ERR 'Stale Connection' when MaxPingsOut PINGs are
// unanswered.
package conn
