package filestore

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

var (
	flagCases = flag.Int("filestore.cases", 10000, "number of random fault-injection cases")
	flagSeed  = flag.Uint64("filestore.seed", 0, "run only the fault-injection case with this seed")
)

// Fault kinds exercised by TestFaultInjection.
const (
	faultPowerLoss = iota // drop every unsynced write
	faultTorn             // keep a random prefix of unsynced appends
	faultBitFlip          // flip one bit of a segment file after a clean close
	faultErrors           // ENOSPC/EIO on writes and syncs, then power loss
	numFaults
)

var faultNames = [numFaults]string{"power_loss", "torn", "bit_flip", "errors"}

// TestFaultInjection runs seeded random cases: random appends, deletes,
// purges and flush cycles, then a fault, then recovery, asserting that no
// durable message is lost, no corrupt or foreign content is served, and every
// flipped bit in a live record is detected. Rerun one case with
// -filestore.seed=N; run more with -filestore.cases=N.
func TestFaultInjection(t *testing.T) {
	if *flagSeed != 0 {
		runFaultCase(t, *flagSeed)
		return
	}
	n := *flagCases
	if testing.Short() {
		n /= 10
	}
	const workers = 4
	var mu sync.Mutex
	counts := [numFaults]int{}
	for w := range workers {
		t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
			t.Parallel()
			for seed := uint64(w + 1); seed <= uint64(n); seed += workers {
				kind := runFaultCase(t, seed)
				mu.Lock()
				counts[kind]++
				mu.Unlock()
				if t.Failed() {
					return
				}
			}
		})
	}
	t.Cleanup(func() {
		var parts []string
		for k, c := range counts {
			parts = append(parts, fmt.Sprintf("%s=%d", faultNames[k], c))
		}
		t.Logf("fault cases: %s", strings.Join(parts, " "))
	})
}

type modelMsg struct {
	subj string
	hdr  []byte
	data []byte
}

// faultCase is the model a case checks the store against.
type faultCase struct {
	t        *testing.T
	seed     uint64
	rng      *rand.Rand
	fs       *memFS
	s        *Store
	interval bool
	sent     map[uint64]modelMsg // every append that returned a sequence
	durable  map[uint64]bool     // acknowledged (or synced, in interval mode)
	failed   map[uint64]error
	deleted  map[uint64]bool // removed (not necessarily durably)
	durDel   map[uint64]bool // removal covered by a completed sync
	pendDel  []uint64
	pendSent []uint64
	maxSeq   uint64
	flipped  []uint64 // live messages whose record got a flipped bit
	// deleteHeavy cases delete as often as they append, so that segments
	// empty out and get compacted or removed.
	deleteHeavy bool
	compress    bool // Config.Compress, with compressible payloads
}

// Done implements store.Waiter; in manual-flush mode it runs on the test goroutine.
func (c *faultCase) Done(seq uint64, err error) {
	if err != nil {
		c.failed[seq] = err
		return
	}
	if !c.interval {
		c.durable[seq] = true
	}
}

func (c *faultCase) opts() Options {
	log := slog.New(slog.DiscardHandler)
	if *flagSeed != 0 {
		log = slog.New(slog.NewTextHandler(c.t.Output(), nil))
	}
	return Options{
		FS:          c.fs,
		Logger:      log,
		SegmentSize: int64(256 + c.rng.IntN(4096)),
		manualFlush: true,
	}
}

func (c *faultCase) cfg() store.Config {
	cfg := store.Config{Name: "fault", Compress: c.compress}
	if c.interval {
		cfg.SyncInterval = time.Hour
	}
	return cfg
}

func (c *faultCase) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf("seed %d: %s", c.seed, fmt.Sprintf(format, args...))
}

func runFaultCase(t *testing.T, seed uint64) int {
	c := &faultCase{
		t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed)), fs: newMemFS(),
		sent: map[uint64]modelMsg{}, durable: map[uint64]bool{}, failed: map[uint64]error{},
		deleted: map[uint64]bool{}, durDel: map[uint64]bool{},
	}
	kind := int(seed % numFaults)
	c.interval = kind != faultBitFlip && c.rng.IntN(5) == 0
	c.deleteHeavy = c.rng.IntN(2) == 0
	c.compress = c.rng.IntN(3) == 0
	opts := c.opts()
	opts.compactHook = func() {
		// What the stream may do while the flusher compacts: appends and deletes.
		for range c.rng.IntN(4) {
			c.step(true)
		}
	}
	s, err := Open("/db", c.cfg(), opts)
	if err != nil {
		c.fatalf("open: %v", err)
	}
	c.s = s
	ops := 5 + c.rng.IntN(60)
	faultAt := -1
	if kind == faultErrors {
		faultAt = c.rng.IntN(ops)
	}
	for i := range ops {
		if i == faultAt {
			c.injectErrors()
		}
		c.step(false)
	}
	var fs2 *memFS
	lostOK := false
	switch kind {
	case faultPowerLoss, faultErrors:
		fs2 = c.fs.crash(nil)
	case faultTorn:
		fs2 = c.fs.crash(func(_ string, n int) int { return c.rng.IntN(n + 1) })
	case faultBitFlip:
		c.fs.setFault(nil)
		if err := s.Close(); err != nil {
			c.fatalf("close: %v", err)
		}
		c.markSynced()
		fs2 = c.fs
		lostOK = true
		c.flipBit()
	}
	if c.rng.IntN(4) == 0 {
		fs2 = c.failRecovery(fs2)
	}
	c.fs = fs2
	s2, err := Open("/db", c.cfg(), c.opts())
	if err != nil {
		c.fatalf("reopen after %s: %v", faultNames[kind], err)
	}
	defer s2.Close()
	c.verify(s2, lostOK)
	return kind
}

var subjects = []string{"a", "b.c", "orders.eu.1", "orders.us.2", "x.y.z"}

// step performs one random operation; light limits it to appends and
// plain deletes (no flush, no waiting for one).
func (c *faultCase) step(light bool) {
	s := c.s
	r := c.rng.IntN(100)
	if c.deleteHeavy && r >= 40 && r < 65 {
		r = 70 // delete instead of append
	}
	if light && r >= 75 {
		r = c.rng.IntN(75)
	}
	if *flagSeed != 0 {
		defer func() { c.t.Logf("op r=%d last=%d msgs=%d", r, c.maxSeq, s.State().Msgs) }()
	}
	switch {
	case r < 65:
		m := modelMsg{subj: subjects[c.rng.IntN(len(subjects))], data: make([]byte, c.rng.IntN(300))}
		for i := range m.data {
			m.data[i] = byte(c.rng.Uint32())
			if c.compress && i >= 8 {
				m.data[i] = m.data[i%8] // compressible
			}
		}
		if c.rng.IntN(4) == 0 {
			m.hdr = []byte("NATS/1.0\r\nk: v\r\n\r\n")
		}
		seq, err := s.Append(m.subj, m.hdr, m.data, int64(c.maxSeq+1), 0, c)
		if err != nil {
			return
		}
		c.sent[seq] = m
		c.pendSent = append(c.pendSent, seq)
		c.maxSeq = max(c.maxSeq, seq)
	case r < 75:
		if c.maxSeq == 0 {
			return
		}
		seq := 1 + c.rng.Uint64N(c.maxSeq)
		ok, _ := s.Delete(seq, !light && c.rng.IntN(4) == 0, store.ReasonDelete)
		if ok {
			c.deleted[seq] = true
			c.pendDel = append(c.pendDel, seq)
		}
	case r < 93:
		if s.flush(false) == nil && !c.interval {
			c.markSynced()
		}
		s.maybeCompact()
	case r < 97:
		if s.flush(true) == nil {
			c.markSynced()
		}
	case r < 99:
		subj := subjects[c.rng.IntN(len(subjects))]
		if c.rng.IntN(3) == 0 {
			subj = "orders.>"
		}
		keep := c.rng.Uint64N(3)
		before := c.live()
		_, err := s.Purge(store.PurgeOpts{Subject: subj, Keep: keep})
		c.syncDeletes(before, err == nil)
	default:
		if c.maxSeq == 0 {
			return
		}
		before := c.live()
		seq := 1 + c.rng.Uint64N(c.maxSeq+1)
		_, err := s.Compact(seq)
		c.syncDeletes(before, err == nil)
	}
}

// live returns the sequences the store currently serves.
func (c *faultCase) live() []uint64 {
	var out []uint64
	for seq := range c.sent {
		if _, err := c.s.Load(seq); err == nil {
			out = append(out, seq)
		}
	}
	return out
}

// syncDeletes records removals done by an operation that waited for a sync.
func (c *faultCase) syncDeletes(before []uint64, synced bool) {
	for _, seq := range before {
		if _, err := c.s.Load(seq); err != nil {
			c.deleted[seq] = true
			c.pendDel = append(c.pendDel, seq)
		}
	}
	if synced {
		c.markSynced()
	}
}

// markSynced records that everything so far passed a successful sync.
func (c *faultCase) markSynced() {
	for _, seq := range c.pendDel {
		c.durDel[seq] = true
	}
	for _, seq := range c.pendSent {
		if _, bad := c.failed[seq]; !bad && c.interval {
			c.durable[seq] = true
		}
	}
	c.pendDel, c.pendSent = nil, nil
}

// injectErrors makes writes or syncs fail for a while.
func (c *faultCase) injectErrors() {
	var err error
	var op string
	switch c.rng.IntN(7) {
	case 0:
		op, err = "write", errNoSpace
	case 1:
		op, err = "write", partialWrite{n: c.rng.IntN(64), err: errNoSpace}
	case 2:
		op, err = "write", errIO
	case 3:
		op, err = "create", errNoSpace
	case 4:
		op, err = "syncdir", errIO
	case 5:
		op, err = "rename", errIO
	default:
		op, err = "sync", errIO
	}
	left := 1 + c.rng.IntN(3)
	if *flagSeed != 0 {
		c.t.Logf("inject %s on %s x%d", err, op, left)
	}
	c.fs.setFault(func(o, _ string) error {
		if o != op || left == 0 {
			return nil
		}
		left--
		return err
	})
}

// flipBit flips a random bit of a random segment file and remembers what it hit.
func (c *faultCase) flipBit() {
	var segs []string
	for _, name := range c.fs.files() {
		if strings.HasSuffix(name, ".seg") {
			segs = append(segs, name)
		}
	}
	if len(segs) == 0 {
		return
	}
	name := segs[c.rng.IntN(len(segs))]
	size := c.fs.size(name)
	bit := c.rng.Int64N(size * 8)
	hit := recordAt(c.fs, name, bit/8)
	c.fs.flipBit(name, bit)
	if hit.kind == kindMsg {
		if _, live := c.sent[hit.seq]; live && !c.deleted[hit.seq] {
			c.flipped = append(c.flipped, hit.seq)
		}
	}
	if hit.kind == kindDelete {
		c.durDel = map[uint64]bool{} // a lost tombstone may bring messages back
	}
}

// hitRecord says which record of a segment file a byte belongs to.
type hitRecord struct {
	kind uint8 // 0: segment header
	seq  uint64
}

func recordAt(m *memFS, name string, off int64) hitRecord {
	f, err := m.Open(name)
	if err != nil {
		panic(err)
	}
	size, _ := f.Size()
	b := make([]byte, size)
	f.ReadAt(b, 0)
	pos := int64(segHeaderLen)
	if off < pos {
		return hitRecord{}
	}
	for pos < size {
		h, ok := decodeHeader(b[pos:])
		if !ok {
			panic(fmt.Sprintf("clean segment %s unreadable at %d", name, pos))
		}
		if off < pos+int64(h.length) {
			return hitRecord{kind: h.kind, seq: h.seq}
		}
		pos += int64(h.length)
	}
	panic("offset past end")
}

// verify checks a recovered store against the model.
func (c *faultCase) verify(s *Store, lostOK bool) {
	c.t.Helper()
	st := s.State()
	lost := map[uint64]bool{}
	if st.Lost != nil {
		if !lostOK {
			c.fatalf("lost data reported without corruption: %v", st.Lost.Msgs)
		}
		for _, q := range st.Lost.Msgs {
			lost[q] = true
		}
	}
	for _, q := range c.flipped {
		if !lost[q] {
			c.fatalf("flipped bit in live message %d not reported lost (lost %v)", q, st.Lost)
		}
		if _, err := s.Load(q); !errors.Is(err, store.ErrNotFound) {
			c.fatalf("corrupt message %d: Load = %v", q, err)
		}
	}
	for seq := range c.durable {
		if c.deleted[seq] || lost[seq] {
			continue
		}
		if st.LastSeq < seq {
			c.fatalf("durable seq %d beyond last %d", seq, st.LastSeq)
		}
		if _, err := s.Load(seq); err != nil {
			c.fatalf("durable message %d lost: %v (state %+v)", seq, err, st)
		}
	}
	var count uint64
	for seq := st.FirstSeq; seq <= st.LastSeq && st.Msgs > 0; seq++ {
		m, err := s.Load(seq)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			c.fatalf("Load(%d): %v", seq, err)
		}
		want, ok := c.sent[seq]
		if !ok {
			c.fatalf("phantom message %d served", seq)
		}
		if m.Subject != want.subj || !bytes.Equal(m.Data, want.data) || !bytes.Equal(m.Header, want.hdr) {
			c.fatalf("message %d content differs", seq)
		}
		if c.durDel[seq] {
			c.fatalf("durably deleted message %d came back", seq)
		}
		count++
	}
	if count != st.Msgs {
		c.fatalf("state says %d msgs, found %d (state %+v)", st.Msgs, count, st)
	}
	seq, err := s.Append("after", nil, []byte("x"), 0, 0, nil)
	if err != nil || seq != st.LastSeq+1 {
		c.fatalf("append after recovery = %d, %v (last %d)", seq, err, st.LastSeq)
	}
	if err := s.flush(false); err != nil {
		c.fatalf("flush after recovery: %v", err)
	}
}

// failRecovery makes one I/O operation of a first recovery fail, then cuts
// the power (during or after that recovery): the next recovery must still
// find everything.
func (c *faultCase) failRecovery(fs *memFS) *memFS {
	op := []string{"write", "sync", "truncate", "create", "rename", "remove", "syncdir"}[c.rng.IntN(7)]
	nth := 1 + c.rng.IntN(3)
	fs.setFault(func(o, _ string) error {
		if o != op {
			return nil
		}
		if nth--; nth == 0 {
			return errIO
		}
		return nil
	})
	if *flagSeed != 0 {
		c.t.Logf("recovery: fail call %d of %s", nth, op)
	}
	c.fs = fs
	if s, err := Open("/db", c.cfg(), c.opts()); err == nil {
		s.Close()
	}
	return fs.crash(nil)
}
