package filestore

import "io"

// readAhead serves a segment's file from one block read ahead, so that a
// consumer reading in order (LoadNext) makes one pread per block rather than
// one per message: the ordered-consumer profile spent 27–31% of its samples
// in pread (docs/benchmarks.md). It is keyed by segment id and file
// generation (compaction replaces the file and bumps the generation), and
// only covers bytes below the segment's written mark, which never change
// afterwards except for erased records, and those are out of the index
// before they are erased. Guarded by Store.mu held exclusively: Load, which
// holds it shared, reads without it.
type readAhead struct {
	id  uint64
	gen uint32
	off int64
	buf []byte
	ok  bool
}

// readAheadSize is the block read ahead: 64 KiB, about 350 records of 128
// bytes, small enough to keep one per store.
const readAheadSize = 64 << 10

// readSeqLocked returns a copy of n bytes at off of sg, from the read-ahead
// block when it holds them, else after reading the block that starts at
// off. Records still in memory are read as sg.read does.
func (s *Store) readSeqLocked(sg *segment, off int64, n int) ([]byte, error) {
	end := off + int64(n)
	if sg.f == nil || end > sg.written {
		return sg.read(off, n)
	}
	ra := &s.mu.ra
	if !ra.ok || ra.id != sg.id || ra.gen != sg.gen || off < ra.off || end > ra.off+int64(len(ra.buf)) {
		size := min(max(int64(n), readAheadSize), sg.written-off)
		if int64(cap(ra.buf)) < size {
			ra.buf = make([]byte, size)
		}
		ra.buf = ra.buf[:size]
		ra.ok = false
		if _, err := sg.f.ReadAt(ra.buf, off); err != nil && err != io.EOF {
			return nil, err
		}
		ra.id, ra.gen, ra.off, ra.ok = sg.id, sg.gen, off, true
	}
	b := make([]byte, n)
	copy(b, ra.buf[off-ra.off:])
	return b, nil
}
