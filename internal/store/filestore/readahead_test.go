package filestore

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// TestReadAheadFollowsChanges reads a store in order (LoadNext, served from
// the read-ahead block) while it changes underneath: erased deletes,
// appends that are flushed between reads, compaction that replaces a
// segment's file, and records larger than the block. Every load must return
// the message stored under its sequence.
func TestReadAheadFollowsChanges(t *testing.T) {
	s, err := Open(t.TempDir(), store.Config{}, Options{Logger: slog.New(slog.DiscardHandler), SegmentSize: 256 << 10, manualFlush: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	payload := func(seq uint64) []byte {
		n := 100
		if seq%97 == 0 {
			n = 3 * readAheadSize // larger than a block
		}
		b := make([]byte, n)
		copy(b, fmt.Sprintf("msg-%d", seq))
		return b
	}
	var last uint64
	add := func(k int) {
		for range k {
			seq, err := s.Append("ra.x", nil, payload(last+1), 1, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			last = seq
		}
		if err := s.flush(false); err != nil {
			t.Fatal(err)
		}
	}
	deleted := map[uint64]bool{}
	readAll := func(round int) {
		t.Helper()
		n := 0
		for seq := uint64(1); ; {
			m, err := s.LoadNext("", seq)
			if err != nil {
				break
			}
			if deleted[m.Seq] {
				t.Fatalf("round %d: deleted seq %d served", round, m.Seq)
			}
			if want := payload(m.Seq); string(m.Data) != string(want) {
				t.Fatalf("round %d: seq %d has %.20q, want %.20q", round, m.Seq, m.Data, want)
			}
			seq, n = m.Seq+1, n+1
			if n%50 == 0 && round%2 == 1 {
				add(3) // appends flushed while a block is cached
			}
		}
		if want := int(last) - len(deleted); n != want {
			t.Fatalf("round %d: read %d messages, want %d", round, n, want)
		}
	}
	add(2000)
	readAll(0)
	for round := 1; round <= 6; round++ {
		// Delete (and erase) most messages, so compaction rewrites segments
		// with new offsets under the same ids and generations bumped.
		for seq := uint64(1); seq <= last; seq++ {
			if !deleted[seq] && seq%7 != 0 && (round == 1 || seq%uint64(round+2) == 0) {
				if _, err := s.Delete(seq, seq%2 == 0, store.ReasonDelete); err != nil {
					t.Fatal(err)
				}
				deleted[seq] = true
			}
		}
		if err := s.flush(false); err != nil {
			t.Fatal(err)
		}
		compacted := 0
		for range 20 {
			gens := genSum(s)
			s.maybeCompact()
			if genSum(s) != gens {
				compacted++
			}
		}
		if round == 1 && compacted == 0 {
			t.Fatal("no segment was compacted: the test does not cover new file generations")
		}
		readAll(round)
	}
}

func genSum(s *Store) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n uint64
	for _, sg := range s.mu.segs {
		n += uint64(sg.gen)
	}
	return n
}

// BenchmarkLoadNextSequential reads a stream in order, as a consumer does.
func BenchmarkLoadNextSequential(b *testing.B) {
	const n = 200_000
	s := filledStore(b, n)
	b.ReportAllocs()
	seq := uint64(1)
	for b.Loop() {
		m, err := s.LoadNext("", seq)
		if err != nil {
			seq = 1
			continue
		}
		seq = m.Seq + 1
	}
}

// TestReadAheadAfterCompaction caches a block of a segment, compacts that
// segment (its records move to new offsets in a new file), and reads on:
// the cached block must not be used for the new file.
func TestReadAheadAfterCompaction(t *testing.T) {
	s, err := Open(t.TempDir(), store.Config{}, Options{Logger: slog.New(slog.DiscardHandler), SegmentSize: 64 << 10, manualFlush: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= 2000; i++ {
		if _, err := s.Append("ra.x", nil, fmt.Appendf(nil, "msg-%d", i), 1, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flush(false); err != nil {
		t.Fatal(err)
	}
	if m, err := s.LoadNext("", 1); err != nil || m.Seq != 1 {
		t.Fatalf("LoadNext(1) = %v, %v", m, err)
	}
	for seq := uint64(1); seq <= 2000; seq++ {
		if seq%10 != 0 {
			if _, err := s.Delete(seq, false, store.ReasonDelete); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.flush(false); err != nil {
		t.Fatal(err)
	}
	gens := genSum(s)
	for range 40 {
		s.maybeCompact()
	}
	if genSum(s) == gens {
		t.Fatal("nothing compacted")
	}
	for seq := uint64(10); seq <= 2000; seq += 10 {
		m, err := s.LoadNext("", seq-9)
		if err != nil || m.Seq != seq || string(m.Data) != fmt.Sprintf("msg-%d", seq) {
			t.Fatalf("LoadNext(%d) = %v, %v; want seq %d", seq-9, m, err, seq)
		}
	}
}

// BenchmarkFilteredStateFromMiddle counts the messages after a consumer's
// position, as num_pending does for every pull request.
func BenchmarkFilteredStateFromMiddle(b *testing.B) {
	const n = 200_000
	s := filledStore(b, n)
	b.ReportAllocs()
	for b.Loop() {
		if fs := s.FilteredState("", n/2); fs.Msgs != n/2+1 {
			b.Fatalf("msgs %d", fs.Msgs)
		}
	}
}
