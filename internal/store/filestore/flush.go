package filestore

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// The flusher is the one goroutine that writes segment files. Appends only
// add records to a segment's pend buffer under Store.mu; each flush cycle
// takes every pending buffer at once (moving it to flushing, where loads can
// still read it), writes them without the lock, fdatasyncs the files it
// wrote, and then releases every waiter of the cycle in sequence order. While
// one cycle syncs, the next batch accumulates: that is the group commit.

// flushJob is one segment's share of a flush cycle.
type flushJob struct {
	sg     *segment
	buf    []byte
	off    int64
	dels   []seqRun // tombstones encoded into buf, re-queued on rollback
	create bool
	active bool  // the segment appends go to; other segments are trimmed
	grow   bool  // active, SyncInterval 0 and a small write: preallocate
	alloc  int64 // the file's preallocated length, before and after the write
	f      File
}

// preallocStep is how far ahead of the data the active segment's file is
// filled with zeros. Overwriting blocks that are already allocated and synced
// lets fdatasync skip the inode-size journal commit that every append past
// the end of the file costs on ext4 (133-153 -> 96-111 µs per sync on this
// machine's disk). Writing real zeros matters: fallocate leaves unwritten
// extents whose conversion is again a metadata commit.
const preallocStep = 1 << 20

// preallocMaxBatch is the largest write that triggers preallocation. Large
// batches (many appends in flight) amortise the size commit anyway, and
// zero-filling ahead of them would double the bytes written.
const preallocMaxBatch = 16 << 10

// zeros is the source of preallocation writes.
var zeros [64 << 10]byte

// maxSpare bounds the write buffer kept for reuse (only the active segment
// keeps one). A batch of 500 4 KiB appends is about 2 MiB; a smaller bound made
// every such batch regrow its buffer from zero, halving 4 KiB throughput.
const maxSpare = 4 << 20

// slowSync is the fsync duration above which a warning is logged.
const slowSync = time.Second

func (s *Store) run() {
	var (
		ticker *time.Ticker
		tick   <-chan time.Time
		iv     time.Duration
	)
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		// Follow SyncInterval changes made by UpdateConfig.
		s.mu.Lock()
		want := s.mu.cfg.SyncInterval
		s.mu.Unlock()
		if want != iv {
			if ticker != nil {
				ticker.Stop()
				ticker, tick = nil, nil
			}
			if want > 0 {
				ticker = time.NewTicker(want)
				tick = ticker.C
			}
			iv = want
		}
		select {
		case <-s.stop:
			s.flush(true)
			return
		case <-s.kick:
			s.flush(false)
		case <-tick:
			s.flush(true)
			s.syncConsumers()
		}
		s.maybeCompact()
	}
}

// flush runs one cycle; force syncs even in SyncInterval mode. It returns
// the error given to the cycle's waiters.
func (s *Store) flush(force bool) error {
	s.mu.Lock()
	if failed := s.mu.failed; failed != nil {
		// Nothing more is written; buffers stay where loads can read them.
		waiters, syncers := s.mu.waiters, s.mu.syncers
		s.mu.waiters, s.mu.syncers = nil, nil
		s.mu.Unlock()
		reply(waiters, syncers, failed)
		return failed
	}
	jobs := s.takeJobsLocked()
	waiters, syncers, erases, drops := s.mu.waiters, s.mu.syncers, s.mu.erases, s.mu.drops
	s.mu.waiters, s.mu.syncers, s.mu.erases, s.mu.drops = nil, nil, nil, nil
	durable := s.mu.cfg.SyncInterval <= 0
	s.mu.Unlock()
	for k := range jobs {
		// With SyncInterval > 0 no append waits for a sync: nothing to gain.
		jobs[k].grow = durable && jobs[k].active && len(jobs[k].buf) <= preallocMaxBatch
	}

	err := s.writeJobs(jobs)
	for _, j := range jobs {
		s.dirUnsynced = s.dirUnsynced || j.create && j.f != nil
	}
	if err == nil {
		for _, j := range jobs {
			s.unsynced[j.sg] = j.f
		}
		if durable || force || len(syncers) > 0 || len(erases) > 0 || len(drops) > 0 {
			err = s.syncPending()
		}
	}
	if err == nil && len(erases) > 0 {
		err = s.applyErases(erases)
	}
	if err == nil && len(drops) > 0 {
		s.removeFiles(drops)
	}

	s.mu.Lock()
	more, ackErr := s.finishLocked(jobs, drops, err)
	s.mu.Unlock()
	if ackErr == nil {
		s.opts.Stats.Committed(len(waiters))
	}
	reply(append(waiters, more...), syncers, ackErr)
	return ackErr
}

// syncConsumers writes and syncs the buffered updates of every open consumer
// store (SyncInterval mode).
func (s *Store) syncConsumers() {
	s.mu.Lock()
	css := make([]*consumerStore, 0, len(s.mu.consumers))
	for _, cs := range s.mu.consumers {
		css = append(css, cs)
	}
	s.mu.Unlock()
	for _, cs := range css {
		if err := cs.Sync(); err != nil && !errors.Is(err, store.ErrClosed) {
			s.log.Error("consumer sync failed", "consumer", cs.name, "err", err)
		}
	}
}

func reply(waiters []waitEntry, syncers []chan error, err error) {
	for _, w := range waiters {
		w.w.Done(w.seq, err)
	}
	for _, ch := range syncers {
		ch <- err
	}
}

// takeJobsLocked moves every segment's pending bytes (and tombstones, encoded
// as one delete record per segment) into its flushing buffer.
func (s *Store) takeJobsLocked() []flushJob {
	var jobs []flushJob
	for _, sg := range s.mu.dirty {
		sg.dirty = false
		if sg.dropped && sg.f == nil && sg.written == 0 {
			continue // never created: nothing to write or remove
		}
		var dels []seqRun
		if len(sg.dels) > 0 {
			dels = sortRuns(sg.dels)
			sg.dels = nil
			n := len(sg.pend)
			sg.pend = appendRecord(sg.pend, kindDelete, dels[0].first, 0, 0, "", nil, appendRuns(nil, dels))
			sg.size += int64(len(sg.pend) - n)
		}
		active := sg == s.mu.segs[len(s.mu.segs)-1]
		if len(sg.pend) == 0 && (active || sg.alloc <= sg.written) {
			continue
		}
		jobs = append(jobs, flushJob{sg: sg, buf: sg.pend, off: sg.written, dels: dels,
			create: sg.f == nil && sg.written == 0, active: active, alloc: sg.alloc, f: sg.f})
		sg.flushing = sg.pend
		sg.pend = sg.spare[:0]
		sg.spare = nil
	}
	s.mu.dirty = s.mu.dirty[:0]
	return jobs
}

// writeJobs creates and writes the files of a cycle. It runs without the lock.
func (s *Store) writeJobs(jobs []flushJob) error {
	for k := range jobs {
		j := &jobs[k]
		if j.create {
			f, err := s.fs.Create(s.segPath(j.sg.id))
			if err != nil {
				return err
			}
			j.f = f
		}
		if err := s.allocBefore(j); err != nil {
			return err
		}
		if len(j.buf) > 0 {
			if _, err := j.f.WriteAt(j.buf, j.off); err != nil {
				return fmt.Errorf("write %s at %d: %w", segName(j.sg.id), j.off, err)
			}
			s.opts.Stats.Written(len(j.buf))
		}
		if err := s.allocAfter(j); err != nil {
			return err
		}
	}
	return nil
}

// Preallocation keeps one rule that recovery relies on (recover.go,
// tornInPlace): a record written over preallocated zeros and not yet synced
// always has at least one zero byte after it within the file as it stands on
// disk. So a record torn by a crash inside preallocated space is followed
// by zeros, while a complete record that ends the file (no zeros after it)
// and fails its checksum is corruption, as without preallocation.

// allocBefore runs before a job's write. A write that would reach the end of
// the preallocated zeros first gets more of them, synced (j.grow), or else the
// file is cut back to its data and synced, so that the write becomes a plain
// append past the end of the file.
func (s *Store) allocBefore(j *flushJob) error {
	end := j.off + int64(len(j.buf))
	if j.alloc <= j.off || end < j.alloc {
		return nil // no zeros at off, or the write stays inside them
	}
	if j.grow {
		target := s.allocTarget(end)
		err := s.writeZeros(j, j.alloc, target)
		if err == nil {
			err = s.syncFile(j)
		}
		if err == nil {
			j.alloc = target
			return nil
		}
		if !errors.Is(err, syscall.ENOSPC) || isSyncErr(err) {
			return err
		}
	}
	return s.trim(j, j.off)
}

// trim cuts a job's file back to size, the end of its data, after syncing
// the data: a truncation that became durable before the data it keeps could
// leave a torn record at the very end of the file, with no zeros after it.
func (s *Store) trim(j *flushJob, size int64) error {
	if err := s.syncFile(j); err != nil {
		return err
	}
	if err := j.f.Truncate(size); err != nil {
		return fmt.Errorf("truncate %s to %d: %w", segName(j.sg.id), size, err)
	}
	j.alloc = 0
	return s.syncFile(j)
}

// allocAfter runs after a job's write. The active segment, after a small
// write (j.grow) that left no zeros behind it, gets preallocStep of them (the
// cycle's fdatasync covers them); any other segment is cut back to its data (by a
// job without data), so that only the last segment of a store can end in
// zeros.
func (s *Store) allocAfter(j *flushJob) error {
	end := j.off + int64(len(j.buf))
	switch {
	case !j.active:
		switch {
		case j.alloc <= end:
			j.alloc = 0
		case len(j.buf) == 0:
			return s.trim(j, end)
		}
		// Else trimmed by a later cycle (finishLocked): trim syncs, and data
		// written by this cycle must not become durable before the cycle
		// succeeds (a failed cycle is rolled back: rollbackLocked).
	case j.alloc <= end && j.grow:
		target := s.allocTarget(end)
		if err := s.writeZeros(j, end, target); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				return err
			}
			// No room to write ahead: go on without, the data fit.
			if err := j.f.Truncate(end); err != nil {
				return fmt.Errorf("truncate %s to %d: %w", segName(j.sg.id), end, err)
			}
			target = 0
		}
		j.alloc = target
	}
	return nil
}

// allocTarget is the preallocated length for data ending at end: preallocStep
// more, not past the segment size, and always at least one byte more.
func (s *Store) allocTarget(end int64) int64 {
	return max(min(end+preallocStep, s.opts.SegmentSize), end+1)
}

// writeZeros fills [from, to) of a job's file with zeros.
func (s *Store) writeZeros(j *flushJob, from, to int64) error {
	for off := from; off < to; {
		n, err := j.f.WriteAt(zeros[:min(int64(len(zeros)), to-off)], off)
		off += int64(n)
		s.opts.Stats.Written(n)
		if err != nil {
			return fmt.Errorf("preallocate %s at %d: %w", segName(j.sg.id), off, err)
		}
	}
	return nil
}

// syncFile fdatasyncs a job's file outside the cycle's own sync.
func (s *Store) syncFile(j *flushJob) error {
	start := time.Now()
	if err := j.f.Sync(); err != nil {
		return syncErr{fmt.Errorf("sync %s: %w", segName(j.sg.id), err)}
	}
	s.opts.Stats.Fsync(1, time.Since(start))
	return nil
}

// syncPending fdatasyncs every file written since the last sync, and the
// directory if files were created.
func (s *Store) syncPending() error {
	start := time.Now()
	n := len(s.unsynced)
	for sg, f := range s.unsynced {
		if err := f.Sync(); err != nil {
			return syncErr{fmt.Errorf("sync %s: %w", segName(sg.id), err)}
		}
		delete(s.unsynced, sg)
	}
	if s.dirUnsynced {
		if err := s.fs.SyncDir(s.msgDir()); err != nil {
			return syncErr{fmt.Errorf("sync directory: %w", err)}
		}
		s.dirUnsynced = false
		n++
	}
	d := time.Since(start)
	s.opts.Stats.Fsync(n, d)
	if d > slowSync {
		s.log.Warn("slow fsync", "took", d, "expected", slowSync)
	}
	return nil
}

// applyErases overwrites the payload of deleted records with zeros after
// their tombstones were synced, then syncs again. The record checksum is left
// as it was, so an erased record can never be served: should its tombstone
// ever be lost, recovery reports it lost instead of serving zeros.
func (s *Store) applyErases(ops []eraseOp) error {
	synced := map[File]bool{}
	for _, op := range ops {
		sg := op.sg
		f := sg.f
		if uf, ok := s.unsynced[sg]; ok {
			f = uf
		}
		if f == nil || sg.gen != op.gen {
			continue // rewritten by compaction: the record is gone
		}
		rec := make([]byte, op.n) // at least the record (less if compressed)
		if _, err := f.ReadAt(rec, op.off); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("erase read %s at %d: %w", segName(sg.id), op.off, err)
		}
		h, ok := decodeHeader(rec)
		if !ok || int(h.length) > len(rec) || !recordOK(rec[:h.length]) {
			continue
		}
		rec = rec[:h.length]
		data := rec[int(h.length)-h.dataLen():]
		clear(data)
		if _, err := f.WriteAt(data, op.off+int64(len(rec)-len(data))); err != nil {
			return fmt.Errorf("erase write %s at %d: %w", segName(sg.id), op.off, err)
		}
		synced[f] = true
	}
	for f := range synced {
		if err := f.Sync(); err != nil {
			return syncErr{fmt.Errorf("sync after erase: %w", err)}
		}
	}
	return nil
}

// removeFiles removes the files of dropped segments and syncs the directory.
// A failure is logged: the file keeps its tombstones, so nothing reappears.
func (s *Store) removeFiles(drops []*segment) {
	for _, sg := range drops {
		f := sg.f
		if uf, ok := s.unsynced[sg]; ok {
			f = uf
			delete(s.unsynced, sg)
		}
		if f != nil {
			f.Close()
		}
		if err := s.fs.Remove(s.segPath(sg.id)); err != nil && !isNotExist(err) {
			s.log.Error("segment not removed", "segment", segName(sg.id), "err", err)
		}
	}
	if err := s.fs.SyncDir(s.msgDir()); err != nil {
		s.log.Error("directory sync after removal failed", "err", err)
	}
}

// finishLocked records the outcome of a cycle. It returns the error to give
// the cycle's waiters and any further waiters whose appends were undone.
func (s *Store) finishLocked(jobs []flushJob, drops []*segment, err error) ([]waitEntry, error) {
	if err == nil {
		for _, j := range jobs {
			sg := j.sg
			sg.written += int64(len(j.buf))
			sg.alloc = j.alloc
			active := sg == s.mu.segs[len(s.mu.segs)-1]
			if cap(j.buf) <= maxSpare && active {
				sg.spare = j.buf[:0] // reuse for the active segment only
			}
			sg.flushing = nil
			sg.f = j.f
			if !active && sg.alloc > sg.written && !sg.dropped {
				// Sealed while this cycle preallocated it: trim next cycle.
				s.markDirtyLocked(sg)
				s.wake()
			}
		}
		for _, sg := range drops {
			sg.f = nil
		}
		return nil, nil
	}
	if errors.Is(err, syscall.ENOSPC) && !isSyncErr(err) {
		rerr := s.rollbackLocked(jobs)
		if rerr == nil {
			s.mu.drops = append(s.mu.drops, drops...)
			more := s.mu.waiters
			s.mu.waiters = nil
			s.log.Warn("append failed: no space left on device", "err", err)
			return more, fmt.Errorf("%w: %w", store.ErrNoSpace, err)
		}
		err = errors.Join(err, rerr) // could not undo the batch: fail
	}
	for _, j := range jobs {
		if j.create && j.f != nil {
			j.sg.f = j.f
		}
	}
	s.mu.failed = fmt.Errorf("%w: %w", store.ErrSyncFailed, err)
	s.log.Error("store failed: appends are refused until reopen", "err", err)
	more := s.mu.waiters
	s.mu.waiters = nil
	return more, s.mu.failed
}

// syncErr marks an error from fsync: never retried, never recoverable.
type syncErr struct{ error }

func (e syncErr) Unwrap() error { return e.error }

func isSyncErr(err error) bool {
	var se syncErr
	return errors.As(err, &se)
}

// rollbackLocked undoes a cycle whose writes failed for lack of space: files
// are cut back to their last good size and every message not in a file is
// dropped from the index (its appender is told ErrNoSpace). Tombstones of
// the cycle are queued again. The store stays usable.
func (s *Store) rollbackLocked(jobs []flushJob) error {
	for _, j := range jobs {
		sg := j.sg
		if j.f != nil {
			if err := j.f.Truncate(sg.written); err != nil {
				return fmt.Errorf("truncate %s to %d: %w", segName(sg.id), sg.written, err)
			}
			sg.f = j.f
			sg.alloc = 0
		}
		sg.dels = append(sg.dels, j.dels...)
	}
	for _, sg := range s.mu.segs {
		if sg.size <= sg.written {
			continue
		}
		for i := len(sg.offs) - 1; i >= 0; i-- {
			if off := int64(sg.offs[i]); off != 0 && off >= sg.written {
				s.unindexLocked(sg, i)
			}
		}
	}
	for _, sg := range slices.Concat(s.mu.segs, s.mu.drops) {
		if sg.size <= sg.written {
			continue
		}
		sg.flushing, sg.pend = nil, nil
		sg.size = sg.written
		if sg.written == 0 {
			sg.pend = appendSegHeader(nil, sg.id, sg.base, sg.prevTime)
			sg.size = int64(len(sg.pend))
		}
	}
	for _, j := range jobs {
		j.sg.flushing = nil
		s.markDirtyLocked(j.sg)
	}
	s.sweepLocked()
	return nil
}
