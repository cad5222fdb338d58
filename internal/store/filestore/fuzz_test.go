package filestore

import (
	"bytes"
	"errors"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// seedSegment returns the bytes of a small segment written by the store.
func seedSegment(tb testing.TB) []byte {
	fs := newMemFS()
	s := mustOpen(tb, "/db", store.Config{Compress: true}, quietOpts(fs))
	s.Append("a.b", nil, bytes.Repeat([]byte("hello "), 20), 1, 0, nil)
	s.Append("c", []byte("NATS/1.0\r\n\r\n"), []byte("world"), 2, 5, nil)
	s.Append("a.b", nil, nil, 3, -1, nil)
	s.Delete(2, false, store.ReasonDelete)
	s.Close()
	f, _ := fs.Open("/db/msgs/" + segName(1))
	size, _ := f.Size()
	b := make([]byte, size)
	f.ReadAt(b, 0)
	return b
}

// FuzzSegment feeds arbitrary bytes to recovery as a segment file: Open must
// not fail or panic, and whatever it serves must be a message that was
// written with a valid checksum, consistent with State.
func FuzzSegment(f *testing.F) {
	seed := seedSegment(f)
	f.Add(seed)
	f.Add(seed[:len(seed)-3])
	f.Add(seed[:segHeaderLen])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		fs := newMemFS()
		w, _ := fs.Create("/db/msgs/" + segName(1))
		w.WriteAt(b, 0)
		w.Sync()
		fs.SyncDir("/db/msgs")
		s, err := Open("/db", store.Config{}, quietOpts(fs))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		st := s.State()
		if st.LastSeq-st.FirstSeq > 1<<20 {
			return // an absurd base: do not walk it
		}
		var n uint64
		for seq := st.FirstSeq; seq <= st.LastSeq && st.Msgs > 0; seq++ {
			m, err := s.Load(seq)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				t.Fatalf("Load(%d): %v", seq, err)
			}
			if !inInput(b, m) {
				t.Fatalf("served message %d not present in the input", seq)
			}
			n++
		}
		if n != st.Msgs {
			t.Fatalf("served %d, state says %d", n, st.Msgs)
		}
		if _, err := s.Append("x", nil, []byte("y"), 0, 0, nil); err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
	})
}

// inInput reports whether a checksummed record at some offset of b decodes
// to m (a reference scan, independent of recovery's walk).
func inInput(b []byte, m *store.Msg) bool {
	for p := 0; p+recHeaderLen <= len(b); p++ {
		h, ok := decodeHeader(b[p:])
		if !ok || h.kind != kindMsg || h.seq != m.Seq || int(h.length) > len(b)-p {
			continue
		}
		rec := b[p : p+int(h.length)]
		n, ok := indexLen(&h, rec)
		if !ok {
			continue
		}
		got, ok := decodeMsg(rec, m.Seq, int(n), "")
		if ok && got.Subject == m.Subject && bytes.Equal(got.Header, m.Header) && bytes.Equal(got.Data, m.Data) &&
			got.Time == m.Time && got.TTL == m.TTL {
			return true
		}
	}
	return false
}

// FuzzRecord round-trips record encoding and checks that the header and
// record checksums reject every single-bit change.
func FuzzRecord(f *testing.F) {
	f.Add("subj", []byte("hdr"), []byte("data"), uint64(7), int64(1), int64(0), uint16(3))
	f.Fuzz(func(t *testing.T, subj string, hdr, data []byte, seq uint64, ts, ttl int64, bit uint16) {
		if len(subj) > 0xffff {
			return
		}
		rec := appendRecord(nil, kindMsg, seq, ts, ttl, subj, hdr, data)
		h, ok := decodeHeader(rec)
		if !ok || !recordOK(rec) || h.seq != seq || h.ts != ts || h.ttl != ttl || int(h.length) != len(rec) ||
			string(rec[recHeaderLen:recHeaderLen+int(h.subjLen)]) != subj || h.dataLen() != len(data) {
			t.Fatalf("round trip failed: %+v", h)
		}
		i := int(bit) % (len(rec) * 8)
		rec[i/8] ^= 1 << (i % 8)
		if h2, ok := decodeHeader(rec); ok && recordOK(rec[:min(len(rec), int(h2.length))]) && int(h2.length) == len(rec) {
			t.Fatalf("bit %d flipped undetected", i)
		}
	})
}
