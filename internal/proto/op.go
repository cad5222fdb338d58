package proto

import "strconv"

// OpKind names a protocol operation (PROTOCOL.md §2). The zero value is not a
// valid kind.
type OpKind uint8

// The operations of the client protocol.
const (
	OpConnect OpKind = iota + 1 // CONNECT {json}
	OpPub                       // PUB <subject> [reply] <#bytes>
	OpHPub                      // HPUB <subject> [reply] <#hdr> <#total>
	OpSub                       // SUB <subject> [queue] <sid>
	OpUnsub                     // UNSUB <sid> [max]
	OpPing                      // PING
	OpPong                      // PONG
	OpInfo                      // INFO {json}
	OpMsg                       // MSG <subject> <sid> [reply] <#bytes>
	OpHMsg                      // HMSG <subject> <sid> [reply] <#hdr> <#total>
	OpOK                        // +OK
	OpErr                       // -ERR '<text>'
	numOpKinds
)

// opNames holds the wire name of each kind, upper case.
var opNames = [numOpKinds]string{
	OpConnect: "CONNECT",
	OpPub:     "PUB",
	OpHPub:    "HPUB",
	OpSub:     "SUB",
	OpUnsub:   "UNSUB",
	OpPing:    "PING",
	OpPong:    "PONG",
	OpInfo:    "INFO",
	OpMsg:     "MSG",
	OpHMsg:    "HMSG",
	OpOK:      "+OK",
	OpErr:     "-ERR",
}

// String returns the wire name of k ("PUB", "+OK", ...).
func (k OpKind) String() string {
	if k == 0 || k >= numOpKinds {
		return "OpKind(" + strconv.Itoa(int(k)) + ")"
	}
	return opNames[k]
}

// Op is one parsed operation. The Parser reuses a single Op and its byte
// slices point into the buffer passed to Parse or into the Parser's own
// buffer, so an Op and its fields are valid only during the Handler.Op call;
// copy what must outlive it.
//
// Which fields are set depends on Kind:
//
//	CONNECT, INFO  Arg (the JSON text, trailing whitespace removed)
//	PUB            Subject, Reply, Payload
//	HPUB           Subject, Reply, HeaderLen, Payload
//	SUB            Subject, Queue, SID
//	UNSUB          SID, Max
//	MSG            Subject, SID, Reply, Payload
//	HMSG           Subject, SID, Reply, HeaderLen, Payload
//	-ERR           Arg (the text with one pair of enclosing single quotes removed)
//	PING, PONG, +OK  nothing
//
// Absent optional arguments are nil.
type Op struct {
	Kind      OpKind
	Subject   []byte
	Reply     []byte
	Queue     []byte
	SID       []byte
	Max       int    // UNSUB max msgs; 0 when absent (remove at once)
	HeaderLen int    // HPUB/HMSG header bytes; 0 otherwise
	Payload   []byte // all payload bytes, including the header block for HPUB/HMSG
	Arg       []byte // CONNECT/INFO JSON, -ERR text
}

// Header returns the header block of an HPUB/HMSG (nil for other ops).
func (op *Op) Header() []byte {
	if op.HeaderLen == 0 {
		return nil
	}
	return op.Payload[:op.HeaderLen]
}

// Body returns the payload after the header block.
func (op *Op) Body() []byte { return op.Payload[op.HeaderLen:] }
