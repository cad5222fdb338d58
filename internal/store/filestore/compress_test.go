package filestore

import (
	"bytes"
	"errors"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// TestCompression: with Config.Compress, payloads are stored as s2 blocks
// (when that is smaller), served decompressed, accounted at their
// uncompressed size, and survive reopen, erase and compaction.
func TestCompression(t *testing.T) {
	fs := newMemFS()
	opts := quietOpts(fs)
	opts.SegmentSize = 8 << 10
	cfg := store.Config{Compress: true}
	s := mustOpen(t, "/db", cfg, opts)
	big := bytes.Repeat([]byte("compressible "), 80) // 1040 bytes
	small := []byte("tiny")
	const n = 40
	for i := range n {
		data := big
		if i%4 == 0 {
			data = small
		}
		if _, err := s.Append("c", nil, data, int64(i), 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	s.flush(true)
	var disk int64 // bytes of data in the segment files, preallocated zeros aside
	s.mu.Lock()
	for _, sg := range s.mu.segs {
		disk += sg.written
	}
	s.mu.Unlock()
	want := uint64(n/4)*store.MsgSize(1, 0, len(small)) + uint64(n-n/4)*store.MsgSize(1, 0, len(big))
	if st := s.State(); st.Bytes != want {
		t.Fatalf("Bytes = %d, want %d (uncompressed accounting)", st.Bytes, want)
	}
	if disk >= int64(want)/4 {
		t.Fatalf("%d bytes on disk for %d bytes of messages: not compressed", disk, want)
	}
	check := func(s *Store, deleted map[uint64]bool) {
		t.Helper()
		for seq := uint64(1); seq <= n; seq++ {
			m, err := s.Load(seq)
			if deleted[seq] {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("deleted %d: %v", seq, err)
				}
				continue
			}
			want := big
			if (seq-1)%4 == 0 {
				want = small
			}
			if err != nil || !bytes.Equal(m.Data, want) {
				t.Fatalf("Load(%d) = %v, %v", seq, m, err)
			}
		}
	}
	check(s, nil)
	// Erase one, delete most of the first segments so that they compact.
	deleted := map[uint64]bool{}
	if _, err := s.Delete(2, true, store.ReasonDelete); err != nil {
		t.Fatal(err)
	}
	deleted[2] = true
	for seq := uint64(3); seq <= 30; seq++ {
		if seq%3 != 0 {
			s.Delete(seq, false, store.ReasonDelete)
			deleted[seq] = true
		}
	}
	s.flush(false)
	for range 5 {
		s.maybeCompact()
	}
	check(s, deleted)
	s.Close()
	s = mustOpen(t, "/db", cfg, opts)
	defer s.Close()
	check(s, deleted)
	if st := s.State(); st.Lost != nil {
		t.Fatalf("lost %v", st.Lost.Msgs)
	}
}
