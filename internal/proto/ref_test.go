package proto

import (
	"strconv"
	"strings"
	"testing"
)

// refParse is a reference for the Parser, written differently on purpose: it
// reads a whole input with package strings, line by line, with no state
// machine. It returns the ops of the input and the sentinel of the first
// violation; input that stops inside an op is not an error.
func refParse(side Side, lim Limits, data string) ([]rec, *ProtocolError) {
	maxLine, maxPayload := lim.MaxControlLine, lim.MaxPayload
	if maxLine <= 0 {
		maxLine = DefaultMaxControlLine
	}
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	var ops []rec
	for data != "" {
		kind, ok := refName(side, data)
		if !ok {
			if refNamePrefix(side, data) {
				return ops, nil
			}
			return ops, ErrUnknownOp
		}
		data = data[len(opNames[kind]):]
		if kind == OpPing || kind == OpPong || kind == OpOK {
			_, rest, found := strings.Cut(data, "\n")
			if !found {
				return ops, nil
			}
			ops, data = append(ops, rec{Kind: kind}), rest
			continue
		}
		if data == "" {
			return ops, nil
		}
		if data[0] != ' ' && data[0] != '\t' {
			return ops, ErrUnknownOp
		}
		data = strings.TrimLeft(data, " \t")
		if data == "" {
			return ops, nil
		}
		line, rest, found := strings.Cut(data, "\n")
		if !found {
			if len(strings.TrimSuffix(line, "\r")) > maxLine {
				return ops, ErrMaxControlLine
			}
			return ops, nil
		}
		line = strings.TrimSuffix(line, "\r")
		if len(line) > maxLine {
			return ops, ErrMaxControlLine
		}
		r, size, perr := refArgs(kind, line)
		if perr == nil && size > maxPayload {
			perr = ErrMaxPayload
		}
		if perr != nil {
			return ops, perr
		}
		if size >= 0 {
			if len(rest) < size+2 {
				return ops, nil
			}
			if rest[size:size+2] != "\r\n" {
				return ops, ErrUnknownOp
			}
			r.Payload, rest = rest[:size], rest[size+2:]
		}
		ops, data = append(ops, r), rest
	}
	return ops, nil
}

func refAccepts(side Side, k OpKind) bool {
	client := k == OpInfo || k == OpMsg || k == OpHMsg
	server := k == OpConnect || k == OpPub || k == OpHPub || k == OpSub || k == OpUnsub
	return (side == ClientSide && !server) || (side == ServerSide && !client)
}

// refName finds the accepted op name data starts with, in any case.
func refName(side Side, data string) (OpKind, bool) {
	for k := OpKind(1); k < numOpKinds; k++ {
		n := opNames[k]
		if refAccepts(side, k) && len(data) >= len(n) && strings.EqualFold(data[:len(n)], n) {
			return k, true
		}
	}
	return 0, false
}

// refNamePrefix reports whether data is a proper prefix of an accepted name.
func refNamePrefix(side Side, data string) bool {
	for k := OpKind(1); k < numOpKinds; k++ {
		n := opNames[k]
		if refAccepts(side, k) && len(data) < len(n) && strings.EqualFold(data, n[:len(data)]) {
			return true
		}
	}
	return false
}

// refArgs parses a control line's arguments. size is -1 for ops without a
// payload.
func refArgs(kind OpKind, line string) (rec, int, *ProtocolError) {
	r := rec{Kind: kind}
	switch kind {
	case OpConnect, OpInfo:
		r.Arg = strings.TrimRight(line, " \t\r")
		return r, -1, nil
	case OpErr:
		s := strings.TrimRight(line, " \t\r")
		if len(s) >= 2 && strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") {
			s = s[1 : len(s)-1]
		}
		r.Arg = s
		return r, -1, nil
	}
	f := strings.FieldsFunc(line, func(c rune) bool { return c == ' ' || c == '\t' || c == '\r' })
	num := func(s string) int {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return -1
		}
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return -1
		}
		return int(n)
	}
	size, hdr := -1, 0
	switch {
	case kind == OpPub && (len(f) == 2 || len(f) == 3):
		r.Subject = f[0]
		if len(f) == 3 {
			r.Reply = f[1]
		}
		size = num(f[len(f)-1])
	case kind == OpMsg && (len(f) == 3 || len(f) == 4):
		r.Subject, r.SID = f[0], f[1]
		if len(f) == 4 {
			r.Reply = f[2]
		}
		size = num(f[len(f)-1])
	case kind == OpHPub && (len(f) == 3 || len(f) == 4):
		r.Subject = f[0]
		if len(f) == 4 {
			r.Reply = f[1]
		}
		hdr, size = num(f[len(f)-2]), num(f[len(f)-1])
	case kind == OpHMsg && (len(f) == 4 || len(f) == 5):
		r.Subject, r.SID = f[0], f[1]
		if len(f) == 5 {
			r.Reply = f[2]
		}
		hdr, size = num(f[len(f)-2]), num(f[len(f)-1])
	case kind == OpSub && (len(f) == 2 || len(f) == 3):
		r.Subject, r.SID = f[0], f[len(f)-1]
		if len(f) == 3 {
			r.Queue = f[1]
		}
		return r, -1, nil
	case kind == OpUnsub && (len(f) == 1 || len(f) == 2):
		r.SID = f[0]
		if len(f) == 2 {
			if r.Max = num(f[1]); r.Max < 0 {
				return r, 0, ErrBadArgs
			}
		}
		return r, -1, nil
	default:
		return r, 0, ErrBadArgs
	}
	if size < 0 || hdr < 0 || hdr > size {
		return r, 0, ErrBadArgs
	}
	r.HeaderLen = hdr
	return r, size, nil
}

// TestReference checks the reference against the table, so that the fuzz
// test compares the Parser with something known to be right.
func TestReference(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := refParse(tc.side, tc.lim, tc.in)
			if len(got) != len(tc.want) || err != tc.wantErr {
				t.Fatalf("ref: %+v %v, want %+v %v", got, err, tc.want, tc.wantErr)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("ref op %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
