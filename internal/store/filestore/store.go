package filestore

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Options are the filestore's own settings; the stream's are in store.Config.
type Options struct {
	// FS does the I/O; nil means the operating system's.
	FS FS
	// Logger receives lifecycle, recovery and failure events; nil discards them.
	Logger *slog.Logger
	// Stats, when set, counts fsyncs, bytes written and group-commit sizes;
	// several stores may share one.
	Stats *store.IOStats
	// SegmentSize is the size at which a new segment file is started
	// (default 32 MiB, at most 2 GiB).
	SegmentSize int64
	// CompactMin is the smallest segment considered for compaction: a sealed
	// segment at least this large whose live records fill less than half of it
	// is rewritten (default SegmentSize/4).
	CompactMin int64
	// manualFlush, for tests, starts no flusher goroutine: flush cycles run
	// when the test calls flush, or inline when an operation waits for one.
	manualFlush bool
	// compactHook, for tests, runs while compaction copies without the lock.
	compactHook func()
}

// minCompress is the smallest payload worth compressing.
const minCompress = 64

const (
	defaultSegmentSize = 32 << 20
	maxSegmentSize     = 2 << 30
)

// Store is a durable store.Store. See the package documentation.
type Store struct {
	dir  string
	fs   FS
	log  *slog.Logger
	opts Options

	kick chan struct{} // wakes the flusher; capacity 1
	stop chan struct{} // closed by Close
	wg   sync.WaitGroup

	// unsynced is owned by the flusher: segments written since the last sync
	// in SyncInterval mode, and whether the directory needs a sync.
	unsynced    map[*segment]File
	dirUnsynced bool

	// mu guards everything below and the segments' index and buffers.
	mu struct {
		sync.RWMutex // Load by sequence takes it shared; everything else exclusive
		cfg          store.Config
		closed       bool
		failed       error // permanent: a write or sync failed
		segs         []*segment
		nextID       uint64
		first        uint64
		last         uint64
		msgs         uint64
		bytes        uint64
		lastTime     int64
		subjects     subjectTable
		ttls         store.TTLHeap
		heldTTL      []store.TTLEntry    // taken from ttls while Config.Hold kept the message
		pinned       map[uint64]struct{} // messages with TTL -1: never expire
		emptied      bool                // a segment lost its last message: sweep
		scratch      []byte              // compression buffer
		lost         *store.LostData
		// work for the flusher
		dirty   []*segment
		waiters []waitEntry
		syncers []chan error
		erases  []eraseOp
		ra      readAhead // LoadNext's block (readahead.go)
		drops   []*segment
		// consumer stores, closed with the store
		consumers map[string]*consumerStore
		firstTime struct {
			seq uint64
			t   int64
		}
	}
}

var _ store.Store = (*Store)(nil)

type waitEntry struct {
	seq uint64
	w   store.Waiter
}

// eraseOp overwrites the payload of a deleted record once its tombstone is durable.
type eraseOp struct {
	sg  *segment
	gen uint32
	off int64
	n   int
}

// Open opens or creates the store in dir, recovering what is on disk.
func Open(dir string, cfg store.Config, opts Options) (*Store, error) {
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = defaultSegmentSize
	}
	opts.SegmentSize = min(opts.SegmentSize, maxSegmentSize)
	if opts.CompactMin <= 0 {
		opts.CompactMin = opts.SegmentSize / 4
	}
	s := &Store{
		dir:      dir,
		fs:       opts.FS,
		log:      opts.Logger.With("store", cfg.Name, "dir", dir),
		opts:     opts,
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		unsynced: map[*segment]File{},
	}
	s.mu.cfg = cfg
	s.mu.subjects.init()
	s.mu.consumers = map[string]*consumerStore{}
	s.mu.pinned = map[uint64]struct{}{}
	for _, d := range []string{dir, s.msgDir(), s.consumerDir()} {
		if err := s.fs.MkdirAll(d); err != nil {
			return nil, fmt.Errorf("filestore: create %s: %w", d, err)
		}
	}
	start := time.Now()
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, err
	}
	s.log.Info("store opened", "msgs", s.mu.msgs, "first", s.mu.first, "last", s.mu.last,
		"segments", len(s.mu.segs), "took", time.Since(start))
	if !opts.manualFlush {
		s.wg.Go(s.run)
	}
	return s, nil
}

func (s *Store) msgDir() string      { return join(s.dir, "msgs") }
func (s *Store) consumerDir() string { return join(s.dir, "obs") }
func (s *Store) segPath(id uint64) string {
	return join(s.msgDir(), segName(id))
}

// Append implements store.Store.
func (s *Store) Append(subj string, hdr, data []byte, now int64, ttl int64, w store.Waiter) (uint64, error) {
	n := recordLen(subj, hdr, data)
	if len(subj) == 0 || len(subj) > 0xffff || n > maxRecordLen {
		return 0, fmt.Errorf("filestore: append to %q: subject or message too large", subj)
	}
	s.mu.Lock()
	if err := s.usableLocked(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	seq := s.mu.last + 1
	var flags uint8
	if s.mu.cfg.Compress && len(data) >= minCompress {
		if enc := s2.Encode(s.mu.scratch[:cap(s.mu.scratch)], data); len(enc) < len(data) {
			s.mu.scratch = enc
			data, flags = enc, flagS2
		}
	}
	disk := recordLen(subj, hdr, data) // n is the length uncompressed
	sg := s.activeLocked(int64(disk))
	off := sg.size
	sg.pend = appendRecordFlags(sg.pend, kindMsg, flags, seq, now, ttl, subj, hdr, data)
	sg.size += int64(disk)
	sg.indexed += int64(n)
	sid := s.mu.subjects.add(subj, seq)
	sg.appendIndex(seq, off, uint32(n), sid)
	sg.msgs++
	sg.bytes += msgSize(uint32(n))
	sg.live += int64(n)
	sg.maxTime = max(sg.maxTime, now)
	if s.mu.msgs == 0 {
		s.mu.first = seq
	}
	s.mu.msgs++
	s.mu.bytes += msgSize(uint32(n))
	s.mu.last = seq
	s.mu.lastTime = now
	switch {
	case ttl > 0:
		s.mu.ttls.Add(store.TTLEntry{At: now + ttl, Seq: seq})
	case ttl < 0:
		s.mu.pinned[seq] = struct{}{}
	}
	if w != nil {
		s.mu.waiters = append(s.mu.waiters, waitEntry{seq, w})
	}
	s.markDirtyLocked(sg)
	s.enforceLimitsLocked(sid)
	s.mu.Unlock()
	s.wake()
	return seq, nil
}

// usableLocked returns why the store cannot take writes, if it cannot.
func (s *Store) usableLocked() error {
	if s.mu.closed {
		return store.ErrClosed
	}
	return s.mu.failed
}

// activeLocked returns the segment to append n bytes to, starting a new one
// when the current one is full.
func (s *Store) activeLocked(n int64) *segment {
	sg := s.mu.segs[len(s.mu.segs)-1]
	if sg.size+n > s.opts.SegmentSize && sg.size > segHeaderLen {
		sg = s.rollLocked(s.mu.last + 1)
	}
	return sg
}

// rollLocked starts a new segment whose first sequence will be base. A base
// lower than the previous segment's end supersedes it (see Truncate).
func (s *Store) rollLocked(base uint64) *segment {
	sg := newSegment(s.mu.nextID, base, s.mu.lastTime)
	s.mu.nextID++
	if n := len(s.mu.segs); n > 0 {
		prev := s.mu.segs[n-1]
		prev.spare = nil
		if prev.alloc > prev.written {
			s.markDirtyLocked(prev) // the flusher cuts off its preallocated zeros
		}
		if prev.removable() {
			s.dropLocked(n - 1)
		}
	}
	s.mu.segs = append(s.mu.segs, sg)
	s.markDirtyLocked(sg)
	return sg
}

// dropLocked removes segment i from the index; the flusher writes its pending
// tombstones, syncs, and then removes its file.
func (s *Store) dropLocked(i int) {
	sg := s.mu.segs[i]
	s.mu.segs = append(s.mu.segs[:i], s.mu.segs[i+1:]...)
	sg.dropped = true
	s.mu.drops = append(s.mu.drops, sg)
	s.markDirtyLocked(sg)
}

func (s *Store) markDirtyLocked(sg *segment) {
	if !sg.dirty {
		sg.dirty = true
		s.mu.dirty = append(s.mu.dirty, sg)
	}
}

// wake nudges the flusher.
func (s *Store) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Sync implements store.Store.
func (s *Store) Sync() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	ch := s.syncRequestLocked()
	s.mu.Unlock()
	return s.waitSync(ch)
}

// waitSync waits for the reply to a sync request.
func (s *Store) waitSync(ch chan error) error {
	if s.opts.manualFlush {
		s.flush(true)
	}
	return <-ch
}

// syncRequestLocked asks the flusher for a sync covering everything so far.
func (s *Store) syncRequestLocked() chan error {
	ch := make(chan error, 1)
	if s.mu.failed != nil {
		ch <- s.mu.failed
		return ch
	}
	s.mu.syncers = append(s.mu.syncers, ch)
	s.wake()
	return ch
}

// State implements store.Store.
func (s *Store) State() store.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := store.State{
		Msgs:        s.mu.msgs,
		Bytes:       s.mu.bytes,
		FirstSeq:    s.mu.first,
		LastSeq:     s.mu.last,
		LastTime:    s.mu.lastTime,
		NumSubjects: uint64(s.mu.subjects.live),
	}
	if s.mu.last == 0 && s.mu.msgs == 0 {
		st.FirstSeq = s.mu.cfg.FirstSeq // never written
	}
	if s.mu.msgs > 0 {
		st.NumDeleted = s.mu.last - s.mu.first + 1 - s.mu.msgs
		st.FirstTime = s.firstTimeLocked()
	}
	if l := s.mu.lost; l != nil {
		st.Lost = &store.LostData{Msgs: append([]uint64(nil), l.Msgs...), Bytes: l.Bytes}
	}
	return st
}

// firstTimeLocked returns the timestamp of the first message, cached by seq.
func (s *Store) firstTimeLocked() int64 {
	if s.mu.firstTime.seq == s.mu.first {
		return s.mu.firstTime.t
	}
	sg, i := s.findLocked(s.mu.first)
	if sg == nil {
		return 0
	}
	b, err := sg.read(int64(sg.offs[i]), recHeaderLen)
	if err != nil {
		return 0
	}
	h, ok := decodeHeader(b)
	if !ok {
		return 0
	}
	s.mu.firstTime.seq, s.mu.firstTime.t = s.mu.first, h.ts
	return h.ts
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.mu.closed = true
	consumers := s.mu.consumers
	s.mu.consumers = map[string]*consumerStore{}
	s.mu.Unlock()

	var errs []error
	for _, cs := range consumers {
		if err := cs.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			errs = append(errs, err)
		}
	}
	close(s.stop)
	s.wg.Wait()
	if s.opts.manualFlush {
		s.flush(true)
	}
	s.releasePrealloc()
	s.mu.Lock()
	failed := s.mu.failed
	s.mu.Unlock()
	s.closeFiles()
	s.log.Info("store closed")
	return errors.Join(append(errs, failed)...)
}

// releasePrealloc cuts preallocated zeros off the segment files after the
// last flush of Close, so that a clean close leaves files that end with their
// data (recovery then reports damage to a last record as corruption, never as
// a torn write). It syncs without the lock; the flusher has stopped.
func (s *Store) releasePrealloc() {
	type cut struct {
		id   uint64
		f    File
		size int64
	}
	var cuts []cut
	s.mu.Lock()
	if s.mu.failed == nil {
		for _, sg := range s.mu.segs {
			if sg.f != nil && sg.alloc > sg.written {
				cuts = append(cuts, cut{sg.id, sg.f, sg.written})
				sg.alloc = 0
			}
		}
	}
	s.mu.Unlock()
	for _, c := range cuts {
		err := c.f.Truncate(c.size)
		if err == nil {
			err = c.f.Sync()
		}
		if err != nil {
			s.log.Warn("preallocated space not released", "segment", segName(c.id), "err", err)
		}
	}
}

func (s *Store) closeFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sg := range s.mu.segs {
		if sg.f != nil {
			sg.f.Close()
			sg.f = nil
		}
	}
}

// Destroy implements store.Store.
func (s *Store) Destroy() error {
	if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		s.log.Warn("close before destroy failed", "err", err)
	}
	if err := s.fs.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("filestore: destroy %s: %w", s.dir, err)
	}
	return nil
}
