package storetest

import (
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// at returns the suite time origin plus d.
func at(d time.Duration) int64 { return t0 + int64(d) }

// appendAt appends a message at time now with the given TTL.
func (h *harness) appendAt(subj string, now int64, ttl time.Duration) uint64 {
	h.t.Helper()
	seq, err := h.s.Append(subj, nil, []byte("e"), now, int64(ttl), nil)
	noErr(h.t, "Append", err)
	h.appended++
	h.seqs[seq] = subj
	h.now = max(h.now, now)
	return seq
}

// expireStep calls Expire(now) and states what goes and what is due next.
type expireStep struct {
	now     time.Duration
	removed []string
	next    time.Duration // 0: nothing due
}

func runExpire(t *testing.T, h *harness, steps []expireStep) {
	t.Helper()
	for _, st := range steps {
		n := len(h.removals())
		next, err := h.s.Expire(at(st.now))
		noErr(t, "Expire", err)
		h.wantRemovals(n, st.removed...)
		want := int64(0)
		if st.next != 0 {
			want = at(st.next)
		}
		if next != want {
			t.Fatalf("Expire(t0+%v) next = t0+%v, want t0+%v", st.now, time.Duration(next-t0), st.next)
		}
		h.checkConsistent()
	}
}

func testExpire(t *testing.T, open Opener) {
	const s = time.Second
	t.Run("MaxAge", func(t *testing.T) {
		h := newHarness(t, open, store.Config{MaxAge: 10 * s})
		h.appendAt("a", at(1*s), 0)
		h.appendAt("b", at(2*s), 0)
		h.appendAt("a", at(5*s), 0)
		runExpire(t, h, []expireStep{
			{10 * s, nil, 11 * s},
			{11 * s, rm(store.ReasonMaxAge, 1), 12 * s}, // age == MaxAge expires
			{14 * s, rm(store.ReasonMaxAge, 2), 15 * s},
			{100 * s, rm(store.ReasonMaxAge, 3), 0},
		})
		if st := h.s.State(); st.FirstSeq != 4 || st.LastSeq != 3 {
			t.Fatalf("state %+v", st)
		}
	})
	t.Run("TTL", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		h.appendAt("a", at(1*s), 5*s)
		h.appendAt("a", at(2*s), 1*s)
		h.appendAt("b", at(3*s), 0)
		h.appendAt("b", at(4*s), -1)
		runExpire(t, h, []expireStep{
			{2 * s, nil, 3 * s},
			{3 * s, rm(store.ReasonTTL, 2), 6 * s},
			{6 * s, rm(store.ReasonTTL, 1), 0},
			{1000 * s, nil, 0},
		})
		h.wantLive(3, 4)
	})
	t.Run("TTLWithMaxAge", func(t *testing.T) {
		h := newHarness(t, open, store.Config{MaxAge: 10 * s})
		h.appendAt("a", at(1*s), -1)   // never expires, not even by max age
		h.appendAt("a", at(2*s), 3*s)  // TTL first
		h.appendAt("a", at(3*s), 60*s) // a longer TTL does not extend max age
		h.appendAt("a", at(4*s), 0)    // max age
		runExpire(t, h, []expireStep{
			{4 * s, nil, 5 * s},
			{5 * s, rm(store.ReasonTTL, 2), 13 * s},
			{13 * s, rm(store.ReasonMaxAge, 3), 14 * s},
			{1000 * s, rm(store.ReasonMaxAge, 4), 0},
		})
		h.wantLive(1)
		h.appendAt("a", at(1001*s), 0)
		runExpire(t, h, []expireStep{{1001 * s, nil, 1011 * s}})
	})
	t.Run("BothDue", func(t *testing.T) {
		h := newHarness(t, open, store.Config{MaxAge: 10 * s})
		h.appendAt("a", at(1*s), 20*s)
		h.appendAt("a", at(2*s), 5*s)
		// Both were due by both rules: TTL is checked first.
		runExpire(t, h, []expireStep{{100 * s, rm(store.ReasonTTL, 1, 2), 0}})
	})
	t.Run("Nothing", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		runExpire(t, h, []expireStep{{0, nil, 0}})
		h.appendAt("a", at(s), 0)
		runExpire(t, h, []expireStep{{1000 * s, nil, 0}})
	})
	t.Run("MaxAgeByUpdate", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		for i := range 3 {
			h.appendAt("a", at(time.Duration(i+1)*s), 0)
		}
		h.update(func(c *store.Config) { c.MaxAge = 2 * s })
		runExpire(t, h, []expireStep{{4 * s, rm(store.ReasonMaxAge, 1, 2), 5 * s}})
	})
	t.Run("ManyDeletedBeforeDue", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		var keep []uint64
		for i := range 300 {
			seq := h.appendAt("a", at(time.Duration(i)*time.Millisecond), time.Hour)
			if i%10 == 9 {
				keep = append(keep, seq)
				continue
			}
			_, err := h.s.Delete(seq, false, store.ReasonDelete)
			noErr(t, "Delete", err)
		}
		for i := range 100 {
			keep = append(keep, h.appendAt("b", at(time.Second+time.Duration(i)*time.Millisecond), time.Hour))
		}
		// The first live message is seq 10, appended at 9ms.
		runExpire(t, h, []expireStep{{time.Second, nil, time.Hour + 9*time.Millisecond}})
		runExpire(t, h, []expireStep{{2 * time.Hour, rm(store.ReasonTTL, keep...), 0}})
	})
	t.Run("DeletedBeforeDue", func(t *testing.T) {
		h := newHarness(t, open, store.Config{MaxAge: 10 * s})
		h.appendAt("a", at(1*s), 2*s)
		h.appendAt("a", at(2*s), 0)
		h.appendAt("a", at(3*s), 4*s)
		_, err := h.s.Delete(1, false, store.ReasonDelete)
		noErr(t, "Delete", err)
		_, err = h.s.Delete(2, false, store.ReasonDelete)
		noErr(t, "Delete", err)
		runExpire(t, h, []expireStep{
			{4 * s, nil, 7 * s},
			{7 * s, rm(store.ReasonTTL, 3), 0},
		})
	})
}
