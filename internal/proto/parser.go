package proto

import (
	"bytes"
	"fmt"
	"math/bits"
)

// Side selects which half of the protocol a Parser reads.
type Side uint8

const (
	// ServerSide parses what clients send: CONNECT, PUB, HPUB, SUB, UNSUB,
	// PING, PONG, +OK and -ERR. INFO, MSG and HMSG from a client are
	// ErrUnknownOp (INFO is accepted only on route and leaf connections,
	// PROTOCOL.md §2). +OK and -ERR are passed on as OpOK and OpErr; the caller
	// ignores +OK and closes on -ERR.
	ServerSide Side = iota
	// ClientSide parses what servers send: INFO, MSG, HMSG, PING, PONG, +OK
	// and -ERR.
	ClientSide
)

// Defaults used when a Limits field is zero or negative (PROTOCOL.md §11).
const (
	DefaultMaxControlLine = 4096
	DefaultMaxPayload     = 1 << 20
)

// Limits bounds what a Parser accepts and buffers.
type Limits struct {
	// MaxControlLine is the longest argument part of a control line (the bytes
	// after the op name and its separating whitespace, before "\r\n"). It
	// bounds CONNECT, INFO and -ERR arguments too, so a ClientSide parser
	// reading a server with a long connect_urls list needs a larger value.
	MaxControlLine int
	// MaxPayload is the largest PUB/MSG size, or HPUB/HMSG total size.
	MaxPayload int
}

// Handler receives the ops a Parser finds, in stream order. The *Op and the
// bytes it points to are valid only until Op returns. A non-nil error stops
// Parse, which returns it.
type Handler interface {
	Op(op *Op) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(op *Op) error

// Op calls f(op).
func (f HandlerFunc) Op(op *Op) error { return f(op) }

// state is where the Parser stands in the byte stream.
type state uint8

const (
	stateStart    state = iota // before the first byte of an op name
	stateName                  // inside an op name
	stateNameEnd               // after a full op name that takes arguments
	stateSpace                 // skipping whitespace before the arguments
	stateArg                   // inside the arguments, up to '\n'
	stateSkipLine              // after PING/PONG/+OK, ignoring bytes up to '\n'
	statePayload               // collecting payload and "\r\n" across calls
)

// retainMax is the largest buffer a Parser keeps for reuse after an op that
// spanned Parse calls; larger ones are dropped so that one big message does
// not pin memory for the life of a connection.
const retainMax = 64 << 10

// Parser is a streaming decoder for one connection's byte stream. It is not
// safe for concurrent use; a connection has one reader.
type Parser struct {
	maxLine    int
	maxPayload int
	first      *[256]uint16 // kinds accepted on this side, by first name byte

	state state
	kind  OpKind // op being parsed, once its name is complete
	cand  uint16 // kinds whose names match the name bytes seen so far
	npos  int    // name bytes seen so far

	argBuf  []byte // arguments of a control line spanning Parse calls
	msg     []byte // control line, payload and "\r\n" of a message spanning calls
	lineLen int    // length of the control line at the start of msg
	size    int    // payload size of the message in msg
	err     error  // sticky: once set, Parse returns it
	op      Op     // reused for every op
}

var sideKinds = [2]uint16{
	ServerSide: kindMask(OpConnect, OpPub, OpHPub, OpSub, OpUnsub, OpPing, OpPong, OpOK, OpErr),
	ClientSide: kindMask(OpInfo, OpMsg, OpHMsg, OpPing, OpPong, OpOK, OpErr),
}

// firstByte maps the first byte of an op name, either case, to the kinds
// each side accepts whose names start with it.
var firstByte = func() (t [2][256]uint16) {
	for side, accept := range sideKinds {
		for k := OpKind(1); k < numOpKinds; k++ {
			if accept&(1<<k) != 0 {
				c := opNames[k][0]
				t[side][c] |= 1 << k
				t[side][c|0x20] |= 1 << k // lower case; '+' and '-' are unchanged
			}
		}
	}
	return t
}()

func kindMask(kinds ...OpKind) uint16 {
	var m uint16
	for _, k := range kinds {
		m |= 1 << k
	}
	return m
}

// NewParser returns a Parser for the given side. Zero limits take the defaults.
func NewParser(side Side, lim Limits) *Parser {
	p := &Parser{first: &firstByte[side&1], maxLine: lim.MaxControlLine}
	if p.maxLine <= 0 {
		p.maxLine = DefaultMaxControlLine
	}
	p.SetMaxPayload(lim.MaxPayload)
	return p
}

// SetMaxPayload changes the payload limit for control lines parsed from now
// on, for example after an account limit is applied; n <= 0 restores the default.
func (p *Parser) SetMaxPayload(n int) {
	if n <= 0 {
		n = DefaultMaxPayload
	}
	p.maxPayload = n
}

// Idle reports whether the Parser stands between ops, so that the end of the
// stream here is clean rather than a torn op.
func (p *Parser) Idle() bool { return p.err == nil && p.state == stateStart }

// Parse consumes buf, calling h.Op for each op completed in it. Ops may be
// split across calls at any byte; the Parser keeps what it needs. After an
// error (a *ProtocolError or one returned by h) the stream has no usable
// framing and every later call returns the same error.
func (p *Parser) Parse(buf []byte, h Handler) error {
	if p.err != nil {
		return p.err
	}
	if err := p.parse(buf, h); err != nil {
		p.err = err
		return err
	}
	return nil
}

func (p *Parser) parse(buf []byte, h Handler) error {
	var err error
	for i := 0; i < len(buf) && err == nil; {
		switch p.state {
		case stateStart, stateName:
			i, err = p.parseName(buf, i)
		case stateNameEnd:
			if c := buf[i]; c != ' ' && c != '\t' {
				return fmt.Errorf("%w: %s followed by %q", ErrUnknownOp, p.kind, c)
			}
			i++
			p.state = stateSpace
		case stateSpace:
			for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t') {
				i++
			}
			if i < len(buf) {
				p.state = stateArg
			}
		case stateArg:
			i, err = p.parseArg(buf, i, h)
		case stateSkipLine:
			nl := bytes.IndexByte(buf[i:], '\n')
			if nl < 0 {
				return nil
			}
			i += nl + 1
			p.op = Op{Kind: p.kind}
			p.state = stateStart
			err = h.Op(&p.op)
		case statePayload:
			i, err = p.fillPayload(buf, i, h)
		}
	}
	return err
}

// parseName matches op-name bytes case-insensitively against the names this
// side accepts, failing at the first byte that no name allows, so that
// garbage such as an HTTP request is refused at once, not after a line.
func (p *Parser) parseName(buf []byte, i int) (int, error) {
	if p.state == stateStart {
		p.cand = p.first[buf[i]]
		if p.cand == 0 {
			return i, fmt.Errorf("%w: %q", ErrUnknownOp, clip(buf[i:]))
		}
		p.state, p.npos = stateName, 1
		i++
	}
	for i < len(buf) {
		c := buf[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		var next uint16
		for m := p.cand; m != 0; m &= m - 1 {
			k := bits.TrailingZeros16(m)
			if opNames[k][p.npos] == c {
				next |= 1 << k
			}
		}
		if next == 0 {
			return i, fmt.Errorf("%w: %q", ErrUnknownOp, clip(buf[i-min(i, p.npos):]))
		}
		i++
		p.npos++
		p.cand = next
		// No accepted name is a prefix of another, so a complete name is
		// the only candidate left.
		if k := OpKind(bits.TrailingZeros16(next)); len(opNames[k]) == p.npos {
			p.kind = k
			switch k {
			case OpPing, OpPong, OpOK:
				p.state = stateSkipLine
			default:
				p.state = stateNameEnd
			}
			return i, nil
		}
	}
	return i, nil
}

// parseArg finds the end of the control line, buffering it when it spans
// calls, and hands the complete line on.
func (p *Parser) parseArg(buf []byte, i int, h Handler) (int, error) {
	rest := buf[i:]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		// The line is at least this long; a final '\r' may be its terminator.
		n := len(p.argBuf) + len(rest)
		if rest[len(rest)-1] == '\r' {
			n--
		}
		if n > p.maxLine {
			return len(buf), p.errLine(n)
		}
		p.argBuf = append(p.argBuf, rest...)
		return len(buf), nil
	}
	line, fromBuf := rest[:nl], len(p.argBuf) == 0
	if !fromBuf {
		p.argBuf = append(p.argBuf, line...)
		line = p.argBuf
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > p.maxLine {
		return i, p.errLine(len(line))
	}
	i, err := p.parseLine(line, fromBuf, buf, i+nl+1, h)
	p.argBuf = p.argBuf[:0]
	if cap(p.argBuf) > retainMax {
		p.argBuf = nil
	}
	return i, err
}

func (p *Parser) errLine(n int) error {
	return fmt.Errorf("%w: %s arguments of %d bytes, limit %d", ErrMaxControlLine, p.kind, n, p.maxLine)
}

// parseLine handles a complete control line. buf[i:] follows the line; when
// fromBuf is false the line came from argBuf.
func (p *Parser) parseLine(line []byte, fromBuf bool, buf []byte, i int, h Handler) (int, error) {
	size, err := p.parseArgs(line)
	if err != nil {
		return i, err
	}
	switch p.kind {
	case OpPub, OpHPub, OpMsg, OpHMsg:
	default:
		p.state = stateStart
		return i, h.Op(&p.op)
	}
	if fromBuf && len(buf)-i >= size+2 {
		// Fast path: the whole op lies in buf.
		end := i + size
		if buf[end] != '\r' || buf[end+1] != '\n' {
			return i, p.errTerm(buf[end : end+2])
		}
		p.op.Payload = buf[i:end]
		p.state = stateStart
		return end + 2, h.Op(&p.op)
	}
	need := len(line) + size + 2
	if cap(p.msg) < need {
		p.msg = make([]byte, 0, max(need, 512))
	}
	p.msg = append(p.msg[:0], line...)
	p.lineLen, p.size = len(line), size
	p.state = statePayload
	return p.fillPayload(buf, i, h)
}

// fillPayload copies payload bytes into msg until the message and its
// "\r\n" are complete, then re-parses the copied control line so that every
// field points into msg.
func (p *Parser) fillPayload(buf []byte, i int, h Handler) (int, error) {
	end := p.lineLen + p.size
	take := min(end+2-len(p.msg), len(buf)-i)
	p.msg = append(p.msg, buf[i:i+take]...)
	i += take
	if len(p.msg) < end+2 {
		return i, nil
	}
	if p.msg[end] != '\r' || p.msg[end+1] != '\n' {
		return i, p.errTerm(p.msg[end:])
	}
	if _, err := p.parseArgs(p.msg[:p.lineLen]); err != nil {
		return i, err // unreachable: the line parsed before it was copied
	}
	p.op.Payload = p.msg[p.lineLen:end]
	p.state = stateStart
	err := h.Op(&p.op)
	p.msg = p.msg[:0]
	if cap(p.msg) > retainMax {
		p.msg = nil
	}
	return i, err
}

func (p *Parser) errTerm(got []byte) error {
	return fmt.Errorf("%w: %s payload followed by %q, want \"\\r\\n\"", ErrUnknownOp, p.kind, got)
}

// clip returns at most 32 bytes of b, for error messages.
func clip(b []byte) []byte {
	return b[:min(len(b), 32)]
}
