package proto

import (
	"fmt"
	"math"
)

// maxArgs is the most arguments any op takes (HMSG with a reply).
const maxArgs = 5

// parseArgs checks the shape of a control line's arguments for p.kind and
// fills p.op with subslices of line. It returns the total payload size for
// PUB/HPUB/MSG/HMSG. Subject syntax is not checked here: that is the
// caller's job (PROTOCOL.md §8).
func (p *Parser) parseArgs(line []byte) (int, error) {
	p.op = Op{Kind: p.kind}
	switch p.kind {
	case OpConnect, OpInfo:
		p.op.Arg = trimRight(line)
		return 0, nil
	case OpErr:
		p.op.Arg = unquote(trimRight(line))
		return 0, nil
	}
	var a [maxArgs][]byte
	n := splitArgs(line, &a)
	size, ok := -1, false
	switch p.kind {
	case OpPub:
		size, ok = p.pubArgs(a[:max(n, 0)])
	case OpHPub:
		size, ok = p.hpubArgs(a[:max(n, 0)])
	case OpMsg:
		size, ok = p.msgArgs(a[:max(n, 0)])
	case OpHMsg:
		size, ok = p.hmsgArgs(a[:max(n, 0)])
	case OpSub:
		ok = p.subArgs(a[:max(n, 0)])
	case OpUnsub:
		ok = p.unsubArgs(a[:max(n, 0)])
	}
	if !ok {
		return 0, fmt.Errorf("%w: %s %q", ErrBadArgs, p.kind, clip(line))
	}
	if size > p.maxPayload {
		return 0, fmt.Errorf("%w: %s of %d bytes, limit %d", ErrMaxPayload, p.kind, size, p.maxPayload)
	}
	return max(size, 0), nil
}

// PUB <subject> [reply-to] <#bytes>
func (p *Parser) pubArgs(a [][]byte) (int, bool) {
	switch len(a) {
	case 2:
		p.op.Subject = a[0]
	case 3:
		p.op.Subject, p.op.Reply = a[0], a[1]
	default:
		return 0, false
	}
	size := parseSize(a[len(a)-1])
	return size, size >= 0
}

// HPUB <subject> [reply-to] <#header bytes> <#total bytes>
func (p *Parser) hpubArgs(a [][]byte) (int, bool) {
	switch len(a) {
	case 3:
		p.op.Subject = a[0]
	case 4:
		p.op.Subject, p.op.Reply = a[0], a[1]
	default:
		return 0, false
	}
	return p.headerSizes(a[len(a)-2], a[len(a)-1])
}

// MSG <subject> <sid> [reply-to] <#bytes>
func (p *Parser) msgArgs(a [][]byte) (int, bool) {
	switch len(a) {
	case 3:
		p.op.Subject, p.op.SID = a[0], a[1]
	case 4:
		p.op.Subject, p.op.SID, p.op.Reply = a[0], a[1], a[2]
	default:
		return 0, false
	}
	size := parseSize(a[len(a)-1])
	return size, size >= 0
}

// HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
func (p *Parser) hmsgArgs(a [][]byte) (int, bool) {
	switch len(a) {
	case 4:
		p.op.Subject, p.op.SID = a[0], a[1]
	case 5:
		p.op.Subject, p.op.SID, p.op.Reply = a[0], a[1], a[2]
	default:
		return 0, false
	}
	return p.headerSizes(a[len(a)-2], a[len(a)-1])
}

// headerSizes parses "<#header bytes> <#total bytes>"; the header must fit
// in the total.
func (p *Parser) headerSizes(hdr, total []byte) (int, bool) {
	h, t := parseSize(hdr), parseSize(total)
	if h < 0 || t < 0 || h > t {
		return 0, false
	}
	p.op.HeaderLen = h
	return t, true
}

// SUB <subject> [queue group] <sid>
func (p *Parser) subArgs(a [][]byte) bool {
	switch len(a) {
	case 2:
		p.op.Subject, p.op.SID = a[0], a[1]
	case 3:
		p.op.Subject, p.op.Queue, p.op.SID = a[0], a[1], a[2]
	default:
		return false
	}
	return true
}

// UNSUB <sid> [max_msgs]
func (p *Parser) unsubArgs(a [][]byte) bool {
	switch len(a) {
	case 1:
		p.op.SID = a[0]
	case 2:
		p.op.SID = a[0]
		p.op.Max = parseSize(a[1])
		return p.op.Max >= 0
	default:
		return false
	}
	return true
}

// splitArgs splits line at runs of spaces, tabs and carriage returns
// (PROTOCOL.md §1) into a. It returns the number of fields, or -1 when there
// are more than maxArgs.
func splitArgs(line []byte, a *[maxArgs][]byte) int {
	n, start := 0, -1
	for i, c := range line {
		if c == ' ' || c == '\t' || c == '\r' {
			if start >= 0 {
				if n == maxArgs {
					return -1
				}
				a[n] = line[start:i]
				n++
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		if n == maxArgs {
			return -1
		}
		a[n] = line[start:]
		n++
	}
	return n
}

// parseSize parses a non-negative decimal that fits in an int32 (the type of
// max_payload, PROTOCOL.md §4); anything else, including an empty field, a
// sign or an overflowing value, is -1.
func parseSize(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		if n = n*10 + int(c-'0'); n > math.MaxInt32 {
			return -1
		}
	}
	return n
}

// trimRight removes trailing spaces, tabs and carriage returns.
func trimRight(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ' ', '\t', '\r':
			b = b[:len(b)-1]
		default:
			return b
		}
	}
	return b
}

// unquote removes one pair of enclosing single quotes, as in -ERR 'text'.
func unquote(b []byte) []byte {
	if n := len(b); n >= 2 && b[0] == '\'' && b[n-1] == '\'' {
		return b[1 : n-1]
	}
	return b
}
