package proto

import "strconv"

// Message headers are the ADR-4 block that starts the payload of HPUB and
// HMSG (PROTOCOL.md §6):
//
//	NATS/1.0[ <status>[ <description>]]\r\n
//	<Key>: <Value>\r\n   (zero or more)
//	\r\n
//
// Keys are compared byte for byte, never canonicalised: nats.go v1.55 keeps
// the case it reads and Header.Get looks keys up exactly, and nats-server
// matches JetStream headers such as Nats-Msg-Id exactly (PROTOCOL.md §6,
// §12.6). The functions here read a block in place and do not allocate.

// HeaderVersion is the first token of every header block.
const HeaderVersion = "NATS/1.0"

// HeaderStatus returns the inline status of a header block: the three
// characters after "NATS/1.0" and any description after them, trimmed, as
// nats.go reads them. It returns 0 and nil when hdr does not start with
// "NATS/1.0", when there is no status, or when the status is not three
// decimal digits (nats.go rejects such a message with ErrBadHeaderMsg).
// desc is nil when there is no description.
func HeaderStatus(hdr []byte) (code int, desc []byte) {
	line, _, ok := headerLine(hdr)
	if !ok || len(line) < len(HeaderVersion) || string(line[:len(HeaderVersion)]) != HeaderVersion {
		return 0, nil
	}
	s := trimSpace(line[len(HeaderVersion):])
	if len(s) < 3 {
		return 0, nil
	}
	for _, c := range s[:3] {
		if c < '0' || c > '9' {
			return 0, nil
		}
		code = code*10 + int(c-'0')
	}
	if desc = trimSpace(s[3:]); len(desc) == 0 {
		desc = nil
	}
	return code, desc
}

// HeaderGet returns the value of the first field named exactly key (case
// sensitive), with the spaces and tabs after the colon removed, as nats.go
// reads it (trailing spaces are kept, as nats.go keeps them). It returns nil
// when the field is absent or key is empty, and an empty non-nil slice for a
// present but empty value. Lines without a colon are skipped; the block ends
// at the first empty line.
func HeaderGet(hdr []byte, key string) []byte {
	if key == "" {
		return nil
	}
	_, rest, ok := headerLine(hdr) // skip the NATS/1.0 line
	for ok {
		var line []byte
		if line, rest, ok = headerLine(rest); !ok || len(line) == 0 {
			return nil
		}
		if len(line) <= len(key) || line[len(key)] != ':' || string(line[:len(key)]) != key {
			continue
		}
		v := line[len(key)+1:]
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		return v
	}
	return nil
}

// headerLine splits the first line off b, without its "\n" or "\r\n".
func headerLine(b []byte) (line, rest []byte, ok bool) {
	for i, c := range b {
		if c == '\n' {
			line = b[:i]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, b[i+1:], true
		}
	}
	return nil, nil, false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// A header block is built with three appends:
//
//	hdr = proto.AppendHeaderStart(hdr, 503, "")
//	hdr = proto.AppendHeaderField(hdr, "Nats-Subject", subject)
//	hdr = proto.AppendHeaderEnd(hdr)
//
// The block's length is the HPUB/HMSG header size.

// AppendHeaderStart appends the version line, "NATS/1.0\r\n", or with a
// status "NATS/1.0 <code>[ <desc>]\r\n". code is 0 for none, else 100-999.
func AppendHeaderStart(dst []byte, code int, desc string) []byte {
	dst = append(dst, HeaderVersion...)
	if code > 0 {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(code), 10)
		if desc != "" {
			dst = append(dst, ' ')
			dst = append(dst, desc...)
		}
	}
	return append(dst, '\r', '\n')
}

// AppendHeaderField appends "<key>: <value>\r\n". Key and value are written
// verbatim; they must not contain "\r" or "\n", nor key a colon.
func AppendHeaderField[K, V ~string | ~[]byte](dst []byte, key K, value V) []byte {
	dst = append(dst, key...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// AppendHeaderEnd appends the blank line that ends a header block.
func AppendHeaderEnd(dst []byte) []byte { return append(dst, '\r', '\n') }

// AppendStatusHeader appends a header block holding only a status line, such
// as "NATS/1.0 503\r\n\r\n" (PROTOCOL.md §6.1) or
// "NATS/1.0 408 Request Timeout\r\n\r\n".
func AppendStatusHeader(dst []byte, code int, desc string) []byte {
	return AppendHeaderEnd(AppendHeaderStart(dst, code, desc))
}
