package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Opener returns a new, empty store configured with cfg. The suite closes it.
type Opener func(t *testing.T, cfg store.Config) store.Store

// t0 is the suite's clock origin; all times are passed in explicitly.
const t0 = int64(1_700_000_000_000_000_000)

// removal is one OnRemove call.
type removal struct {
	reason  store.Reason
	seq     uint64
	subject string
}

// recorder collects OnRemove calls. OnRemove may run with the store's lock
// held, so it only records.
type recorder struct {
	mu  sync.Mutex
	all []removal
}

func (r *recorder) onRemove(reason store.Reason, seq uint64, subj string) {
	r.mu.Lock()
	r.all = append(r.all, removal{reason, seq, subj})
	r.mu.Unlock()
}

func (r *recorder) snapshot() []removal { return r.since(0) }

// since returns the removals from the n-th on.
func (r *recorder) since(n int) []removal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all[min(n, len(r.all)):])
}

// harness wraps one store under test with a clock and removal accounting.
type harness struct {
	t        *testing.T
	s        store.Store
	cfg      store.Config
	firstSeq uint64 // Config.FirstSeq at creation
	rec      *recorder
	now      int64
	appended uint64
	seqs     map[uint64]string // every appended sequence -> subject
	closed   bool
	// reused is set once Truncate let a sequence be assigned twice; removals
	// can then no longer be matched to subjects and loads by sequence.
	reused bool
	seen   int // removals already checked by the model test
	// reopenFn opens the same store again (RunDurable only).
	reopenFn func(store.Config) store.Store
}

func newHarness(t *testing.T, open Opener, cfg store.Config) *harness {
	t.Helper()
	h := &harness{t: t, rec: &recorder{}, now: t0, seqs: make(map[uint64]string)}
	cfg.OnRemove = h.rec.onRemove
	h.cfg, h.firstSeq = cfg, cfg.FirstSeq
	h.s = open(t, cfg)
	t.Cleanup(func() {
		if !h.closed {
			h.checkAccounting()
			if err := h.s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
	})
	return h
}

// tick advances the clock by d and returns the new time.
func (h *harness) tick(d time.Duration) int64 {
	h.now += int64(d)
	return h.now
}

// add appends a message with no header at the next millisecond.
func (h *harness) add(subj, data string) uint64 {
	h.t.Helper()
	return h.addMsg(subj, nil, []byte(data), 0)
}

// addN appends n messages to subj and returns their sequences.
func (h *harness) addN(subj string, n int) []uint64 {
	h.t.Helper()
	out := make([]uint64, n)
	for i := range out {
		out[i] = h.add(subj, fmt.Sprintf("%s-%d", subj, i))
	}
	return out
}

func (h *harness) addMsg(subj string, hdr, data []byte, ttl int64) uint64 {
	h.t.Helper()
	before := h.s.State().LastSeq
	seq, err := h.s.Append(subj, hdr, data, h.tick(time.Millisecond), ttl, nil)
	if err != nil {
		h.t.Fatalf("Append(%q): %v", subj, err)
	}
	if want := max(before+1, h.firstSeq, 1); seq != want {
		h.t.Fatalf("Append(%q) = seq %d, want %d", subj, seq, want)
	}
	h.appended++
	h.seqs[seq] = subj
	return seq
}

// update applies fn to the current config and calls UpdateConfig.
func (h *harness) update(fn func(*store.Config)) {
	h.t.Helper()
	fn(&h.cfg)
	if err := h.s.UpdateConfig(h.cfg); err != nil {
		h.t.Fatalf("UpdateConfig: %v", err)
	}
}

// live returns the sequences Load finds, from FirstSeq to LastSeq.
func (h *harness) live() []uint64 {
	h.t.Helper()
	st := h.s.State()
	var out []uint64
	for seq := st.FirstSeq; seq <= st.LastSeq && seq != 0; seq++ {
		if _, err := h.s.Load(seq); err == nil {
			out = append(out, seq)
		} else if !errors.Is(err, store.ErrNotFound) {
			h.t.Fatalf("Load(%d): %v", seq, err)
		}
	}
	return out
}

// wantLive checks the live sequences and the state derived from them.
func (h *harness) wantLive(want ...uint64) {
	h.t.Helper()
	if got := h.live(); !slices.Equal(got, want) {
		h.t.Fatalf("live sequences = %v, want %v", got, want)
	}
	h.checkConsistent()
}

// checkConsistent checks the State fields against the live messages.
func (h *harness) checkConsistent() {
	h.t.Helper()
	st := h.s.State()
	var bytes, msgs uint64
	subjects := map[string]bool{}
	var first uint64
	var firstTime int64
	for seq := st.FirstSeq; seq <= st.LastSeq && seq != 0; seq++ {
		m, err := h.s.Load(seq)
		if err != nil {
			continue
		}
		if first == 0 {
			first, firstTime = seq, m.Time
		}
		msgs++
		bytes += m.Size()
		subjects[m.Subject] = true
	}
	if st.Msgs != msgs || st.Bytes != bytes || st.NumSubjects != uint64(len(subjects)) {
		h.t.Fatalf("state msgs/bytes/subjects = %d/%d/%d, loads give %d/%d/%d",
			st.Msgs, st.Bytes, st.NumSubjects, msgs, bytes, len(subjects))
	}
	if msgs == 0 {
		if st.FirstTime != 0 || st.NumDeleted != 0 || len(h.s.Deleted()) != 0 {
			h.t.Fatalf("empty store: FirstTime %d NumDeleted %d Deleted %v", st.FirstTime, st.NumDeleted, h.s.Deleted())
		}
		if st.LastSeq != 0 && st.FirstSeq != st.LastSeq+1 {
			h.t.Fatalf("empty store: FirstSeq %d, want LastSeq+1 = %d", st.FirstSeq, st.LastSeq+1)
		}
		return
	}
	if st.FirstSeq != first || st.FirstTime != firstTime {
		h.t.Fatalf("FirstSeq/FirstTime = %d/%d, want %d/%d", st.FirstSeq, st.FirstTime, first, firstTime)
	}
	wantDel := st.LastSeq - st.FirstSeq + 1 - msgs
	if st.NumDeleted != wantDel {
		h.t.Fatalf("NumDeleted = %d, want %d (first %d last %d msgs %d)", st.NumDeleted, wantDel, st.FirstSeq, st.LastSeq, msgs)
	}
	if got := h.s.Deleted(); uint64(len(got)) != wantDel {
		h.t.Fatalf("Deleted() has %d entries, want %d", len(got), wantDel)
	}
}

// checkAccounting checks that every appended message is either live or was
// reported removed exactly once, with the subject it had.
func (h *harness) checkAccounting() {
	h.t.Helper()
	removed := map[uint64]bool{}
	for _, r := range h.rec.snapshot() {
		if removed[r.seq] && !h.reused {
			h.t.Errorf("seq %d reported removed twice", r.seq)
		}
		removed[r.seq] = true
		if h.reused {
			continue
		}
		if subj, ok := h.seqs[r.seq]; ok && subj != r.subject {
			h.t.Errorf("removal of seq %d reports subject %q, want %q", r.seq, r.subject, subj)
		}
		if _, err := h.s.Load(r.seq); err == nil {
			h.t.Errorf("seq %d reported removed (%v) but still loads", r.seq, r.reason)
		}
	}
	st := h.s.State()
	if n := uint64(len(h.rec.snapshot())); h.appended != st.Msgs+n {
		h.t.Errorf("appended %d != live %d + removed %d", h.appended, st.Msgs, n)
	}
}

// removals returns the reported removals as "reason:seq" strings, in order.
func (h *harness) removals() []string {
	var out []string
	for _, r := range h.rec.snapshot() {
		out = append(out, fmt.Sprintf("%v:%d", r.reason, r.seq))
	}
	return out
}

// wantRemovals checks the removals reported since the last call, in any order.
func (h *harness) wantRemovals(from int, want ...string) int {
	h.t.Helper()
	all := h.removals()
	got := slices.Clone(all[min(from, len(all)):])
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		h.t.Fatalf("removals = %v, want %v", got, want)
	}
	return len(all)
}

func rm(reason store.Reason, seqs ...uint64) []string {
	out := make([]string, len(seqs))
	for i, s := range seqs {
		out[i] = fmt.Sprintf("%v:%d", reason, s)
	}
	return out
}

func seqRange(lo, hi uint64) []uint64 {
	var out []uint64
	for s := lo; s <= hi; s++ {
		out = append(out, s)
	}
	return out
}

// sameMsg reports how got differs from want, or "".
func sameMsg(got, want *store.Msg) string {
	switch {
	case got.Seq != want.Seq:
		return fmt.Sprintf("seq %d, want %d", got.Seq, want.Seq)
	case got.Subject != want.Subject:
		return fmt.Sprintf("subject %q, want %q", got.Subject, want.Subject)
	case !bytes.Equal(got.Header, want.Header):
		return fmt.Sprintf("header %q, want %q", got.Header, want.Header)
	case !bytes.Equal(got.Data, want.Data):
		return fmt.Sprintf("data %q, want %q", got.Data, want.Data)
	case got.Time != want.Time:
		return fmt.Sprintf("time %d, want %d", got.Time, want.Time)
	case got.TTL != want.TTL:
		return fmt.Sprintf("ttl %d, want %d", got.TTL, want.TTL)
	}
	return ""
}

func show(v any) string { return fmt.Sprintf("%+v", v) }

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
