package filestore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// TestConcurrentOps runs every kind of operation from several goroutines
// against the real flusher (which also compacts), with small segments, then
// checks that the store is consistent and that a reopen serves the same.
func TestConcurrentOps(t *testing.T) {
	fs := newMemFS()
	opts := testOpts(t, fs)
	opts.SegmentSize, opts.CompactMin = 1024, 256
	cfg := store.Config{MaxMsgsPerSubject: 50, Compress: true}
	s := mustOpen(t, "/db", cfg, opts)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 1500 {
				subj := fmt.Sprintf("s.%d", rng.IntN(8))
				last := s.State().LastSeq
				switch r := rng.IntN(100); {
				case r < 50:
					data := bytes.Repeat([]byte{byte(i)}, rng.IntN(200))
					if _, err := s.Append(subj, nil, data, int64(i), int64(rng.IntN(2))*1000, nil); err != nil {
						t.Error(err)
						return
					}
				case r < 70:
					if last > 0 {
						s.Delete(1+rng.Uint64N(last), rng.IntN(10) == 0, store.ReasonDelete)
					}
				case r < 80:
					s.LoadNext("s.*", rng.Uint64N(last+1))
					s.LoadLast(subj)
					s.FilteredState(subj, rng.Uint64N(last+1))
				case r < 85:
					s.Expire(int64(i))
				case r < 90:
					s.Purge(store.PurgeOpts{Subject: subj, Keep: 3})
				case r < 93:
					if last > 300 {
						s.Compact(last - 300 + rng.Uint64N(5))
					}
				case r < 95:
					if last > 5 {
						s.Truncate(last - rng.Uint64N(5))
					}
				default:
					if err := s.Sync(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	snap := func(s *Store) (store.State, map[uint64]string) {
		st := s.State()
		got := map[uint64]string{}
		for seq := st.FirstSeq; seq <= st.LastSeq && st.Msgs > 0; seq++ {
			if m, err := s.Load(seq); err == nil {
				got[seq] = m.Subject + "|" + string(m.Data)
			}
		}
		if uint64(len(got)) != st.Msgs {
			t.Fatalf("state says %d msgs, %d loadable", st.Msgs, len(got))
		}
		return st, got
	}
	st1, m1 := snap(s)
	s.Close()
	s = mustOpen(t, "/db", cfg, opts)
	defer s.Close()
	st2, m2 := snap(s)
	st1.FirstTime, st2.FirstTime = 0, 0
	if st1.Msgs != st2.Msgs || st1.FirstSeq != st2.FirstSeq || st1.LastSeq != st2.LastSeq || st1.Bytes != st2.Bytes || st2.Lost != nil {
		t.Fatalf("state before %+v, after reopen %+v", st1, st2)
	}
	for seq, v := range m1 {
		if m2[seq] != v {
			t.Fatalf("seq %d differs after reopen", seq)
		}
	}
	t.Logf("final state %+v", st2)
}
