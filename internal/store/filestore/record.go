package filestore

import (
	"encoding/binary"
	"hash/crc32"
	"slices"

	"github.com/klauspost/compress/s2"
)

// Segment file header and record layout; doc.go describes them byte by byte.
const (
	segMagic     = "HFSEG\x00\x00\x01"
	segBlockLen  = 40              // one copy of the segment header
	segHeaderLen = 2 * segBlockLen // the header is stored twice
	recHeaderLen = 44
	// maxRecordLen bounds a record so that a corrupt length can be rejected
	// before it is trusted; NATS payloads are at most 64 MiB.
	maxRecordLen = 128 << 20
)

// Record kinds.
const (
	kindMsg    = 1 // a message
	kindDelete = 2 // sequences of this segment that were removed (runs)
	kindLost   = 3 // sequences found corrupt by an earlier recovery (bytes, runs)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

var le = binary.LittleEndian

// recHeader is the decoded fixed part of a record.
type recHeader struct {
	length  uint32
	kind    uint8
	flags   uint8
	subjLen uint16
	hdrLen  uint32
	seq     uint64
	ts      int64
	ttl     int64
}

func (h *recHeader) dataLen() int {
	return int(h.length) - recHeaderLen - int(h.subjLen) - int(h.hdrLen)
}

// recordLen is the size on disk of a message record.
func recordLen(subj string, hdr, data []byte) int {
	return recHeaderLen + len(subj) + len(hdr) + len(data)
}

// msgSize converts a record length into the store's accounting size
// (store.MsgSize: subject + header + data + 16).
func msgSize(recLen uint32) uint64 { return uint64(recLen) - recHeaderLen + 16 }

// appendSegHeader appends a segment file header: the same 40-byte block
// twice, so that damage to one copy loses nothing. prevTime is the timestamp
// of the last message appended before the segment was started, so that an
// empty last segment still knows the stream's LastTime.
func appendSegHeader(b []byte, id, base uint64, prevTime int64) []byte {
	h := make([]byte, segBlockLen)
	copy(h, segMagic)
	le.PutUint64(h[8:], base)
	le.PutUint64(h[16:], id)
	le.PutUint64(h[24:], uint64(prevTime))
	le.PutUint32(h[36:], crc(h[:36]))
	return append(append(b, h...), h...)
}

// segHeader is a decoded segment file header.
type segHeader struct {
	base, id uint64
	prevTime int64
}

// decodeSegHeader decodes the first intact copy of a segment header;
// damaged reports that a copy failed its check.
func decodeSegHeader(b []byte) (h segHeader, ok, damaged bool) {
	for i := range 2 {
		if len(b) < (i+1)*segBlockLen {
			break
		}
		c := b[i*segBlockLen : (i+1)*segBlockLen]
		if string(c[:8]) != segMagic || le.Uint32(c[36:]) != crc(c[:36]) {
			damaged = true
			continue
		}
		if !ok {
			h = segHeader{base: le.Uint64(c[8:]), id: le.Uint64(c[16:]), prevTime: int64(le.Uint64(c[24:]))}
			ok = true
		}
	}
	return h, ok, damaged
}

// Record flags.
const flagS2 = 1 // the payload is an s2 block (Config.Compress)

// appendRecord appends one record with the given body parts.
func appendRecord(b []byte, kind uint8, seq uint64, ts, ttl int64, subj string, hdr, data []byte) []byte {
	return appendRecordFlags(b, kind, 0, seq, ts, ttl, subj, hdr, data)
}

// appendRecordFlags is appendRecord with flags.
func appendRecordFlags(b []byte, kind, flags uint8, seq uint64, ts, ttl int64, subj string, hdr, data []byte) []byte {
	n := recordLen(subj, hdr, data)
	start := len(b)
	b = slices.Grow(b, n)[:start+n]
	r := b[start:]
	le.PutUint32(r[4:], uint32(n))
	r[8] = kind
	r[9] = flags
	le.PutUint16(r[10:], uint16(len(subj)))
	le.PutUint32(r[12:], uint32(len(hdr)))
	le.PutUint64(r[16:], seq)
	le.PutUint64(r[24:], uint64(ts))
	le.PutUint64(r[32:], uint64(ttl))
	le.PutUint32(r[40:], crc(r[4:40]))
	p := r[recHeaderLen:]
	p = p[copy(p, subj):]
	p = p[copy(p, hdr):]
	copy(p, data)
	le.PutUint32(r[0:], crc(r[4:]))
	return b
}

// decodeHeader checks and decodes the fixed part of the record at the start of
// b. ok is false if fewer than recHeaderLen bytes are given, the header
// checksum fails, or the fields are inconsistent.
func decodeHeader(b []byte) (h recHeader, ok bool) {
	if len(b) < recHeaderLen || le.Uint32(b[40:]) != crc(b[4:40]) {
		return h, false
	}
	h = recHeader{
		length:  le.Uint32(b[4:]),
		kind:    b[8],
		flags:   b[9],
		subjLen: le.Uint16(b[10:]),
		hdrLen:  le.Uint32(b[12:]),
		seq:     le.Uint64(b[16:]),
		ts:      int64(le.Uint64(b[24:])),
		ttl:     int64(le.Uint64(b[32:])),
	}
	if h.length < recHeaderLen || h.length > maxRecordLen || h.kind < kindMsg || h.kind > kindLost || h.dataLen() < 0 ||
		h.flags&^flagS2 != 0 || h.flags != 0 && h.kind != kindMsg {
		return h, false
	}
	return h, true
}

// indexLen is the length a message record has, or would have without
// compression: the store indexes and accounts messages by it, and it bounds
// the bytes a load reads. ok is false for a malformed compressed payload.
func indexLen(h *recHeader, rec []byte) (uint32, bool) {
	if h.flags&flagS2 == 0 {
		return h.length, true
	}
	n, err := s2.DecodedLen(rec[int(h.length)-h.dataLen() : h.length])
	if err != nil || n > maxRecordLen {
		return 0, false
	}
	return h.length - uint32(h.dataLen()) + uint32(n), true
}

// recordOK reports whether the whole-record checksum of rec holds.
func recordOK(rec []byte) bool { return le.Uint32(rec) == crc(rec[4:]) }

// seqRun is a run of consecutive sequences [first, first+n).
type seqRun struct{ first, n uint64 }

func (r seqRun) end() uint64 { return r.first + r.n }

// addRun appends seq to runs, extending the last run when adjacent.
func addRun(runs []seqRun, first, n uint64) []seqRun {
	if l := len(runs); l > 0 && runs[l-1].end() == first {
		runs[l-1].n += n
		return runs
	}
	return append(runs, seqRun{first, n})
}

// appendRuns encodes runs as uvarint pairs: gap from the previous run's end
// (from 0 for the first) and length. Runs must be ascending.
func appendRuns(b []byte, runs []seqRun) []byte {
	var prev uint64
	for _, r := range runs {
		b = binary.AppendUvarint(b, r.first-prev)
		b = binary.AppendUvarint(b, r.n)
		prev = r.end()
	}
	return b
}

// decodeRuns is the inverse of appendRuns.
func decodeRuns(b []byte) ([]seqRun, bool) {
	var runs []seqRun
	var prev uint64
	for len(b) > 0 {
		gap, n1 := binary.Uvarint(b)
		if n1 <= 0 {
			return nil, false
		}
		n, n2 := binary.Uvarint(b[n1:])
		if n2 <= 0 {
			return nil, false
		}
		b = b[n1+n2:]
		r := seqRun{prev + gap, n}
		runs = append(runs, r)
		prev = r.end()
	}
	return runs, true
}

// sortRuns sorts and merges runs.
func sortRuns(runs []seqRun) []seqRun {
	slices.SortFunc(runs, func(a, b seqRun) int {
		switch {
		case a.first < b.first:
			return -1
		case a.first > b.first:
			return 1
		}
		return 0
	})
	out := runs[:0]
	for _, r := range runs {
		if l := len(out); l > 0 && out[l-1].end() >= r.first {
			if r.end() > out[l-1].end() {
				out[l-1].n = r.end() - out[l-1].first
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
