// Package proto is the codec for the NATS client protocol: it turns the
// bytes of a connection into ops (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG
// from clients; INFO, MSG, HMSG, +OK, -ERR from servers) and ops back into
// bytes. It follows /work/shared/reference/PROTOCOL.md, written from
// nats-server 2.15 and nats.go v1.55; the section numbers below are that
// document's.
//
// # Reading
//
// A Parser reads one direction of one connection. NewParser(ServerSide, ...)
// reads what clients send; NewParser(ClientSide, ...) reads what servers
// send. Feed it bytes as they arrive, in any chunking:
//
//	p := proto.NewParser(proto.ServerSide, proto.Limits{MaxPayload: 1 << 20})
//	for {
//		n, err := c.Read(buf)
//		...
//		if err := p.Parse(buf[:n], h); err != nil { ... }
//	}
//
// Parse calls h.Op once per complete op, in order. The *Op is reused and its
// byte slices point into buf (or, for an op that spans calls, into the
// Parser's own buffer), so they are valid only during the call. The steady
// state allocates nothing.
//
// The Parser enforces the framing rules of §1: case-insensitive op names,
// spaces and tabs (in runs) between arguments, "\r\n" or a bare "\n" at the
// end of a control line, exactly "\r\n" after a payload, the control-line
// limit (measured on the arguments) and the payload limit (on the total of
// headers and body for HPUB/HMSG). It checks the argument shapes of §2: the
// number of arguments, sizes that are non-negative decimals within an int32,
// and a header size within the total. A violation is a *ProtocolError
// (ErrUnknownOp, ErrMaxControlLine, ErrMaxPayload, ErrBadArgs) whose Msg is
// the -ERR text and whose SendErr says whether nats-server sends that -ERR
// before closing (§1, §9). After an error the stream cannot be resynchronised.
//
// # Writing
//
// The Append functions write each op in the exact form nats-server and
// nats.go write (§2): AppendInfo with its trailing space, AppendMsg and
// AppendHMsg for deliveries, AppendMsgHeader for the control line alone when
// fanning one payload out, AppendErr for "-ERR '...'", and client-side
// encoders for tests and tools. The header helpers read and build the ADR-4
// block of §6 (HeaderStatus, HeaderGet, AppendHeaderStart...). ServerInfo and
// ConnectInfo are the INFO and CONNECT JSON of §4 and §5; DecodeConnect
// applies the defaults of an absent field.
//
// # What it leaves to others
//
// The package does no I/O, starts no goroutines and reads no clock. It does
// not validate subjects, queue names or sids beyond "no whitespace" (package
// subject does, §8), does not decode CONNECT or INFO JSON during parsing,
// and does not decide what an op means: whether HPUB is allowed before
// headers were negotiated, whether CONNECT came first, when to send +OK,
// what to do with a -ERR from a client, and how to answer PING are the
// connection's business (package conn, §2.1, §3, §5).
package proto
