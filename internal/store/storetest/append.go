package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testAppend(t *testing.T, open Opener) {
	t.Run("Pristine", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		if st := h.s.State(); st != (store.State{}) {
			t.Fatalf("new store state = %+v, want zero", st)
		}
	})
	t.Run("ConfiguredFirstSeq", func(t *testing.T) {
		h := newHarness(t, open, store.Config{FirstSeq: 10})
		st := h.s.State()
		if st.FirstSeq != 10 || st.LastSeq != 9 || st.Msgs != 0 {
			t.Fatalf("state = %+v, want first 10 last 9", st)
		}
		h.add("a", "x") // harness checks seq 10
		h.add("a", "y")
		h.wantLive(10, 11)
	})
	t.Run("SequencesTimesBytes", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		var bytes uint64
		for i, subj := range []string{"a", "b.c", "a", "d.e.f"} {
			seq := h.add(subj, "payload")
			if seq != uint64(i+1) {
				t.Fatalf("seq %d, want %d", seq, i+1)
			}
			bytes += store.MsgSize(len(subj), 0, len("payload"))
		}
		st := h.s.State()
		want := store.State{Msgs: 4, Bytes: bytes, FirstSeq: 1, FirstTime: t0 + int64(time.Millisecond),
			LastSeq: 4, LastTime: h.now, NumSubjects: 3}
		if st != want {
			t.Fatalf("state = %+v\nwant    %+v", st, want)
		}
		noErr(t, "Sync", h.s.Sync())
		h.checkConsistent()
	})
	t.Run("RoundTrip", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		hdr := []byte("NATS/1.0\r\nX-A: 1\r\n\r\n")
		data := []byte("hello")
		for _, c := range []struct {
			name      string
			hdr, data []byte
			ttl       int64
		}{
			{"plain", nil, data, 0},
			{"header", hdr, data, 0},
			{"header only", hdr, nil, 0},
			{"empty", nil, nil, 0},
			{"ttl", nil, data, int64(time.Minute)},
			{"ttl never", hdr, data, -1},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := bytes.Clone(c.data)
				seq, err := h.s.Append("rt."+c.name[:1], c.hdr, in, h.tick(time.Second), c.ttl, nil)
				noErr(t, "Append", err)
				h.appended++
				h.seqs[seq] = "rt." + c.name[:1]
				if len(in) > 0 {
					in[0] ^= 0xff // the store must have copied it
				}
				want := &store.Msg{Seq: seq, Subject: "rt." + c.name[:1], Header: c.hdr, Data: c.data, Time: h.now, TTL: c.ttl}
				got, err := h.s.Load(seq)
				noErr(t, "Load", err)
				if d := sameMsg(got, want); d != "" {
					t.Fatalf("Load: %s", d)
				}
				if len(got.Header) > 0 {
					_ = append(got.Header, 'X')
					got.Header[0] = 'Z'
					if !bytes.Equal(got.Data, c.data) {
						t.Fatalf("appending to a loaded Header changed its Data to %q", got.Data)
					}
				}
				if len(got.Data) > 0 {
					got.Data[0] = 'Z' // loaded messages are the caller's
				}
				again, _ := h.s.Load(seq)
				if d := sameMsg(again, want); d != "" {
					t.Fatalf("Load after modifying a loaded copy: %s", d)
				}
			})
		}
	})
}
