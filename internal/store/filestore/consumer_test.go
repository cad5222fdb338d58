package filestore

import (
	"errors"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// consumerCase drives a consumer store and a pure model side by side.
type consumerCase struct {
	rng   *rand.Rand
	cs    store.ConsumerStore
	model *store.ConsumerTracker
	prev  *store.ConsumerState // model before the last update
	dseq  uint64
	sseq  uint64
	// snapshots: every update is a whole state written with SetState, as
	// the JetStream consumer writes it, with about 600 messages pending so
	// that runs of more than about 300 steps pass consLogMax.
	snapshots bool
}

func (c *consumerCase) step() error {
	c.prev = c.model.Copy()
	if c.snapshots {
		return c.snapshotStep()
	}
	st := c.model.View()
	pending := slices.Sorted(maps.Keys(st.Pending))
	switch r := c.rng.IntN(10); {
	case r < 4 || len(pending) == 0:
		c.dseq++
		c.sseq += 1 + c.rng.Uint64N(3)
		c.model.Delivered(c.dseq, c.sseq, 1, int64(c.dseq))
		return c.cs.UpdateDelivered(c.dseq, c.sseq, 1, int64(c.dseq))
	case r < 5:
		s := pending[c.rng.IntN(len(pending))]
		c.dseq++
		dc := 2 + c.rng.Uint64N(3)
		c.model.Delivered(c.dseq, s, dc, int64(c.dseq))
		return c.cs.UpdateDelivered(c.dseq, s, dc, int64(c.dseq))
	case r < 8:
		s := pending[c.rng.IntN(len(pending))]
		d := st.Pending[s].Consumer
		c.model.Acked(d, s, false)
		return c.cs.UpdateAcked(d, s, false)
	case r < 9:
		s := pending[c.rng.IntN(len(pending))]
		d := st.Pending[s].Consumer
		c.model.Acked(d, s, true)
		return c.cs.UpdateAcked(d, s, true)
	default:
		s := pending[c.rng.IntN(len(pending))]
		c.model.Parked(s)
		return c.cs.UpdateParked(s)
	}
}

// snapshotStep delivers a few messages and acks a few, then writes the
// whole state.
func (c *consumerCase) snapshotStep() error {
	for range 1 + c.rng.IntN(7) {
		c.dseq++
		c.sseq++
		c.model.Delivered(c.dseq, c.sseq, 1, int64(c.dseq))
	}
	if st := c.model.View(); len(st.Pending) > 600 {
		for _, s := range slices.Sorted(maps.Keys(st.Pending))[:1+c.rng.IntN(8)] {
			c.model.Acked(st.Pending[s].Consumer, s, false)
		}
	}
	st := c.model.Copy()
	c.model.Reset(st)
	return c.cs.SetState(st)
}

func sameConsumer(got, want *store.ConsumerState) bool {
	norm := func(st *store.ConsumerState) *store.ConsumerState {
		a := store.NewConsumerTracker()
		a.Reset(st)
		return a.Copy()
	}
	return reflect.DeepEqual(norm(got), norm(want))
}

// TestConsumerCrash runs random consumer updates, sometimes with write or
// sync failures, then a power loss (optionally tearing the unsynced tail),
// and checks that the recovered state is exactly the state after the last
// update that returned nil (or after the failed one, which may have reached
// the disk).
func TestConsumerCrash(t *testing.T) {
	t.Run("updates", func(t *testing.T) { consumerCrash(t, *flagCases/10, false) })
	// Whole snapshots: the preallocated zeros, the 1 MiB rewrite and torn
	// snapshots (a run of 400 steps writes about 2 MiB).
	t.Run("snapshots", func(t *testing.T) { consumerCrash(t, *flagCases/250, true) })
}

func consumerCrash(t *testing.T, n int, snapshots bool) {
	for seed := uint64(1); seed <= uint64(n); seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		fs := newMemFS()
		s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
		cs, err := s.ConsumerStore("c")
		if err != nil {
			t.Fatal(err)
		}
		c := &consumerCase{rng: rng, cs: cs, model: store.NewConsumerTracker(), snapshots: snapshots}
		steps := 1 + rng.IntN(400) // long runs cross the compaction threshold
		failAt := -1
		if rng.IntN(3) == 0 {
			failAt = rng.IntN(steps)
		}
		var uncertain *store.ConsumerState // the failed update may or may not be durable
		for i := range steps {
			if i == failAt {
				op := []string{"write", "sync", "create", "rename"}[rng.IntN(4)]
				fs.setFault(func(o, _ string) error {
					if o == op {
						return errIO
					}
					return nil
				})
			}
			if err := c.step(); err != nil {
				if !errors.Is(err, store.ErrSyncFailed) {
					t.Fatalf("seed %d: update error %v", seed, err)
				}
				uncertain = c.model.Copy()
				c.model.Reset(c.prev)
				break
			}
		}
		tear := func(string, int) int { return 0 }
		if rng.IntN(2) == 0 {
			tear = func(_ string, k int) int { return rng.IntN(k + 1) }
		}
		img := fs.crash(tear)
		s2 := mustOpen(t, "/db", store.Config{}, quietOpts(img))
		cs2, err := s2.ConsumerStore("c")
		if err != nil {
			t.Fatalf("seed %d: reopen consumer: %v", seed, err)
		}
		got, _ := cs2.State()
		if !sameConsumer(got, c.model.Copy()) && (uncertain == nil || !sameConsumer(got, uncertain)) {
			t.Fatalf("seed %d: recovered %+v\nwant %+v\nuncertain %+v", seed, got, c.model.Copy(), uncertain)
		}
		s2.Close()
		s.Close()
	}
}

// TestConsumerLogCompaction checks that a large pending set is not rewritten
// per ack: the file grows by small records and is compacted now and then.
func TestConsumerLogCompaction(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	defer s.Close()
	cs, _ := s.ConsumerStore("big")
	const n = 20000
	for i := uint64(1); i <= n; i++ {
		if err := cs.UpdateDelivered(i, i, 1, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	path := "/db/obs/big.cons"
	before := logSize(cs)
	if err := cs.UpdateAcked(n/2, n/2, false); err != nil {
		t.Fatal(err)
	}
	if grew := logSize(cs) - before; grew <= 0 || grew > 32 {
		t.Fatalf("one ack grew the log by %d bytes (size %d)", grew, logSize(cs))
	}
	for i := uint64(1); i <= n; i++ {
		if i != n/2 {
			if err := cs.UpdateAcked(i, i, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if size := fs.size(path); size > 2*consCompactMin+consPrealloc {
		t.Fatalf("log not compacted: %d bytes", size)
	}
	cs.Close()
	cs, _ = s.ConsumerStore("big")
	st, _ := cs.State()
	if len(st.Pending) != 0 || st.AckFloor.Stream != n {
		t.Fatalf("state after reopen %+v", st.AckFloor)
	}
}

// logSize is the length of a consumer log's records, without the zeros
// preallocated after them.
func logSize(cs store.ConsumerStore) int64 {
	c := cs.(*consumerStore)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// TestConsumerTornTail tears the last record of a consumer log at every
// byte, both as a file cut there and as a record whose end never reached the
// preallocated zeros it was written over.
func TestConsumerTornTail(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	cs, _ := s.ConsumerStore("c")
	for i := uint64(1); i <= 5; i++ {
		cs.UpdateDelivered(i, i, 1, 0)
	}
	want, _ := cs.State()
	path := "/db/obs/c.cons"
	size := logSize(cs)
	if fs.size(path) <= size {
		t.Fatalf("no preallocated zeros after the records: file %d, records %d", fs.size(path), size)
	}
	cs.UpdateAcked(3, 3, false)
	last := int(logSize(cs) - size)
	if last <= 0 {
		t.Fatalf("the ack wrote no record")
	}
	s.Close()
	for k := range last {
		for _, cut := range []bool{true, false} {
			img := fs.crash(nil)
			f, _ := img.Open(path)
			if cut {
				f.Truncate(size + int64(k))
			} else {
				lost := make([]byte, last-k)
				f.ReadAt(lost, size+int64(k))
				if allZero(lost) {
					continue // the bytes not written are zeros: the record is whole
				}
				f.WriteAt(make([]byte, last-k), size+int64(k))
			}
			s2 := mustOpen(t, "/db", store.Config{}, quietOpts(img))
			cs2, err := s2.ConsumerStore("c")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := cs2.State()
			if !sameConsumer(got, want) {
				t.Fatalf("torn at %d (cut %v): %+v", k, cut, got)
			}
			if err := cs2.UpdateAcked(1, 1, false); err != nil {
				t.Fatalf("torn at %d (cut %v): update after recovery: %v", k, cut, err)
			}
			s2.Close()
			s3 := mustOpen(t, "/db", store.Config{}, quietOpts(img))
			cs3, _ := s3.ConsumerStore("c")
			got, _ = cs3.State()
			if _, ok := got.Pending[1]; ok || len(got.Pending) != 4 {
				t.Fatalf("torn at %d (cut %v): the update after recovery did not survive a reopen: %+v", k, cut, got.Pending)
			}
			s3.Close()
		}
	}
	t.Logf("%d tears checked", last)
}

// TestConsumerSnapshotLog: a log of whole snapshots (SetState, as the
// JetStream consumer writes it) is rewritten only when it passes consLogMax,
// not every few snapshots, and recovers the last one.
func TestConsumerSnapshotLog(t *testing.T) {
	fs := newMemFS()
	creates := 0
	fs.setFault(func(op, name string) error {
		if op == "create" {
			creates++
		}
		return nil
	})
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	cs, _ := s.ConsumerStore("c")
	st := &store.ConsumerState{Pending: map[uint64]store.Pending{}, Redelivered: map[uint64]uint64{}, Parked: map[uint64]struct{}{}}
	const pending, steps = 300, 3000
	for i := uint64(1); i <= pending; i++ {
		st.Pending[i] = store.Pending{Consumer: i, Time: int64(i) * 1e9}
	}
	st.Delivered = store.SeqPair{Consumer: pending, Stream: pending}
	var snapLen int64
	for i := uint64(1); i <= steps; i++ {
		delete(st.Pending, i)
		next := pending + i
		st.Pending[next] = store.Pending{Consumer: next, Time: int64(next) * 1e9}
		st.Delivered = store.SeqPair{Consumer: next, Stream: next}
		st.AckFloor = store.SeqPair{Consumer: i, Stream: i}
		before := logSize(cs)
		if err := cs.SetState(st); err != nil {
			t.Fatal(err)
		}
		if n := logSize(cs) - before; n > 0 {
			snapLen = n
		}
	}
	if size := logSize(cs); size > consLogMax+2*snapLen {
		t.Fatalf("log of %d bytes, more than %d", size, consLogMax+2*snapLen)
	}
	// Each rewrite creates one file; one per consLogMax of snapshots.
	if most := int(steps*snapLen/consLogMax) + 2; creates > most {
		t.Fatalf("%d rewrites for %d snapshots of %d bytes, want at most %d", creates, steps, snapLen, most)
	}
	t.Logf("%d snapshots of %d bytes, %d rewrites, log %d bytes", steps, snapLen, creates, logSize(cs))
	s.Close()
	s2 := mustOpen(t, "/db", store.Config{}, quietOpts(fs.crash(nil)))
	cs2, _ := s2.ConsumerStore("c")
	got, _ := cs2.State()
	if !sameConsumer(got, st) {
		t.Fatalf("recovered floor %+v delivered %+v, %d pending; want %+v %+v %d",
			got.AckFloor, got.Delivered, len(got.Pending), st.AckFloor, st.Delivered, len(st.Pending))
	}
	s2.Close()
}

// TestConsumerInterval: in SyncInterval mode updates are written at once
// (a process crash loses nothing) and made durable by Sync or the tick.
func TestConsumerInterval(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{SyncInterval: time.Hour}, quietOpts(fs))
	defer s.Close()
	cs, _ := s.ConsumerStore("c")
	for i := uint64(1); i <= 10; i++ {
		cs.UpdateDelivered(i, i, 1, 0)
	}
	want, _ := cs.State()
	if fs.size("/db/obs/c.cons") <= int64(len((&consumerStore{state: store.NewConsumerTracker()}).snapshot())) {
		t.Fatal("updates not written")
	}
	if err := cs.Sync(); err != nil {
		t.Fatal(err)
	}
	cs.UpdateAcked(1, 1, false) // written, not synced: lost on power failure
	s2 := mustOpen(t, "/db", store.Config{}, quietOpts(fs.crash(nil)))
	defer s2.Close()
	cs2, _ := s2.ConsumerStore("c")
	if got, _ := cs2.State(); !sameConsumer(got, want) {
		t.Fatalf("after power loss: %+v, want %+v", got, want)
	}
}

// TestConsumerNoSpace: a consumer update that hits ENOSPC fails with
// ErrNoSpace, the consumer stays usable, and the update reaches the disk
// with the next successful one.
func TestConsumerNoSpace(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	defer s.Close()
	cs, _ := s.ConsumerStore("c")
	cs.UpdateDelivered(1, 1, 1, 0)
	fs.setFault(func(op, _ string) error {
		if op == "write" {
			return partialWrite{n: 3, err: errNoSpace}
		}
		return nil
	})
	if err := cs.UpdateDelivered(2, 2, 1, 0); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("update on a full disk = %v", err)
	}
	fs.setFault(nil)
	if err := cs.UpdateDelivered(3, 3, 1, 0); err != nil {
		t.Fatalf("update after space returned: %v", err)
	}
	want, _ := cs.State()
	s2 := mustOpen(t, "/db", store.Config{}, quietOpts(fs.crash(nil)))
	defer s2.Close()
	cs2, _ := s2.ConsumerStore("c")
	if got, _ := cs2.State(); !sameConsumer(got, want) {
		t.Fatalf("after power loss %+v, want %+v", got, want)
	}
}

// TestConsumerBitFlip flips every bit of a small consumer log: recovery never
// fails and yields the state after some prefix of the updates (a damaged
// record and what follows it are dropped, never applied).
func TestConsumerBitFlip(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	cs, _ := s.ConsumerStore("c")
	var prefixes []*store.ConsumerState
	st, _ := cs.State()
	prefixes = append(prefixes, st)
	ops := []func() error{
		func() error { return cs.UpdateDelivered(1, 1, 1, 10) },
		func() error { return cs.UpdateDelivered(2, 5, 1, 11) },
		func() error { return cs.UpdateDelivered(3, 1, 2, 12) },
		func() error { return cs.UpdateAcked(3, 1, false) },
		func() error { return cs.UpdateParked(5) },
	}
	for _, op := range ops {
		if err := op(); err != nil {
			t.Fatal(err)
		}
		st, _ := cs.State()
		prefixes = append(prefixes, st)
	}
	records := logSize(cs)
	s.Close()
	path := "/db/obs/c.cons"
	// Every bit of the records, and of the preallocated zeros after them
	// the first 64 bytes and the last 8 (a bit flipped in the zeros must not
	// lose a record either; flipping all 512 Ki of them takes minutes).
	var bits []int64
	size := fs.size(path)
	for bit := range (records + 64) * 8 {
		bits = append(bits, bit)
	}
	for bit := max((size-8)*8, (records+64)*8); bit < size*8; bit++ {
		bits = append(bits, bit)
	}
	for _, bit := range bits {
		img := fs.crash(nil)
		img.flipBit(path, bit)
		s2, err := Open("/db", store.Config{}, quietOpts(img))
		if err != nil {
			t.Fatal(err)
		}
		cs2, err := s2.ConsumerStore("c")
		if err != nil {
			t.Fatalf("bit %d: %v", bit, err)
		}
		got, _ := cs2.State()
		if !slices.ContainsFunc(prefixes, func(p *store.ConsumerState) bool { return sameConsumer(got, p) }) {
			t.Fatalf("bit %d: recovered %+v is no prefix of the updates", bit, got)
		}
		s2.Close()
	}
}

// TestConsumerRecoveryFault fails each I/O call of a consumer log's recovery
// rewrite in turn, cuts the power, and checks the next recovery.
func TestConsumerRecoveryFault(t *testing.T) {
	for _, op := range []string{"open", "create", "write", "sync", "rename", "syncdir"} {
		fs := newMemFS()
		s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
		cs, _ := s.ConsumerStore("c")
		for i := uint64(1); i <= 5; i++ {
			cs.UpdateDelivered(i, i, 1, 0)
		}
		want, _ := cs.State()
		s.Close()
		img := fs.crash(nil)
		f, _ := img.Open("/db/obs/c.cons")
		size, _ := f.Size()
		f.WriteAt([]byte{1, 2, 3}, size) // a torn tail forces a rewrite
		f.Sync()
		s2 := mustOpen(t, "/db", store.Config{}, quietOpts(img))
		img.setFault(func(o, _ string) error {
			if o == op {
				return errIO
			}
			return nil
		})
		if _, err := s2.ConsumerStore("c"); err == nil {
			t.Fatalf("%s failing: no error", op)
		}
		img.setFault(nil)
		s2.Close()
		s3 := mustOpen(t, "/db", store.Config{}, quietOpts(img.crash(nil)))
		cs3, err := s3.ConsumerStore("c")
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if got, _ := cs3.State(); !sameConsumer(got, want) {
			t.Fatalf("%s: recovered %+v, want %+v", op, got, want)
		}
		s3.Close()
	}
}
