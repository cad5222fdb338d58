package filestore

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func quietOpts(fs FS) Options {
	return Options{FS: fs, Logger: slog.New(slog.DiscardHandler), manualFlush: true}
}

// TestTornTailEveryByte tears the unsynced tail of a segment at every byte:
// recovery must keep every synced message, drop the torn record, and accept
// new appends.
func TestTornTailEveryByte(t *testing.T) {
	for _, tc := range []struct {
		name     string
		roll     bool // the unsynced write creates a new segment
		prealloc bool // it goes over preallocated zeros
	}{{"append", false, false}, {"new_segment", true, false}, {"preallocated", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newMemFS()
			opts := quietOpts(fs)
			opts.SegmentSize = 1 << 20
			if tc.roll {
				opts.SegmentSize = 200
			}
			cfg := store.Config{SyncInterval: time.Hour} // write without syncing
			if tc.prealloc {
				cfg.SyncInterval = 0 // the first flush preallocates
			}
			s := mustOpen(t, "/db", cfg, opts)
			for i := range 3 {
				s.Append("s", nil, []byte{byte(i)}, 1, 0, nil)
			}
			if err := s.flush(true); err != nil {
				t.Fatal(err)
			}
			if tc.prealloc {
				if fs.size("/db/msgs/"+segName(1)) != opts.SegmentSize {
					t.Fatal("segment not preallocated")
				}
				s.mu.Lock()
				s.mu.cfg.SyncInterval = time.Hour // now write without syncing
				s.mu.Unlock()
			}
			s.Append("s", []byte("NATS/1.0\r\n\r\n"), bytes.Repeat([]byte("t"), 150), 2, 0, nil)
			s.Delete(2, false, store.ReasonDelete)
			if err := s.flush(false); err != nil { // written, not synced
				t.Fatal(err)
			}
			unsynced := 0
			fs.crash(func(_ string, n int) int { unsynced += n; return 0 })
			if unsynced == 0 {
				t.Fatal("nothing unsynced")
			}
			for k := 0; k <= unsynced; k++ {
				left := k
				c := fs.crash(func(_ string, n int) int { m := min(n, left); left -= m; return m })
				s2, err := Open("/db", store.Config{}, quietOpts(c))
				if err != nil {
					t.Fatalf("tear at %d: %v", k, err)
				}
				st := s2.State()
				for seq := uint64(1); seq <= 3; seq++ {
					m, err := s2.Load(seq)
					if seq == 2 && err == nil {
						continue // its tombstone may have been torn
					}
					if seq != 2 && (err != nil || m.Data[0] != byte(seq-1)) {
						t.Fatalf("tear at %d: synced message %d: %v", k, seq, err)
					}
				}
				if m, err := s2.Load(4); err == nil && len(m.Data) != 150 {
					t.Fatalf("tear at %d: torn message served", k)
				}
				if st.Lost != nil {
					t.Fatalf("tear at %d: reported lost %v", k, st.Lost.Msgs)
				}
				if _, err := s2.Append("s", nil, nil, 3, 0, nil); err != nil {
					t.Fatal(err)
				}
				if err := s2.flush(false); err != nil {
					t.Fatalf("tear at %d: flush after recovery: %v", k, err)
				}
				s2.Close()
			}
		})
	}
}

// TestBitFlipEveryBit flips every bit of a small segment file in turn: a live
// message whose record is hit is reported lost and never served; everything
// else is served intact.
func TestBitFlipEveryBit(t *testing.T) {
	fs := newMemFS()
	s := mustOpen(t, "/db", store.Config{}, quietOpts(fs))
	want := map[uint64][]byte{}
	for i := uint64(1); i <= 5; i++ {
		data := []byte(fmt.Sprintf("message %d", i))
		s.Append(fmt.Sprintf("subj.%d", i), nil, data, int64(i), int64(i%2), nil)
		want[i] = data
	}
	s.Delete(3, false, store.ReasonDelete)
	delete(want, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	name := "/db/msgs/" + segName(1)
	size := fs.size(name)
	cases := 0
	for bit := int64(0); bit < size*8; bit++ {
		c := fs.crash(nil)
		hit := recordAt(c, name, bit/8)
		c.flipBit(name, bit)
		s2, err := Open("/db", store.Config{}, quietOpts(c))
		if err != nil {
			t.Fatalf("bit %d: open: %v", bit, err)
		}
		st := s2.State()
		lost := map[uint64]bool{}
		if st.Lost != nil {
			for _, q := range st.Lost.Msgs {
				lost[q] = true
			}
		}
		if hit.kind == 0 && st.Lost != nil {
			t.Fatalf("bit %d in the segment header lost %v", bit, st.Lost.Msgs)
		}
		if hit.kind == kindMsg && want[hit.seq] != nil && !lost[hit.seq] {
			t.Fatalf("bit %d in message %d not detected", bit, hit.seq)
		}
		for seq := uint64(1); seq <= st.LastSeq; seq++ {
			m, err := s2.Load(seq)
			switch {
			case errors.Is(err, store.ErrNotFound):
				if want[seq] != nil && !lost[seq] {
					t.Fatalf("bit %d: message %d missing, not reported lost", bit, seq)
				}
			case err != nil:
				t.Fatalf("bit %d: Load(%d): %v", bit, seq, err)
			case seq == 3 && hit.kind == kindDelete:
				// the tombstone was unreadable: the deleted message is back, intact
				if string(m.Data) != "message 3" {
					t.Fatalf("bit %d: resurrected message 3 corrupt", bit)
				}
			case !bytes.Equal(m.Data, want[seq]):
				t.Fatalf("bit %d: message %d served wrong content %q", bit, seq, m.Data)
			}
		}
		s2.Close()
		cases++
	}
	t.Logf("%d bit flips checked", cases)
}

// TestPreallocation checks the zeros written ahead of the active segment:
// present while it is active, cut off when it is sealed and on a clean close,
// and read as the end of the data after a power failure.
func TestPreallocation(t *testing.T) {
	fs := newMemFS()
	opts := quietOpts(fs)
	opts.SegmentSize = 1024
	s := mustOpen(t, "/db", store.Config{}, opts)
	seg := func(id uint64) string { return "/db/msgs/" + segName(id) }
	written := func(id uint64) int64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, sg := range s.mu.segs {
			if sg.id == id {
				return sg.written
			}
		}
		return -1
	}
	if _, err := s.Append("p", nil, []byte("first"), 1, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.flush(false); err != nil {
		t.Fatal(err)
	}
	if got := fs.size(seg(1)); got != 1024 {
		t.Fatalf("active segment is %d bytes, want 1024 (preallocated); data %d", got, written(1))
	}
	// Power loss now: the zeros are the end; nothing is lost or torn.
	s2 := mustOpen(t, "/db", store.Config{}, quietOpts(fs.crash(nil)))
	if m, err := s2.Load(1); err != nil || string(m.Data) != "first" {
		t.Fatalf("after power loss: %v", err)
	}
	if st := s2.State(); st.Lost != nil || st.Msgs != 1 {
		t.Fatalf("after power loss: state %+v", st)
	}
	s2.Close()
	// Fill the segment: the sealed one is cut back to its data.
	for i := 0; fs.size(seg(2)) < 0; i++ {
		if _, err := s.Append("p", nil, bytes.Repeat([]byte("x"), 100), 1, 0, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.flush(false); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flush(false); err != nil { // the trim queued by the roll, if any
		t.Fatal(err)
	}
	if got, want := fs.size(seg(1)), written(1); got != want {
		t.Fatalf("sealed segment is %d bytes, data %d", got, want)
	}
	if got := fs.size(seg(2)); got != 1024 {
		t.Fatalf("new active segment is %d bytes, want 1024", got)
	}
	w2 := written(2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fs.size(seg(2)); got != w2 {
		t.Fatalf("after close the last segment is %d bytes, data %d", got, w2)
	}
}
