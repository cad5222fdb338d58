package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// step appends one message and states the removals it causes.
type step struct {
	subj    string
	data    int // payload length
	removed []string
}

func runSteps(t *testing.T, h *harness, steps []step) {
	t.Helper()
	for i, st := range steps {
		n := len(h.removals())
		seq := h.addMsg(st.subj, nil, make([]byte, st.data), 0)
		if seq != uint64(i+1) {
			t.Fatalf("step %d got seq %d", i, seq)
		}
		h.wantRemovals(n, st.removed...)
		h.checkConsistent()
	}
}

func testLimits(t *testing.T, open Opener) {
	size := int64(store.MsgSize(1, 0, 10)) // subject "x", 10 bytes of data
	for _, c := range []struct {
		name  string
		cfg   store.Config
		steps []step
		live  []uint64
	}{
		{"MaxMsgs", store.Config{MaxMsgs: 3}, []step{
			{"x", 10, nil}, {"x", 10, nil}, {"x", 10, nil},
			{"x", 10, rm(store.ReasonMaxMsgs, 1)},
			{"y", 10, rm(store.ReasonMaxMsgs, 2)},
		}, []uint64{3, 4, 5}},
		{"MaxBytes", store.Config{MaxBytes: 3 * size}, []step{
			{"x", 10, nil}, {"x", 10, nil}, {"x", 10, nil},
			{"x", 10, rm(store.ReasonMaxBytes, 1)},
			{"x", 10, rm(store.ReasonMaxBytes, 2)},
		}, []uint64{3, 4, 5}},
		{"MaxBytesNotAMultiple", store.Config{MaxBytes: 3*size + 5}, []step{
			{"x", 10, nil}, {"x", 10, nil}, {"x", 10, nil},
			{"x", 10, rm(store.ReasonMaxBytes, 1)},
		}, []uint64{2, 3, 4}},
		{"MaxBytesBigMessage", store.Config{MaxBytes: 3 * size}, []step{
			{"x", 10, nil}, {"x", 10, nil}, {"x", 10, nil},
			{"x", 60, rm(store.ReasonMaxBytes, 1, 2, 3)},
		}, []uint64{4}},
		{"MaxBytesSmallerThanOneMessage", store.Config{MaxBytes: size - 1}, []step{
			{"x", 10, rm(store.ReasonMaxBytes, 1)},
			{"x", 10, rm(store.ReasonMaxBytes, 2)},
		}, nil},
		{"MaxMsgsPerSubject", store.Config{MaxMsgsPerSubject: 2}, []step{
			{"a", 1, nil}, {"a", 1, nil}, {"b", 1, nil},
			{"a", 1, rm(store.ReasonMaxPerSubject, 1)},
			{"b", 1, nil},
			{"b", 1, rm(store.ReasonMaxPerSubject, 3)},
		}, []uint64{2, 4, 5, 6}},
		{"PerSubjectBeforeMaxMsgs", store.Config{MaxMsgsPerSubject: 1, MaxMsgs: 2}, []step{
			{"a", 1, nil}, {"b", 1, nil},
			{"a", 1, rm(store.ReasonMaxPerSubject, 1)},
			{"c", 1, rm(store.ReasonMaxMsgs, 2)},
		}, []uint64{3, 4}},
		{"MaxMsgsBeforeMaxBytes", store.Config{MaxMsgs: 2, MaxBytes: 2 * size}, []step{
			{"x", 10, nil}, {"x", 10, nil},
			{"x", 10, rm(store.ReasonMaxMsgs, 1)},
			// max_msgs drops 2; then 3 and 4 (size + size+10) exceed max_bytes.
			{"x", 20, append(rm(store.ReasonMaxMsgs, 2), rm(store.ReasonMaxBytes, 3)...)},
		}, []uint64{4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, open, c.cfg)
			runSteps(t, h, c.steps)
			h.wantLive(c.live...)
		})
	}
	t.Run("KeyValue", func(t *testing.T) {
		h := newHarness(t, open, store.Config{MaxMsgsPerSubject: 1})
		last := map[string]uint64{}
		for round := range 20 {
			for k := range 50 {
				key := fmt.Sprintf("kv.%d", k)
				if k%7 == round%7 {
					last[key] = h.add(key, fmt.Sprint(round))
				}
			}
		}
		ss := h.s.SubjectsState("kv.>")
		if len(ss) != len(last) {
			t.Fatalf("%d subjects, want %d", len(ss), len(last))
		}
		for key, seq := range last {
			if ss[key] != (store.SubjectState{Msgs: 1, First: seq, Last: seq}) {
				t.Fatalf("%s: %+v, want only %d", key, ss[key], seq)
			}
			m, err := h.s.LoadLast(key)
			if err != nil || m.Seq != seq {
				t.Fatalf("LoadLast(%s) = %v, %v", key, m, err)
			}
		}
		h.checkConsistent()
	})
}

func testUpdateConfig(t *testing.T, open Opener) {
	for _, c := range []struct {
		name    string
		set     func(*store.Config)
		removed []string
	}{
		{"MaxMsgs", func(c *store.Config) { c.MaxMsgs = 4 }, rm(store.ReasonMaxMsgs, 1, 2, 3, 4, 5, 6)},
		{"MaxBytes", func(c *store.Config) { c.MaxBytes = int64(2 * store.MsgSize(3, 0, 1)) }, rm(store.ReasonMaxBytes, 1, 2, 3, 4, 5, 6, 7, 8)},
		{"MaxMsgsPerSubject", func(c *store.Config) { c.MaxMsgsPerSubject = 2 },
			rm(store.ReasonMaxPerSubject, 1, 2, 3, 4, 5, 6)},
		{"MaxAgeWaitsForExpire", func(c *store.Config) { c.MaxAge = time.Nanosecond }, nil},
		{"Raise", func(c *store.Config) { c.MaxMsgs, c.MaxBytes, c.MaxMsgsPerSubject = 1000, 1<<30, 100 }, nil},
		{"FirstSeqIgnored", func(c *store.Config) { c.FirstSeq = 500 }, nil},
		{"NilOnRemoveKeepsTheCallback", func(c *store.Config) { c.OnRemove, c.MaxMsgs = nil, 9 }, rm(store.ReasonMaxMsgs, 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, open, store.Config{})
			// a.a ×5 then b.b ×3 then a.a ×2: a.a = 1-5, 9, 10; b.b = 6-8
			for _, subj := range []string{"a.a", "a.a", "a.a", "a.a", "a.a", "b.b", "b.b", "b.b", "a.a", "a.a"} {
				h.addMsg(subj, nil, []byte{1}, 0)
			}
			n := len(h.removals())
			h.update(c.set)
			h.wantRemovals(n, c.removed...)
			h.checkConsistent()
			if seq := h.add("a.a", "next"); seq != 11 {
				t.Fatalf("append after UpdateConfig = %d, want 11", seq)
			}
		})
	}
}
