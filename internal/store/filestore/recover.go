package filestore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// badOff marks, during a scan, a message whose record failed its checksum.
// No record starts at offset 1 (the segment header is there).
const badOff = 1

// scanned is what recovery learned from one segment file.
type scanned struct {
	sg        *segment
	size      int64    // file size
	tornAt    int64    // where a torn tail starts, or -1
	corrupt   bool     // the file must be quarantined and rewritten
	lost      []seqRun // sequences found corrupt (including earlier recoveries)
	lostBytes uint64
	gapFrom   uint64 // unreadable region at the end: lost from here on
	gapBytes  int64
	hasGap    bool
	lastTS    int64 // timestamp of the highest message record
}

// recover rebuilds the index from the segment files.
func (s *Store) recover() error {
	names, err := s.fs.ReadDir(s.msgDir())
	if err != nil {
		return fmt.Errorf("filestore: list %s: %w", s.msgDir(), err)
	}
	ids, err := s.cleanDir(names)
	if err != nil {
		return err
	}
	var buf []byte
	var all []*scanned
	for _, id := range ids {
		sc, err := s.scanSegment(id, &buf)
		if err != nil {
			return err
		}
		if sc != nil {
			all = append(all, sc)
		}
	}
	for k, sc := range all {
		if sc.sg.base == 0 { // header unreadable and no message to infer from
			sc.sg.base = max(s.mu.cfg.FirstSeq, 1)
			if k > 0 {
				sc.sg.base = all[k-1].sg.last() + 1
			}
		}
	}
	s.supersede(&all)
	for k, sc := range all {
		nextBase := uint64(0) // 0: sc is the last segment
		if k+1 < len(all) {
			nextBase = all[k+1].sg.base
		}
		if err := s.repair(sc, nextBase, &buf); err != nil {
			return err
		}
	}
	s.aggregate(all)
	return nil
}

// cleanDir finishes interrupted rewrites and returns segment ids in order.
// A rewrite writes <id>.tmp, syncs it, renames <id>.seg away (quarantine) or
// not (compaction), then renames <id>.tmp to <id>.seg: a .tmp next to a .seg
// is an unfinished rewrite and is removed; a .tmp alone is complete.
func (s *Store) cleanDir(names []string) ([]uint64, error) {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var ids []uint64
	for _, n := range names {
		base, ext, _ := strings.Cut(n, ".")
		id, err := strconv.ParseUint(base, 16, 64)
		if err != nil {
			continue
		}
		s.mu.nextID = max(s.mu.nextID, id+1)
		switch ext {
		case "seg":
			ids = append(ids, id)
		case "tmp":
			tmp, seg := join(s.msgDir(), n), s.segPath(id)
			if have[segName(id)] {
				if err := s.fs.Remove(tmp); err != nil {
					return nil, fmt.Errorf("filestore: remove %s: %w", tmp, err)
				}
				continue
			}
			if err := s.fs.Rename(tmp, seg); err != nil {
				return nil, fmt.Errorf("filestore: rename %s: %w", tmp, err)
			}
			if err := s.fs.SyncDir(s.msgDir()); err != nil {
				return nil, fmt.Errorf("filestore: sync %s: %w", s.msgDir(), err)
			}
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	s.mu.nextID = max(s.mu.nextID, 1)
	return ids, nil
}

// scanSegment reads one segment file and indexes its records. It returns nil
// for a file whose creation was torn (shorter than a header, or zeros).
func (s *Store) scanSegment(id uint64, buf *[]byte) (*scanned, error) {
	name := s.segPath(id)
	f, err := s.fs.Open(name)
	if err != nil {
		return nil, fmt.Errorf("filestore: open %s: %w", name, err)
	}
	size, err := f.Size()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("filestore: size of %s: %w", name, err)
	}
	*buf = slices.Grow((*buf)[:0], int(size))[:size]
	b := *buf
	if _, err := f.ReadAt(b, 0); err != nil && size > 0 {
		f.Close()
		return nil, fmt.Errorf("filestore: read %s: %w", name, err)
	}
	if size < segHeaderLen || allZero(b[:segHeaderLen]) && allZero(b) {
		f.Close()
		s.log.Warn("removed segment with torn creation", "segment", segName(id), "size", size)
		if err := s.fs.Remove(name); err != nil {
			return nil, fmt.Errorf("filestore: remove %s: %w", name, err)
		}
		return nil, nil
	}
	sc := &scanned{size: size, tornAt: -1}
	hdr, ok, damaged := decodeSegHeader(b)
	if !ok && tornInPlace(b, segHeaderLen) {
		// The creating write was torn inside preallocated space: no record
		// was ever written after the header.
		f.Close()
		s.log.Warn("removed segment with torn creation", "segment", segName(id), "size", size)
		if err := s.fs.Remove(name); err != nil {
			return nil, fmt.Errorf("filestore: remove %s: %w", name, err)
		}
		return nil, nil
	}
	switch {
	case !ok || hdr.id != id:
		s.log.Error("segment header corrupt", "segment", segName(id))
		sc.corrupt = true
		hdr = segHeader{} // base inferred below
	case damaged:
		// One copy is bad: restore it from the other.
		s.log.Warn("repairing damaged copy of segment header", "segment", segName(id))
		good := appendSegHeader(nil, hdr.id, hdr.base, hdr.prevTime)
		_, err := f.WriteAt(good, 0)
		if err == nil {
			err = f.Sync()
		}
		if err != nil {
			s.log.Warn("segment header not repaired", "segment", segName(id), "err", err)
		}
		copy(b, good)
	}
	sg := &segment{id: id, base: hdr.base, prevTime: hdr.prevTime, f: f}
	sc.sg = sg
	s.scanRecords(sc, b)
	return sc, nil
}

// scanRecords walks the records of a segment image.
func (s *Store) scanRecords(sc *scanned, b []byte) {
	sg := sc.sg
	size := int64(len(b))
	pos := int64(segHeaderLen)
	var maxSeq uint64 // highest message sequence seen
	gap := false      // an unreadable region precedes pos
	gapFrom := uint64(0)
	gapBytes := int64(0) // unreadable bytes since the gap opened
	for pos < size {
		rest := b[pos:]
		h, ok := decodeHeader(rest)
		if ok && h.kind == kindMsg && sg.base == 0 {
			sg.base = h.seq
		}
		if !ok || h.kind == kindMsg && h.seq < sg.base {
			if len(rest) < recHeaderLen || allZero(rest) || !ok && tornInPlace(rest, recHeaderLen) {
				sc.tornAt = pos
				break
			}
			next := resync(b, pos+1, sg.base)
			s.log.Error("unreadable records in segment", "segment", segName(sg.id), "offset", pos, "resume", next)
			sc.corrupt = true
			if !gap {
				gap, gapFrom, gapBytes = true, max(maxSeq+1, sg.base), 0
			}
			if next < 0 {
				gapBytes += size - pos
				break
			}
			gapBytes += next - pos
			pos = next
			continue
		}
		if int64(h.length) > int64(len(rest)) {
			sc.tornAt = pos
			break
		}
		rec := rest[:h.length]
		if !recordOK(rec) && tornInPlace(rest, int(h.length)) {
			sc.tornAt = pos
			break
		}
		if gap && h.kind == kindMsg {
			if h.seq > gapFrom {
				sc.lost = append(sc.lost, seqRun{gapFrom, h.seq - gapFrom})
			}
			gap = false
		}
		if h.kind == kindMsg {
			maxSeq = max(maxSeq, h.seq)
		}
		if !recordOK(rec) {
			if h.kind == kindMsg {
				// Harmless if a later tombstone removes it (an erased record).
				sg.appendIndex(h.seq, badOff, h.length, 0)
				if h.seq == sg.last() {
					sc.lastTS = h.ts
				}
			} else {
				s.log.Error("record checksum failed", "segment", segName(sg.id), "offset", pos, "kind", h.kind)
				sc.corrupt = true
			}
			pos += int64(h.length)
			continue
		}
		s.applyRecord(sc, &h, rec, pos)
		pos += int64(h.length)
	}
	if gap {
		sc.hasGap, sc.gapFrom, sc.gapBytes = true, gapFrom, gapBytes
	}
	for i, off := range sg.offs {
		if off == badOff {
			s.log.Error("record checksum failed", "segment", segName(sg.id), "seq", sg.base+uint64(i))
			sc.lost = addRun(sc.lost, sg.base+uint64(i), 1)
			sc.lostBytes += msgSize(sg.lens[i])
			sg.offs[i] = 0
			sc.corrupt = true
		}
	}
}

// applyRecord indexes one verified record found at pos.
func (s *Store) applyRecord(sc *scanned, h *recHeader, rec []byte, pos int64) {
	sg := sc.sg
	switch h.kind {
	case kindMsg:
		subj := rec[recHeaderLen : recHeaderLen+int(h.subjLen)]
		id, ok := s.mu.subjects.ids[string(subj)]
		if !ok {
			id = s.mu.subjects.intern(string(subj))
		}
		n, ok := indexLen(h, rec)
		if !ok {
			s.log.Error("malformed compressed record", "segment", segName(sg.id), "offset", pos, "seq", h.seq)
			sg.appendIndex(h.seq, badOff, h.length, 0)
			return
		}
		if i := h.seq - sg.base; i < uint64(len(sg.offs)) {
			sg.offs[i], sg.lens[i], sg.subj[i] = uint32(pos), n, id
		} else {
			sg.appendIndex(h.seq, pos, n, id)
		}
		sg.indexed += int64(n)
		sg.maxTime = max(sg.maxTime, h.ts)
		if h.seq == sg.last() {
			sc.lastTS = h.ts
		}
		switch {
		case h.ttl > 0:
			s.mu.ttls = append(s.mu.ttls, store.TTLEntry{At: h.ts + h.ttl, Seq: h.seq})
		case h.ttl < 0:
			s.mu.pinned[h.seq] = struct{}{}
		}
	case kindDelete:
		runs, ok := decodeRuns(rec[recHeaderLen:])
		if !ok {
			sc.corrupt = true
			return
		}
		for _, r := range runs {
			for seq := max(r.first, sg.base); seq < r.end() && sg.holds(seq); seq++ {
				sg.offs[seq-sg.base] = 0
			}
		}
	case kindLost:
		data := rec[recHeaderLen:]
		n, k := binary.Uvarint(data)
		runs, ok := decodeRuns(data[max(k, 0):])
		if k <= 0 || !ok {
			sc.corrupt = true
			return
		}
		sc.lostBytes += n
		sc.lost = append(sc.lost, runs...)
	}
}

// resync finds the next offset >= from where a complete, verified record
// starts, or -1.
func resync(b []byte, from int64, base uint64) int64 {
	for p := from; p+recHeaderLen <= int64(len(b)); p++ {
		h, ok := decodeHeader(b[p:])
		if !ok || int64(h.length) > int64(len(b))-p || h.kind == kindMsg && h.seq < base {
			continue
		}
		if recordOK(b[p : p+int64(h.length)]) {
			return p
		}
	}
	return -1
}

// tornInPlace reports whether rest, whose first n bytes fail to verify as a
// record (header or whole record), is a write into preallocated space that
// was cut short by a crash: more bytes follow those n, they are all zeros,
// and so is the last of the n. A torn write leaves a prefix of the record
// followed by the zeros that were there, and the writer keeps at least one
// zero byte after every record it writes over zeros (flush.go, allocBefore);
// a damaged record that was complete would need a zero final byte and
// preallocated zeros after it to look the same. Only a crash leaves such a
// tail (a clean close and sealing a segment cut the zeros off), so after a
// clean close damage at the end of the last segment is still reported.
func tornInPlace(rest []byte, n int) bool {
	return n > 0 && n < len(rest) && rest[n-1] == 0 && allZero(rest[n:])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// supersede applies the rule that a segment's base sequence replaces every
// sequence >= base held by earlier segments (Truncate starts such a segment).
// Segments left with nothing are removed.
func (s *Store) supersede(all *[]*scanned) {
	var out []*scanned
	for _, sc := range *all {
		keep := out[:0]
		for _, p := range out {
			if p.sg.base >= sc.sg.base && sc.sg.base != 0 {
				s.log.Info("removing superseded segment", "segment", segName(p.sg.id))
				p.sg.f.Close()
				if err := s.fs.Remove(s.segPath(p.sg.id)); err != nil {
					s.log.Error("segment not removed", "segment", segName(p.sg.id), "err", err)
				}
				continue
			}
			p.sg.truncateIndex(sc.sg.base)
			keep = append(keep, p)
		}
		out = append(keep, sc)
	}
	*all = out
}

// repair truncates a torn tail and quarantines a corrupt segment. nextBase
// is the base of the following segment, 0 for the last one.
func (s *Store) repair(sc *scanned, nextBase uint64, buf *[]byte) error {
	last := nextBase == 0
	sg := sc.sg
	if sg.base == 0 {
		sg.base = 1
	}
	if sc.hasGap {
		end := sc.gapFrom - 1
		if sc.gapBytes > 0 {
			// Unknown how many records the region held: assume as many as fit,
			// so that no sequence that may have been acknowledged is reused.
			end += uint64(sc.gapBytes / (recHeaderLen + 1))
		}
		if !last {
			end = nextBase - 1
		}
		if end >= sc.gapFrom {
			sc.lost = append(sc.lost, seqRun{sc.gapFrom, end - sc.gapFrom + 1})
		}
		if end > sg.last() && end >= sg.base {
			// Keep the sequences reserved: extend the index with holes.
			for sg.last() < end {
				sg.offs, sg.lens, sg.subj = append(sg.offs, 0), append(sg.lens, 0), append(sg.subj, 0)
			}
		}
	}
	sc.lost = sortRuns(sc.lost)
	sg.lost, sg.lostBytes = sc.lost, sc.lostBytes
	if sc.tornAt >= 0 && !sc.corrupt {
		s.log.Warn("truncating torn tail", "segment", segName(sg.id), "offset", sc.tornAt, "bytes", sc.size-sc.tornAt)
		if err := sg.f.Truncate(sc.tornAt); err != nil {
			return fmt.Errorf("filestore: truncate %s at %d: %w", segName(sg.id), sc.tornAt, err)
		}
		if err := sg.f.Sync(); err != nil {
			return fmt.Errorf("filestore: sync %s: %w", segName(sg.id), err)
		}
		sc.size = sc.tornAt
	}
	sg.written, sg.size = sc.size, sc.size
	if sc.corrupt {
		return s.quarantine(sc, buf)
	}
	return nil
}

// quarantine keeps a corrupt segment file for inspection under <id>.bad and
// replaces it with a rewrite holding its intact live records and a record of
// the sequences lost.
func (s *Store) quarantine(sc *scanned, buf *[]byte) error {
	sg := sc.sg
	img := make([]byte, sc.size)
	if _, err := sg.f.ReadAt(img, 0); err != nil && sc.size > 0 {
		return fmt.Errorf("filestore: read %s: %w", segName(sg.id), err)
	}
	out := appendSegHeader(nil, sg.id, sg.base, sg.prevTime)
	for i, off := range sg.offs {
		if off == 0 {
			continue
		}
		rec := recordIn(img, int64(off))
		sg.offs[i] = uint32(len(out))
		out = append(out, rec...)
	}
	out = sg.appendLost(out)
	var lostSeqs []uint64
	for _, r := range sc.lost {
		for q := r.first; q < r.end(); q++ {
			lostSeqs = append(lostSeqs, q)
		}
	}
	s.log.Error("segment quarantined: corrupt records are not served", "segment", segName(sg.id),
		"lost_msgs", len(lostSeqs), "lost_seqs", fmtRuns(sc.lost))
	tmp := join(s.msgDir(), fmt.Sprintf("%016x.tmp", sg.id))
	f, err := s.fs.Create(tmp)
	if err == nil {
		_, err = f.WriteAt(out, 0)
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = s.fs.Rename(s.segPath(sg.id), s.badName(sg.id))
	}
	if err == nil {
		err = s.fs.Rename(tmp, s.segPath(sg.id))
	}
	if err == nil {
		err = s.fs.SyncDir(s.msgDir())
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return fmt.Errorf("filestore: quarantine %s: %w", segName(sg.id), err)
	}
	sg.f.Close()
	sg.f = f
	sg.written, sg.size = int64(len(out)), int64(len(out))
	sg.indexed = 0
	for i, off := range sg.offs {
		if off != 0 {
			sg.indexed += int64(sg.lens[i])
		}
	}
	return nil
}

// badName returns an unused name for a quarantined copy of segment id.
func (s *Store) badName(id uint64) string {
	names, _ := s.fs.ReadDir(s.msgDir())
	n := 0
	for _, name := range names {
		if strings.HasPrefix(name, fmt.Sprintf("%016x.bad", id)) {
			n++
		}
	}
	if n == 0 {
		return join(s.msgDir(), fmt.Sprintf("%016x.bad", id))
	}
	return join(s.msgDir(), fmt.Sprintf("%016x.bad%d", id, n))
}

func fmtRuns(runs []seqRun) string {
	var b strings.Builder
	for i, r := range runs {
		if i > 0 {
			b.WriteByte(',')
		}
		if r.n == 1 {
			fmt.Fprintf(&b, "%d", r.first)
		} else {
			fmt.Fprintf(&b, "%d-%d", r.first, r.end()-1)
		}
	}
	return b.String()
}

// aggregate computes counts, subject state and bounds from the rebuilt index.
func (s *Store) aggregate(all []*scanned) {
	t := &s.mu.subjects
	var lost store.LostData
	for _, sc := range all {
		sg := sc.sg
		for i, off := range sg.offs {
			if off == 0 {
				continue
			}
			seq := sg.base + uint64(i)
			st := &t.subs[sg.subj[i]]
			if st.msgs == 0 {
				st.first = seq
			}
			st.msgs++
			st.last = seq
			sg.msgs++
			sg.bytes += msgSize(sg.lens[i])
			sg.live += int64(sg.lens[i])
		}
		s.mu.msgs += sg.msgs
		s.mu.bytes += sg.bytes
		for _, r := range sc.lost {
			for q := r.first; q < r.end(); q++ {
				lost.Msgs = append(lost.Msgs, q)
			}
		}
		lost.Bytes += sc.lostBytes
		s.mu.segs = append(s.mu.segs, sg)
		s.mu.lastTime = sg.prevTime
		if len(sg.offs) > 0 {
			s.mu.lastTime = sc.lastTS
		}
	}
	t.live = 0
	for id := range t.subs {
		if st := &t.subs[id]; st.msgs == 0 {
			delete(t.ids, st.name)
			*st = subjState{}
			t.free = append(t.free, uint32(id))
		} else {
			t.live++
		}
	}
	t.gen++
	if len(lost.Msgs) > 0 {
		slices.Sort(lost.Msgs)
		lost.Msgs = slices.Compact(lost.Msgs)
		s.mu.lost = &lost
	}
	s.mu.ttls.Rebuild()
	for seq := range s.mu.pinned {
		if sg, _ := s.findLocked(seq); sg == nil {
			delete(s.mu.pinned, seq)
		}
	}
	if len(s.mu.segs) == 0 {
		first := s.mu.cfg.FirstSeq
		if first == 0 {
			first = 1
		}
		s.mu.last = first - 1
		s.rollLocked(first)
	} else {
		s.mu.last = s.mu.segs[len(s.mu.segs)-1].last()
	}
	s.mu.first = s.mu.last + 1
	if sg, i := s.scanForwardLocked(&matcher{all: true}, 0, s.mu.last); sg != nil {
		s.mu.first = sg.base + uint64(i)
	}
	s.mu.emptied = true
	s.sweepLocked()
}
