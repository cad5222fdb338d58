package filestore

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"syscall"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// A consumer's state lives in obs/<name>.cons: an append-only log of
// checksummed records, each a full snapshot or one update (delivered, acked,
// parked). Recovery replays the log from its first snapshot. When the updates
// since the last snapshot outgrow it (and 64 KiB), the file is rewritten as a
// single snapshot: write <name>.tmp, sync, rename, sync the directory. So an
// ack costs one small record, not a rewrite of a large pending set.
//
// Record: crc32c(4) of the rest, length(4) of the whole record, kind(1),
// then uvarint fields.

// Consumer record kinds.
const (
	consSnapshot  = 1 // full state
	consDelivered = 2 // dseq, sseq, dc, ts
	consAcked     = 3 // dseq, sseq, all
	consParked    = 4 // sseq
)

const (
	consHeaderLen  = 9
	consCompactMin = 64 << 10
	// consLogMax bounds the log when its records are whole snapshots
	// (SetState, what the JetStream consumer writes): each one supersedes
	// the log before it, so only the file's size calls for a rewrite.
	consLogMax = 1 << 20
	// consPrealloc is the most a log that syncs every update keeps filled
	// with zeros ahead of its records, so that an append overwrites
	// allocated, synced blocks and its fdatasync commits no new file size
	// (the same reason as the segments' preallocation, flush.go).
	consPrealloc = 64 << 10
)

type consumerStore struct {
	s    *Store
	name string
	path string

	// mu guards everything below. One writer at a time (writing) takes the
	// buffered records, writes and syncs them without the lock, and wakes the
	// others through cond: concurrent updates share one fsync.
	mu        sync.Mutex
	cond      sync.Cond
	state     *store.ConsumerTracker
	f         File
	size      int64    // bytes of records in the file (where the next one goes)
	alloc     int64    // the file's length: size plus preallocated zeros
	buf       []byte   // records not yet written
	snapAt    int      // offset in buf of its last snapshot record, or -1
	keys      []uint64 // scratch for snapshot's sorted sequences
	gen       uint64   // updates made so far
	written   uint64   // updates written to the file
	unsynced  bool     // written but not yet synced (SyncInterval mode)
	writing   bool
	closed    bool
	failed    error
	snapSize  int64
	sinceSnap int64
	interval  bool // write without syncing; the store's sync tick syncs
}

var _ store.ConsumerStore = (*consumerStore)(nil)

// consFileName maps a consumer name to a file name, hex-encoding names that
// are not plain.
func consFileName(name string) string {
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "x" + hex.EncodeToString([]byte(name)) + ".cons"
		}
	}
	return name + ".cons"
}

// ConsumerStore implements store.Store.
func (s *Store) ConsumerStore(name string) (store.ConsumerStore, error) {
	if name == "" {
		return nil, errors.New("filestore: empty consumer name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	if cs := s.mu.consumers[name]; cs != nil {
		return cs, nil
	}
	cs := &consumerStore{
		s: s, name: name, path: join(s.consumerDir(), consFileName(name)),
		state: store.NewConsumerTracker(), interval: s.mu.cfg.SyncInterval > 0, snapAt: -1,
	}
	cs.cond.L = &cs.mu
	if err := cs.open(); err != nil {
		if cs.f != nil {
			cs.f.Close()
		}
		return nil, err
	}
	s.mu.consumers[name] = cs
	return cs, nil
}

// open recovers the log, or creates it with an empty snapshot.
func (c *consumerStore) open() error {
	fs := c.s.fs
	f, err := fs.Open(c.path)
	if isNotExist(err) {
		return c.rewrite(c.snapshot(), !c.interval)
	}
	if err != nil {
		return fmt.Errorf("filestore: open consumer %q: %w", c.name, err)
	}
	c.f = f
	size, err := f.Size()
	if err != nil {
		return fmt.Errorf("filestore: consumer %q: %w", c.name, err)
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil && size > 0 {
		return fmt.Errorf("filestore: read consumer %q: %w", c.name, err)
	}
	pos := int64(0)
	for pos < size {
		n, ok := c.replay(b[pos:])
		if !ok {
			break
		}
		pos += n
	}
	if pos < size && !allZero(b[pos:]) {
		c.s.log.Error("consumer state log cut at a torn or corrupt record", "consumer", c.name, "offset", pos, "bytes", size-pos)
		return c.rewrite(c.snapshot(), !c.interval)
	}
	c.size, c.alloc = pos, size // what follows the records is preallocation
	return nil
}

// replay applies the record at the start of b and returns its length.
func (c *consumerStore) replay(b []byte) (int64, bool) {
	if len(b) < consHeaderLen {
		return 0, false
	}
	n := le.Uint32(b[4:])
	if n < consHeaderLen || int64(n) > int64(len(b)) || le.Uint32(b) != crc(b[4:n]) {
		return 0, false
	}
	r := uvReader{b: b[consHeaderLen:n]}
	a := c.state
	switch b[8] {
	case consSnapshot:
		st, ok := decodeConsState(&r)
		if !ok {
			return 0, false
		}
		a.Reset(st)
		c.snapSize, c.sinceSnap = int64(n), 0
		return int64(n), true
	case consDelivered:
		d, s, dc, ts := r.next(), r.next(), r.next(), int64(r.next())
		if r.bad {
			return 0, false
		}
		a.Delivered(d, s, dc, ts)
	case consAcked:
		d, s, all := r.next(), r.next(), r.next()
		if r.bad {
			return 0, false
		}
		a.Acked(d, s, all == 1)
	case consParked:
		s := r.next()
		if r.bad {
			return 0, false
		}
		a.Parked(s)
	default:
		return 0, false
	}
	c.sinceSnap += int64(n)
	return int64(n), true
}

// uvReader reads uvarints, remembering whether any was malformed.
type uvReader struct {
	b   []byte
	bad bool
}

func (r *uvReader) next() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func appendConsRecord(b []byte, kind byte, fields ...uint64) []byte {
	start := len(b)
	b = append(b, make([]byte, consHeaderLen)...)
	b[start+8] = kind
	for _, v := range fields {
		b = binary.AppendUvarint(b, v)
	}
	return sealConsRecord(b, start)
}

func sealConsRecord(b []byte, start int) []byte {
	r := b[start:]
	le.PutUint32(r[4:], uint32(len(r)))
	le.PutUint32(r, crc(r[4:]))
	return b
}

// snapshotEstimate is roughly the size a snapshot of the current state takes.
func (c *consumerStore) snapshotEstimate() int64 {
	st := c.state.View()
	n := int64(64 + 12*len(st.Pending) + 6*len(st.Redelivered) + 4*len(st.Parked))
	for _, v := range st.DeadLetters {
		n += int64(8 + len(v))
	}
	return n
}

// snapshot encodes the whole state as one record, in sequence order (so the
// same state always gives the same bytes).
func (c *consumerStore) snapshot() []byte {
	st := c.state.View()
	b := make([]byte, 0, c.snapshotEstimate()+64)
	b = appendConsRecord(b, consSnapshot, st.Delivered.Consumer, st.Delivered.Stream,
		st.AckFloor.Consumer, st.AckFloor.Stream, uint64(len(st.Pending)))
	keys := c.keys[:0]
	for s := range st.Pending {
		keys = append(keys, s)
	}
	slices.Sort(keys)
	c.keys = keys
	for _, s := range keys {
		p := st.Pending[s]
		b = binary.AppendUvarint(b, s)
		b = binary.AppendUvarint(b, p.Consumer)
		b = binary.AppendUvarint(b, uint64(p.Time))
	}
	b = binary.AppendUvarint(b, uint64(len(st.Redelivered)))
	for _, s := range slices.Sorted(maps.Keys(st.Redelivered)) {
		b = binary.AppendUvarint(b, s)
		b = binary.AppendUvarint(b, st.Redelivered[s])
	}
	b = binary.AppendUvarint(b, uint64(len(st.Parked)))
	for _, s := range slices.Sorted(maps.Keys(st.Parked)) {
		b = binary.AppendUvarint(b, s)
	}
	if len(st.DeadLetters) > 0 {
		// Optional trailing section (absent in older files): count, then
		// sequence, length and bytes of each entry.
		b = binary.AppendUvarint(b, uint64(len(st.DeadLetters)))
		for _, s := range slices.Sorted(maps.Keys(st.DeadLetters)) {
			v := st.DeadLetters[s]
			b = binary.AppendUvarint(b, s)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
	}
	return sealConsRecord(b, 0)
}

func decodeConsState(r *uvReader) (*store.ConsumerState, bool) {
	st := &store.ConsumerState{
		Delivered:   store.SeqPair{Consumer: r.next(), Stream: r.next()},
		AckFloor:    store.SeqPair{Consumer: r.next(), Stream: r.next()},
		Pending:     map[uint64]store.Pending{},
		Redelivered: map[uint64]uint64{},
		Parked:      map[uint64]struct{}{},
	}
	for n := r.next(); n > 0 && !r.bad; n-- {
		s, d, t := r.next(), r.next(), int64(r.next())
		st.Pending[s] = store.Pending{Consumer: d, Time: t}
	}
	for n := r.next(); n > 0 && !r.bad; n-- {
		s, dc := r.next(), r.next()
		st.Redelivered[s] = dc
	}
	for n := r.next(); n > 0 && !r.bad; n-- {
		st.Parked[r.next()] = struct{}{}
	}
	if len(r.b) > 0 && !r.bad {
		st.DeadLetters = map[uint64][]byte{}
		for n := r.next(); n > 0 && !r.bad; n-- {
			s, l := r.next(), r.next()
			if r.bad || l > uint64(len(r.b)) {
				return st, false
			}
			st.DeadLetters[s] = bytes.Clone(r.b[:l])
			r.b = r.b[l:]
		}
	}
	return st, !r.bad && len(r.b) == 0
}

// rewrite replaces the file with one holding only snap, and preallocated
// zeros after it if prealloc (the log syncs every update). It runs without
// c.mu while c.writing is set, like every write of commitLocked.
func (c *consumerStore) rewrite(snap []byte, prealloc bool) error {
	fs := c.s.fs
	tmp := c.path + ".tmp"
	f, err := fs.Create(tmp)
	alloc := int64(len(snap))
	if prealloc {
		alloc += preallocFor(len(snap))
	}
	if err == nil {
		_, err = f.WriteAt(withZeros(snap, alloc-int64(len(snap))), 0)
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = fs.Rename(tmp, c.path)
	}
	if err == nil {
		err = fs.SyncDir(c.s.consumerDir())
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return fmt.Errorf("filestore: write consumer %q: %w", c.name, err)
	}
	if c.f != nil {
		c.f.Close()
	}
	c.f = f
	c.size, c.alloc, c.snapSize, c.sinceSnap = int64(len(snap)), alloc, int64(len(snap)), 0
	return nil
}

// preallocFor is how many zeros to write ahead of a write of n bytes: room
// for about eight more of its size, at least 4 KiB and at most consPrealloc,
// so that the many idle consumers of a server cost 4 KiB files, not 64.
func preallocFor(n int) int64 {
	return min(max(8*int64(n), 4<<10), consPrealloc)
}

// withZeros returns b followed by n zero bytes.
func withZeros(b []byte, n int64) []byte {
	if n <= 0 {
		return b
	}
	out := make([]byte, int64(len(b))+n)
	copy(out, b)
	return out
}

// update applies one change and makes it durable (in SyncInterval mode, it
// is written but synced by the store's next tick).
func (c *consumerStore) update(apply func(*store.ConsumerTracker), kind byte, fields ...uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	apply(c.state)
	if kind == consSnapshot {
		c.snapAt = len(c.buf)
		c.buf = append(c.buf, c.snapshot()...)
	} else {
		c.buf = appendConsRecord(c.buf, kind, fields...)
	}
	c.gen++
	return c.commitLocked(c.gen, !c.interval)
}

// setInterval switches between sync-per-update and SyncInterval mode.
// Lock order: Store.mu, then consumerStore.mu.
func (c *consumerStore) setInterval(on bool) {
	c.mu.Lock()
	c.interval = on
	c.mu.Unlock()
}

func (c *consumerStore) usableLocked() error {
	if c.closed {
		return store.ErrClosed
	}
	return c.failed
}

// commitLocked returns once update g is written and, if sync, durable. The
// first caller to find no write in progress writes everything buffered; the
// others wait for it: concurrent updates share one write and one fsync.
func (c *consumerStore) commitLocked(g uint64, sync bool) error {
	for c.written < g || sync && c.unsynced {
		if c.failed != nil {
			return c.failed
		}
		if c.writing {
			c.cond.Wait()
			continue
		}
		c.writing = true
		buf, upto, off, snapAt, alloc := c.buf, c.gen, c.size, c.snapAt, c.alloc
		c.buf, c.snapAt = nil, -1
		// since: the bytes recovery would replay after the log's last
		// snapshot once buf is written.
		since := c.sinceSnap + int64(len(buf))
		if snapAt >= 0 {
			since = int64(len(buf) - snapAt)
		}
		var snap []byte
		prealloc := !c.interval
		est := 4 * c.snapshotEstimate()
		if since > max(consCompactMin, est) || off+int64(len(buf)) > max(consLogMax, est) {
			snap = c.snapshot() // state already includes every buffered update
		}
		c.mu.Unlock()
		var err error
		switch {
		case snap != nil:
			err = c.rewrite(snap, prealloc) // always synced
		case len(buf) > 0:
			w := buf
			if sync && off+int64(len(buf)) > alloc {
				// Past the preallocated zeros: write more behind the
				// records, so this sync commits the new length once.
				w = withZeros(buf, preallocFor(len(buf)))
				alloc = off + int64(len(w))
			}
			_, err = c.f.WriteAt(w, off)
		}
		if err == nil && snap == nil && sync {
			if err = c.f.Sync(); err != nil {
				err = syncErr{err}
			}
		}
		noSpace := errors.Is(err, syscall.ENOSPC) && !isSyncErr(err)
		if noSpace && snap == nil {
			if terr := c.f.Truncate(off); terr != nil {
				noSpace, err = false, errors.Join(err, terr)
			}
		}
		c.mu.Lock()
		c.writing = false
		c.cond.Broadcast()
		if noSpace {
			if snap == nil {
				c.alloc = off // truncated: the zeros went with the write
			}
			// Nothing new is in the file: keep the records for the next
			// commit. The update stays applied in memory and reaches the
			// disk once space returns; the caller is told it is not durable.
			if c.snapAt >= 0 {
				c.snapAt += len(buf)
			} else {
				c.snapAt = snapAt
			}
			c.buf = append(buf, c.buf...)
			return fmt.Errorf("%w: consumer %q: %w", store.ErrNoSpace, c.name, err)
		}
		if err != nil {
			c.failed = fmt.Errorf("%w: consumer %q: %w", store.ErrSyncFailed, c.name, err)
			c.s.log.Error("consumer state not durable", "consumer", c.name, "err", err)
			return c.failed
		}
		if snap == nil {
			c.size += int64(len(buf))
			c.alloc = max(alloc, c.size)
			c.sinceSnap = since
		}
		c.written = upto
		c.unsynced = snap == nil && !sync && (c.unsynced || len(buf) > 0)
	}
	return nil
}

// UpdateDelivered implements store.ConsumerStore.
func (c *consumerStore) UpdateDelivered(dseq, sseq, dc uint64, ts int64) error {
	return c.update(func(a *store.ConsumerTracker) { a.Delivered(dseq, sseq, dc, ts) }, consDelivered, dseq, sseq, dc, uint64(ts))
}

// UpdateAcked implements store.ConsumerStore.
func (c *consumerStore) UpdateAcked(dseq, sseq uint64, all bool) error {
	flag := uint64(0)
	if all {
		flag = 1
	}
	return c.update(func(a *store.ConsumerTracker) { a.Acked(dseq, sseq, all) }, consAcked, dseq, sseq, flag)
}

// UpdateParked implements store.ConsumerStore.
func (c *consumerStore) UpdateParked(sseq uint64) error {
	return c.update(func(a *store.ConsumerTracker) { a.Parked(sseq) }, consParked, sseq)
}

// SetState implements store.ConsumerStore.
func (c *consumerStore) SetState(st *store.ConsumerState) error {
	return c.update(func(a *store.ConsumerTracker) { a.Reset(st) }, consSnapshot)
}

// State implements store.ConsumerStore.
func (c *consumerStore) State() (*store.ConsumerState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, store.ErrClosed
	}
	return c.state.Copy(), nil
}

// Sync implements store.ConsumerStore.
func (c *consumerStore) Sync() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	return c.commitLocked(c.gen, true)
}

// Close implements store.ConsumerStore.
func (c *consumerStore) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return store.ErrClosed
	}
	var err error
	if c.failed == nil {
		err = c.commitLocked(c.gen, true)
	}
	c.closed = true
	if c.f != nil {
		c.f.Close()
	}
	c.mu.Unlock()
	c.forget()
	return err
}

// Destroy implements store.ConsumerStore.
func (c *consumerStore) Destroy() error {
	c.mu.Lock()
	for c.writing {
		c.cond.Wait()
	}
	c.closed = true
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
	c.mu.Unlock()
	c.forget()
	fs := c.s.fs
	if err := fs.Remove(c.path); err != nil && !isNotExist(err) {
		return fmt.Errorf("filestore: destroy consumer %q: %w", c.name, err)
	}
	return fs.SyncDir(c.s.consumerDir())
}

// forget removes the consumer from its store's open set.
func (c *consumerStore) forget() {
	s := c.s
	s.mu.Lock()
	if s.mu.consumers[c.name] == c {
		delete(s.mu.consumers, c.name)
	}
	s.mu.Unlock()
}
