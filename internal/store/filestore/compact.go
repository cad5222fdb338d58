package filestore

import (
	"fmt"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// maybeCompact rewrites one sealed segment whose live records fill less than
// half of its file. It runs on the flusher goroutine between cycles, so no
// write to the segment can be in progress; deletions made while it copies are
// queued as tombstones and written to the new file by the next cycle.
//
// The new file is written as <id>.tmp, synced, and renamed over <id>.seg, then
// the directory is synced. Either file is a complete image of the segment, so
// a crash at any point leaves a valid one (recovery removes a leftover .tmp).
func (s *Store) maybeCompact() {
	s.mu.Lock()
	sg := s.compactCandidateLocked()
	if sg == nil {
		s.mu.Unlock()
		return
	}
	type entry struct {
		i      int
		off, n uint32
	}
	var ents []entry
	for i, off := range sg.offs {
		if off != 0 {
			ents = append(ents, entry{i, off, sg.lens[i]})
		}
	}
	f, gen, size := sg.f, sg.gen, sg.written
	s.mu.Unlock()

	img := make([]byte, size)
	if _, err := f.ReadAt(img, 0); err != nil {
		s.log.Error("compaction read failed", "segment", segName(sg.id), "err", err)
		return
	}
	out := appendSegHeader(nil, sg.id, sg.base, sg.prevTime)
	newOffs := make([]uint32, len(ents))
	for k, e := range ents {
		rec := recordIn(img, int64(e.off))
		if rec == nil || !recordOK(rec) {
			// Leave it to recovery, which quarantines and reports it.
			s.log.Error("corrupt record found by compaction", "segment", segName(sg.id), "offset", e.off)
			return
		}
		newOffs[k] = uint32(len(out))
		out = append(out, rec...)
	}
	out = sg.appendLost(out)
	nf, dirErr, err := s.writeReplacement(sg.id, out)
	if err != nil {
		s.log.Error("compaction failed", "segment", segName(sg.id), "err", err)
		return
	}
	if s.opts.compactHook != nil {
		s.opts.compactHook()
	}

	s.mu.Lock()
	if sg.gen != gen {
		panic("filestore: segment rewritten by two compactions at once")
	}
	// Swap even if the segment was dropped meanwhile: its name now points at
	// the new file, so its pending tombstones must go there (should its
	// removal not survive a crash).
	for k, e := range ents {
		// Entries may have been removed, or cut off by Truncate, meanwhile.
		if e.i < len(sg.offs) && sg.offs[e.i] != 0 {
			sg.offs[e.i] = newOffs[k]
		}
	}
	old := sg.f
	sg.f, sg.gen = nf, sg.gen+1
	sg.written, sg.size = int64(len(out)), int64(len(out))
	sg.alloc = 0
	sg.indexed = sg.live
	delete(s.unsynced, sg)
	if dirErr != nil && s.mu.failed == nil {
		// The rename may not survive a crash, and later deletes go to the
		// new file: nothing written from now on could be called durable.
		s.mu.failed = fmt.Errorf("%w: sync directory after compacting %s: %w", store.ErrSyncFailed, segName(sg.id), dirErr)
		s.log.Error("store failed: appends are refused until reopen", "err", s.mu.failed)
	}
	s.mu.Unlock()
	old.Close()
	s.log.Info("segment compacted", "segment", segName(sg.id), "from", size, "to", len(out))
}

// recordIn returns the record at off in a segment image, sliced by its
// header, or nil if the header is unreadable or runs past the image.
func recordIn(img []byte, off int64) []byte {
	if off >= int64(len(img)) {
		return nil
	}
	h, ok := decodeHeader(img[off:])
	if !ok || int64(h.length) > int64(len(img))-off {
		return nil
	}
	return img[off : off+int64(h.length)]
}

// compactCandidateLocked returns a sealed, idle segment worth rewriting.
func (s *Store) compactCandidateLocked() *segment {
	if s.mu.failed != nil || s.mu.closed {
		return nil
	}
	for _, sg := range s.mu.segs[:len(s.mu.segs)-1] {
		if sg.f != nil && !sg.dirty && len(sg.pend) == 0 && len(sg.dels) == 0 && sg.msgs > 0 &&
			sg.written >= s.opts.CompactMin && 2*sg.live < sg.indexed {
			return sg
		}
	}
	return nil
}

// writeReplacement writes a new image of segment id and renames it into
// place. dirErr reports a failed directory sync after the rename: the new
// file is in place but its name may not survive a crash.
func (s *Store) writeReplacement(id uint64, img []byte) (f File, dirErr, err error) {
	tmp := join(s.msgDir(), fmt.Sprintf("%016x.tmp", id))
	f, err = s.fs.Create(tmp)
	if err != nil {
		return nil, nil, err
	}
	_, err = f.WriteAt(img, 0)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = s.fs.Rename(tmp, s.segPath(id))
	}
	if err != nil {
		f.Close()
		s.fs.Remove(tmp)
		return nil, nil, err
	}
	return f, s.fs.SyncDir(s.msgDir()), nil
}
