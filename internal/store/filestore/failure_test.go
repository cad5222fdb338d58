package filestore

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// TestRuntimeCorruption damages a record after Open: it is never served,
// LoadNext skips it, it is reported lost, and the next Open quarantines the
// segment and keeps reporting it.
func TestRuntimeCorruption(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, testOpts(t, fs))
	for i := range 5 {
		s.Append("a", nil, []byte(fmt.Sprint("m", i)), 1, 0, nil)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	sg := s.mu.segs[0]
	off := int64(sg.offs[2]) // seq 3
	s.mu.Unlock()
	fs.flipBit("/db/msgs/"+segName(sg.id), (off+recHeaderLen+1)*8)
	if _, err := s.Load(3); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Load(3) = %v, want ErrCorrupt", err)
	}
	if _, err := s.Load(3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Load(3) = %v, want ErrNotFound", err)
	}
	if m, err := s.LoadNext("a", 3); err != nil || m.Seq != 4 {
		t.Fatalf("LoadNext(3) = %v, %v", m, err)
	}
	if st := s.State(); st.Msgs != 4 || st.Lost == nil || !slices.Equal(st.Lost.Msgs, []uint64{3}) {
		t.Fatalf("state %+v", st)
	}
	s.Close()
	s = mustOpen(t, "/db", store.Config{}, testOpts(t, fs))
	defer s.Close()
	if st := s.State(); st.Msgs != 4 || st.Lost == nil || !slices.Equal(st.Lost.Msgs, []uint64{3}) {
		t.Fatalf("after reopen: state %+v", st)
	}
	if got := fs.files(); !slices.Contains(got, "/db/msgs/"+segName(sg.id)+"") || !slices.ContainsFunc(got, func(n string) bool { return n == fmt.Sprintf("/db/msgs/%016x.bad", sg.id) }) {
		t.Fatalf("files %v: want the segment and its quarantined copy", got)
	}
	s.Close()
	s = mustOpen(t, "/db", store.Config{}, testOpts(t, fs))
	defer s.Close()
	if st := s.State(); st.Lost == nil || !slices.Equal(st.Lost.Msgs, []uint64{3}) {
		t.Fatalf("after second reopen: state %+v", st)
	}
}

// syncRecorder collects acknowledgements from many goroutines.
type syncRecorder struct {
	mu    sync.Mutex
	acked []uint64
	errs  []error
}

func (r *syncRecorder) Done(seq uint64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs = append(r.errs, err)
		return
	}
	r.acked = append(r.acked, seq)
}

func (r *syncRecorder) snapshot() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.acked)
}

// TestGroupCommitCrash runs concurrent appenders against the real flusher and
// takes a power-loss image in the middle: every append acknowledged before the
// image was taken must be in it.
func TestGroupCommitCrash(t *testing.T) {
	for round := range 20 {
		fs := newMemFS()
		opts := testOpts(t, fs)
		opts.SegmentSize = 8 << 10
		s := mustOpen(t, "/db", store.Config{}, opts)
		rec := &syncRecorder{}
		var wg sync.WaitGroup
		var stop atomic.Bool
		for g := range 8 {
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					if _, err := s.Append(fmt.Sprintf("g.%d", g), nil, []byte(fmt.Sprint(g, i)), int64(i), 0, rec); err != nil {
						t.Error(err)
						return
					}
					if i > 2000 {
						return
					}
				}
			})
		}
		var acked []uint64
		var img *memFS
		for len(acked) < 500*(round%4+1) {
			acked = rec.snapshot()
		}
		img = fs.crash(nil)
		stop.Store(true)
		wg.Wait()
		s.Close()
		s2 := mustOpen(t, "/db", store.Config{}, testOpts(t, img))
		for _, seq := range acked {
			if _, err := s2.Load(seq); err != nil {
				t.Fatalf("round %d: acknowledged seq %d lost: %v", round, seq, err)
			}
		}
		s2.Close()
	}
}

// countFS counts syncs of an FS.
type countFS struct {
	FS
	syncs atomic.Int64
}

type countFile struct {
	File
	fs *countFS
}

func (c *countFS) Create(name string) (File, error) {
	f, err := c.FS.Create(name)
	if err != nil {
		return nil, err
	}
	return countFile{f, c}, nil
}

func (f countFile) Sync() error {
	f.fs.syncs.Add(1)
	return f.File.Sync()
}

// TestGroupCommitBatches checks that concurrent durable appends share fsyncs.
func TestGroupCommitBatches(t *testing.T) {
	fs := &countFS{FS: OSFS{}}
	s := mustOpen(t, t.TempDir(), store.Config{}, Options{FS: fs})
	defer s.Close()
	rec := &syncRecorder{}
	const goroutines, each = 32, 100
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			done := make(chan struct{}, 1)
			w := waiterFunc(func(uint64, error) { done <- struct{}{} })
			for i := range each {
				if _, err := s.Append("x", nil, []byte{byte(g), byte(i)}, 0, 0, multiWaiter{rec, w}); err != nil {
					t.Error(err)
					return
				}
				<-done // one append in flight per goroutine
			}
		})
	}
	wg.Wait()
	n, syncs := len(rec.snapshot()), fs.syncs.Load()
	t.Logf("%d durable appends, %d fsyncs", n, syncs)
	if n != goroutines*each || len(rec.errs) > 0 {
		t.Fatalf("acked %d, errors %v", n, rec.errs)
	}
	if syncs > int64(n)/2 {
		t.Fatalf("%d fsyncs for %d appends from %d goroutines: not batching", syncs, n, goroutines)
	}
}

type waiterFunc func(uint64, error)

func (f waiterFunc) Done(seq uint64, err error) { f(seq, err) }

type multiWaiter []store.Waiter

func (m multiWaiter) Done(seq uint64, err error) {
	for _, w := range m {
		w.Done(seq, err)
	}
}

// TestNoSpace: appends that hit ENOSPC fail with ErrNoSpace and are not
// served; once space returns the store takes appends again, durably.
func TestNoSpace(t *testing.T) {
	fs := newMemFS()
	opts := testOpts(t, fs)
	opts.manualFlush = true
	s := mustOpen(t, "/db", store.Config{}, opts)
	rec := &ackRecorder{}
	s.Append("a", nil, []byte("ok"), 1, 0, rec)
	s.flush(false)
	full := true
	fs.setFault(func(op, _ string) error {
		if op == "write" && full {
			return partialWrite{n: 7, err: errNoSpace}
		}
		return nil
	})
	seq, err := s.Append("a", nil, []byte("no room"), 2, 0, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.flush(false); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("flush = %v, want ErrNoSpace", err)
	}
	if !errors.Is(rec.failed[seq], store.ErrNoSpace) {
		t.Fatalf("waiter got %v", rec.failed[seq])
	}
	if _, err := s.Load(seq); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("failed append still served: %v", err)
	}
	full = false
	seq2, err := s.Append("a", nil, []byte("room again"), 3, 0, rec)
	if err != nil || seq2 != seq+1 {
		t.Fatalf("append after ENOSPC = %d, %v", seq2, err)
	}
	if err := s.flush(false); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, "/db", store.Config{}, testOpts(t, fs.crash(nil)))
	defer s2.Close()
	for _, q := range []uint64{1, seq2} {
		if _, err := s2.Load(q); err != nil {
			t.Fatalf("after crash, Load(%d): %v", q, err)
		}
	}
	if _, err := s2.Load(seq); err == nil {
		t.Fatalf("failed append %d present after crash", seq)
	}
}

// TestSyncFailurePermanent: after a failed fsync the store refuses appends
// (ErrSyncFailed) until reopened; acknowledged data survives.
func TestSyncFailurePermanent(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, testOpts(t, fs))
	rec := &syncRecorder{}
	s.Append("a", nil, []byte("ok"), 1, 0, rec)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	fs.setFault(func(op, _ string) error {
		if op == "sync" {
			return errIO
		}
		return nil
	})
	s.Append("a", nil, []byte("lost"), 2, 0, rec)
	if err := s.Sync(); !errors.Is(err, store.ErrSyncFailed) || !errors.Is(err, errIO) {
		t.Fatalf("Sync = %v, want ErrSyncFailed wrapping EIO", err)
	}
	fs.setFault(nil) // even when the device recovers, no retry
	if _, err := s.Append("a", nil, nil, 3, 0, nil); !errors.Is(err, store.ErrSyncFailed) {
		t.Fatalf("Append after failed sync = %v", err)
	}
	if err := s.Sync(); !errors.Is(err, store.ErrSyncFailed) {
		t.Fatalf("Sync after failed sync = %v", err)
	}
	if _, err := s.Delete(1, false, store.ReasonDelete); !errors.Is(err, store.ErrSyncFailed) {
		t.Fatalf("Delete after failed sync = %v", err)
	}
	for seq := uint64(1); seq <= 2; seq++ { // loads keep working
		if _, err := s.Load(seq); err != nil {
			t.Fatalf("Load(%d) after failed sync: %v", seq, err)
		}
	}
	if st := s.State(); st.Lost != nil {
		t.Fatalf("lost %v", st.Lost.Msgs)
	}
	if len(rec.errs) != 1 || !errors.Is(rec.errs[0], store.ErrSyncFailed) {
		t.Fatalf("waiter errors %v", rec.errs)
	}
	if err := s.Close(); !errors.Is(err, store.ErrSyncFailed) {
		t.Fatalf("Close = %v", err)
	}
	s2 := mustOpen(t, "/db", store.Config{}, testOpts(t, fs.crash(nil)))
	defer s2.Close()
	if m, err := s2.Load(1); err != nil || string(m.Data) != "ok" {
		t.Fatalf("acknowledged message after reopen: %v %v", m, err)
	}
	if _, err := s2.Append("a", nil, nil, 4, 0, nil); err != nil {
		t.Fatalf("append after reopen: %v", err)
	}
}
