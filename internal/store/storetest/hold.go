package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// holder is a Config.Hold that keeps the sequences it is told to and logs
// every question (reason:seq:subject).
type holder struct {
	mu    sync.Mutex
	keep  map[uint64]bool
	asked []string
}

func newHolder(seqs ...uint64) *holder {
	h := &holder{keep: map[uint64]bool{}}
	for _, s := range seqs {
		h.keep[s] = true
	}
	return h
}

func (h *holder) hold(reason store.Reason, seq uint64, subj string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, fmt.Sprintf("%v:%d:%s", reason, seq, subj))
	return h.keep[seq]
}

func (h *holder) release(seqs ...uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range seqs {
		delete(h.keep, s)
	}
}

func (h *holder) wasAsked(q string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.asked, q)
}

// testHold checks Config.Hold: a held message survives every limit until
// the hold is lifted, and then the limit removes it with its own reason.
func testHold(t *testing.T, open Opener) {
	const s = time.Second
	t.Run("MaxMsgs", func(t *testing.T) {
		hd := newHolder(1)
		h := newHarness(t, open, store.Config{MaxMsgs: 3, Hold: hd.hold})
		h.addN("a", 5)
		// The oldest is held: the count limit stops there.
		h.wantLive(1, 2, 3, 4, 5)
		if !hd.wasAsked("max_msgs:1:a") {
			t.Fatalf("hold not asked: %v", hd.asked)
		}
		n := h.wantRemovals(0)
		hd.release(1)
		h.update(func(*store.Config) {})
		h.wantRemovals(n, rm(store.ReasonMaxMsgs, 1, 2)...)
		h.wantLive(3, 4, 5)
	})
	t.Run("MaxBytes", func(t *testing.T) {
		hd := newHolder(1)
		size := int64(store.MsgSize(1, 0, 1))
		h := newHarness(t, open, store.Config{MaxBytes: 2 * size, Hold: hd.hold})
		for range 3 {
			h.add("a", "x")
		}
		h.wantLive(1, 2, 3)
		hd.release(1)
		h.update(func(*store.Config) {})
		h.wantRemovals(0, rm(store.ReasonMaxBytes, 1)...)
		h.wantLive(2, 3)
	})
	t.Run("MaxMsgsPerSubject", func(t *testing.T) {
		hd := newHolder(1)
		h := newHarness(t, open, store.Config{MaxMsgsPerSubject: 1, Hold: hd.hold})
		h.add("a", "x")
		h.add("b", "x")
		h.add("a", "x")
		h.wantLive(1, 2, 3)
		if !hd.wasAsked("max_per_subject:1:a") {
			t.Fatalf("hold not asked: %v", hd.asked)
		}
		hd.release(1)
		h.update(func(*store.Config) {})
		h.wantRemovals(0, rm(store.ReasonMaxPerSubject, 1)...)
		h.wantLive(2, 3)
	})
	t.Run("MaxAge", func(t *testing.T) {
		hd := newHolder(2)
		h := newHarness(t, open, store.Config{MaxAge: 10 * s, Hold: hd.hold})
		h.appendAt("a", at(1*s), 0)
		h.appendAt("b", at(2*s), 0)
		h.appendAt("a", at(3*s), 0)
		h.appendAt("a", at(20*s), 0)
		// 2 is held: the others expire around it, and it does not make the
		// next deadline (which would be in the past).
		runExpire(t, h, []expireStep{
			{15 * s, rm(store.ReasonMaxAge, 1, 3), 30 * s},
			{16 * s, nil, 30 * s},
		})
		h.wantLive(2, 4)
		if !hd.wasAsked("max_age:2:b") {
			t.Fatalf("hold not asked: %v", hd.asked)
		}
		hd.release(2)
		runExpire(t, h, []expireStep{{17 * s, rm(store.ReasonMaxAge, 2), 30 * s}})
		h.wantLive(4)
	})
	t.Run("TTL", func(t *testing.T) {
		hd := newHolder(1)
		h := newHarness(t, open, store.Config{Hold: hd.hold})
		h.appendAt("a", at(1*s), 2*s)
		h.appendAt("a", at(1*s), 3*s)
		runExpire(t, h, []expireStep{
			{3 * s, nil, 4 * s},
			{5 * s, rm(store.ReasonTTL, 2), 0},
			{6 * s, nil, 0},
		})
		h.wantLive(1)
		hd.release(1)
		runExpire(t, h, []expireStep{{7 * s, rm(store.ReasonTTL, 1), 0}})
		h.wantLive()
	})
	t.Run("UpdateConfigKeepsHold", func(t *testing.T) {
		hd := newHolder(1)
		h := newHarness(t, open, store.Config{Hold: hd.hold})
		h.addN("a", 3)
		h.cfg.Hold = nil // a config rebuilt without the hook keeps it
		h.update(func(c *store.Config) { c.MaxMsgs = 1 })
		h.wantLive(1, 2, 3)
	})
}
