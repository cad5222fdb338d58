package filestore

import (
	"encoding/binary"
	"fmt"
	"io"
)

// segment is one segment file and its in-memory index. Messages of a segment
// have ascending sequences starting at base; deletions of its messages are
// appended to the same file, so a segment is self-contained and can be removed
// or rewritten without looking at any other.
//
// The index costs 12 bytes per sequence: record offset, record length and
// subject id. An offset of 0 means "no message" (the segment header occupies
// offset 0, so no record starts there).
//
// All fields are guarded by Store.mu, except that the flusher reads f,
// flushing and written without it while it owns the write (see flush.go).
type segment struct {
	id   uint64
	base uint64
	offs []uint32 // record offset by seq-base; 0: absent
	lens []uint32 // record length by seq-base
	subj []uint32 // subject id by seq-base

	msgs     uint64 // live messages
	bytes    uint64 // live accounting bytes
	live     int64  // live message bytes (by index length), for compaction
	indexed  int64  // message bytes (by index length) in the file, live or not
	maxTime  int64  // newest timestamp appended (an upper bound of the live ones)
	prevTime int64  // from the header: LastTime when the segment was started
	// lost and lostBytes are the sequences its lost record reports. Such a
	// segment is kept even when empty (only Truncate removes it), and
	// compaction writes the lost record again, so State().Lost persists.
	lost      []seqRun
	lostBytes uint64

	f       File   // nil until the flusher created the file
	gen     uint32 // bumped when the file is replaced by compaction
	written int64  // bytes in the file
	// alloc is the file's length when zeros were written ahead of the data
	// (preallocation, see flush.go); at or below written it means none.
	alloc    int64
	flushing []byte // being written by the flusher at offset written
	pend     []byte // records appended after flushing
	spare    []byte // a buffer to reuse as pend
	dels     []seqRun
	size     int64 // written + len(flushing) + len(pend)
	dirty    bool  // on Store.mu.dirty
	dropped  bool  // no longer in the index; the flusher removes its file
}

func newSegment(id, base uint64, prevTime int64) *segment {
	sg := &segment{id: id, base: base, prevTime: prevTime}
	sg.pend = appendSegHeader(nil, id, base, prevTime)
	sg.size = int64(len(sg.pend))
	return sg
}

func segName(id uint64) string { return fmt.Sprintf("%016x.seg", id) }

// removable reports whether an empty segment may be dropped.
func (sg *segment) removable() bool { return sg.msgs == 0 && len(sg.lost) == 0 }

// appendLost appends the segment's lost record, if it has one.
func (sg *segment) appendLost(b []byte) []byte {
	if len(sg.lost) == 0 {
		return b
	}
	data := appendRuns(binary.AppendUvarint(nil, sg.lostBytes), sg.lost)
	return appendRecord(b, kindLost, sg.lost[0].first, 0, 0, "", nil, data)
}

// last is the highest sequence the index covers (base-1 when empty).
func (sg *segment) last() uint64 { return sg.base + uint64(len(sg.offs)) - 1 }

// holds reports whether seq falls in the index range of the segment.
func (sg *segment) holds(seq uint64) bool {
	return seq >= sg.base && seq-sg.base < uint64(len(sg.offs))
}

// read returns n bytes at off, from the file or from the buffers not yet
// written; past the end of the data the rest is zero. The result is a fresh
// slice owned by the caller. A compressed record is shorter than the length
// the index keeps for it, so callers slice the record by its header.
func (sg *segment) read(off int64, n int) ([]byte, error) {
	b := make([]byte, n)
	flushEnd := sg.written + int64(len(sg.flushing))
	switch {
	case off >= flushEnd:
		copy(b, sg.pend[off-flushEnd:])
	case off >= sg.written:
		copy(b, sg.flushing[off-sg.written:])
	default:
		if _, err := sg.f.ReadAt(b, off); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return b, nil
}

// appendIndex records a message at seq.
func (sg *segment) appendIndex(seq uint64, off int64, n uint32, sid uint32) {
	i := int(seq - sg.base)
	for len(sg.offs) < i {
		sg.offs = append(sg.offs, 0)
		sg.lens = append(sg.lens, 0)
		sg.subj = append(sg.subj, 0)
	}
	sg.offs = append(sg.offs, uint32(off))
	sg.lens = append(sg.lens, n)
	sg.subj = append(sg.subj, sid)
}

// truncateIndex drops index entries for sequences >= seq.
func (sg *segment) truncateIndex(seq uint64) {
	if seq < sg.base {
		seq = sg.base
	}
	if k := int(seq - sg.base); k < len(sg.offs) {
		sg.offs, sg.lens, sg.subj = sg.offs[:k], sg.lens[:k], sg.subj[:k]
	}
}
