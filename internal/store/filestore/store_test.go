package filestore

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testOpts(t testing.TB, fs FS) Options {
	return Options{FS: fs, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), SegmentSize: 4096}
}

func mustOpen(t testing.TB, dir string, cfg store.Config, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ackRecorder is a Waiter that records outcomes.
type ackRecorder struct {
	acked  []uint64
	failed map[uint64]error
}

func (a *ackRecorder) Done(seq uint64, err error) {
	if err != nil {
		if a.failed == nil {
			a.failed = map[uint64]error{}
		}
		a.failed[seq] = err
		return
	}
	a.acked = append(a.acked, seq)
}

func payload(seq uint64) []byte {
	return []byte(fmt.Sprintf("payload-%d-%s", seq, bytes.Repeat([]byte("x"), int(seq%50))))
}

func TestAppendLoadReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   func() FS
		dir  func(t *testing.T) string
	}{
		{"mem", func() FS { return newMemFS() }, func(*testing.T) string { return "/s" }},
		{"os", func() FS { return OSFS{} }, func(t *testing.T) string { return t.TempDir() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, dir := tc.fs(), tc.dir(t)
			s := mustOpen(t, dir, store.Config{Name: "t"}, testOpts(t, fs))
			const n = 500
			for i := uint64(1); i <= n; i++ {
				seq, err := s.Append(fmt.Sprintf("foo.%d", i%7), nil, payload(i), int64(i), 0, nil)
				if err != nil || seq != i {
					t.Fatalf("Append = %d, %v", seq, err)
				}
			}
			check := func(s *Store) {
				t.Helper()
				for i := uint64(1); i <= n; i++ {
					m, err := s.Load(i)
					if err != nil {
						t.Fatalf("Load(%d): %v", i, err)
					}
					if m.Seq != i || m.Subject != fmt.Sprintf("foo.%d", i%7) || !bytes.Equal(m.Data, payload(i)) || m.Time != int64(i) {
						t.Fatalf("Load(%d) = %+v", i, m)
					}
				}
				st := s.State()
				if st.Msgs != n || st.FirstSeq != 1 || st.LastSeq != n || st.NumSubjects != 7 || st.FirstTime != 1 || st.LastTime != n {
					t.Fatalf("state %+v", st)
				}
				m, err := s.LoadLast("foo.3")
				if err != nil || m.Seq != 500 {
					t.Fatalf("LoadLast = %v %v", m, err)
				}
				m, err = s.LoadNext("foo.*", 10)
				if err != nil || m.Seq != 10 {
					t.Fatalf("LoadNext = %v %v", m, err)
				}
				fs := s.FilteredState("foo.2", 100)
				if fs.First != 100 || fs.Msgs != 58 || fs.Last != 499 {
					t.Fatalf("FilteredState = %+v", fs)
				}
			}
			check(s)
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(1); !errors.Is(err, store.ErrClosed) {
				t.Fatalf("Load after close: %v", err)
			}
			s = mustOpen(t, dir, store.Config{Name: "t"}, testOpts(t, fs))
			defer s.Close()
			check(s)
		})
	}
}
