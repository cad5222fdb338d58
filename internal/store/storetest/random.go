package storetest

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

var (
	modelSubjects = []string{"a", "b.x", "b.y", "c.d.e", "c.x.e", "kv.1", "kv.2", "kv.3", "kv.4", "kv.5", "z.z.z.z"}
	modelFilters  = []string{"", ">", "a", "b.*", "b.>", "*.x", "c.*.e", "kv.*", "*", "zz", "kv.3", "*.*.*", "c.>", "a..b"}
	// manySubjects (seeds 7 and 8) outnumber the messages a scan would look
	// at, so implementations that choose between scanning and per-subject
	// lookups take the other branch.
	manySubjects = func() []string {
		var out []string
		for i := range 40 {
			for j := range 5 {
				out = append(out, fmt.Sprintf("m.%d.%d", i, j))
			}
		}
		return append(out, "a", "b.x")
	}()
	manyFilters = []string{"", ">", "m.*.3", "m.7.*", "m.>", "m.12.4", "*.*.0", "a", "*", "b.*", "m.*.*", "q.>", "a..b"}
)

// testModel compares the store with the reference model over seeded random
// operations. A failure names the seed and the step; rerun with that seed.
func testModel(t *testing.T, open Opener) {
	steps := 10000
	if testing.Short() {
		steps = 500
	}
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { RunModel(t, open, seed, steps) })
	}
}

// RunModel runs one seeded random comparison of steps operations against the
// reference model. The seed also picks the variant: seeds divisible by 3 start
// at Config.FirstSeq 100, and seeds 7 mod 8 and 0 mod 8 use 202 subjects.
// Fuzz targets can drive it with fuzzer-chosen seeds.
func RunModel(t *testing.T, open Opener, seed uint64, steps int) {
	var cfg store.Config
	if seed%3 == 0 {
		cfg.FirstSeq = 100
	}
	r := newModelRun(t, newHarness(t, open, cfg), seed)
	if seed%8 == 7 || seed%8 == 0 {
		r.subjects, r.filters = manySubjects, manyFilters
	}
	r.run(steps)
}

type modelRun struct {
	t   *testing.T
	h   *harness
	m   *model
	rng *rand.Rand
	op  string // the operation being checked, for failure messages
	n   int    // steps taken

	seed     uint64
	subjects []string // appended to
	filters  []string // used by reads and purges; the last one is invalid
}

func newModelRun(t *testing.T, h *harness, seed uint64) *modelRun {
	return &modelRun{t: t, h: h, m: newModel(h.cfg), rng: newRand(seed), seed: seed,
		subjects: modelSubjects, filters: modelFilters}
}

// run takes steps random steps, stopping at the first failure.
func (r *modelRun) run(steps int) {
	for i := range steps {
		r.step()
		if r.t.Failed() {
			r.t.Fatalf("seed %d: failed at step %d (%s)", r.seed, i, r.op)
		}
	}
	r.checkState()
	r.checkAll()
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed*7919)) }

// phases alternate every phaseLen steps, so that the store both grows large
// (with long runs of deleted sequences) and churns through every removal path.
// Each row gives cumulative percentages: append, delete, purge, compact,
// truncate, expire, update config; the rest reads.
const phaseLen = 1500

var phases = [][7]int{
	{60, 80, 80, 80, 80, 81, 81}, // grow, punching holes
	{45, 55, 58, 60, 61, 66, 68}, // everything
	{40, 48, 48, 48, 48, 50, 50}, // read-heavy on whatever is there
}

// step performs one random operation and checks it against the model.
func (r *modelRun) step() {
	w := phases[(r.n/phaseLen)%len(phases)]
	r.n++
	n := r.rng.IntN(100)
	switch {
	case n < w[0]:
		r.append()
	case n < w[1]:
		r.delete()
	case n < w[2]:
		r.purge()
	case n < w[3]:
		r.compact()
	case n < w[4]:
		r.truncate()
	case n < w[5]:
		r.expire()
	case n < w[6]:
		r.updateConfig()
	default:
		r.read()
	}
	r.checkRemovals()
	if r.n%25 == 0 || n < w[6] {
		r.checkState()
	}
	if r.n%100 == 0 {
		if got, want := r.h.s.Deleted(), r.m.deleted(); !slices.Equal(got, want) {
			r.fail("Deleted() = %v, want %v", got, want)
		}
	}
}

func (r *modelRun) fail(format string, args ...any) {
	r.t.Helper()
	r.t.Errorf("%s: %s", r.op, fmt.Sprintf(format, args...))
}

// seqNear picks a sequence around the live range, sometimes outside it.
func (r *modelRun) seqNear() uint64 {
	st := r.m.state()
	lo := st.FirstSeq
	if lo > 2 {
		lo -= 2
	}
	return lo + r.rng.Uint64N(st.LastSeq+4-lo)
}

func (r *modelRun) append() {
	subj := r.subjects[r.rng.IntN(len(r.subjects))]
	var hdr []byte
	if r.rng.IntN(4) == 0 {
		hdr = []byte("NATS/1.0\r\nK: v\r\n\r\n")
	}
	data := make([]byte, r.rng.IntN(40))
	for i := range data {
		data[i] = byte(r.rng.Uint32())
	}
	var ttl int64
	switch n := r.rng.IntN(100); {
	case n < 10:
		ttl = int64(1+r.rng.IntN(50)) * int64(time.Millisecond)
	case n < 13:
		ttl = -1
	}
	now := r.h.now + int64(r.rng.IntN(300))*int64(time.Microsecond)
	r.h.now = now
	r.op = fmt.Sprintf("Append(%q, ttl %d)", subj, ttl)
	seq, err := r.h.s.Append(subj, hdr, data, now, ttl, nil)
	want := r.m.append(subj, hdr, data, now, ttl)
	r.h.appended++
	r.h.seqs[seq] = subj
	if err != nil || seq != want {
		r.fail("= %d, %v; want %d", seq, err, want)
	}
}

func (r *modelRun) delete() {
	if r.rng.IntN(10) == 0 {
		r.deleteRun()
		return
	}
	seq := r.seqNear()
	erase := r.rng.IntN(2) == 0
	r.op = fmt.Sprintf("Delete(%d, %v)", seq, erase)
	ok, err := r.h.s.Delete(seq, erase, store.ReasonDelete)
	if want := r.m.remove(seq, store.ReasonDelete); ok != want || err != nil {
		r.fail("= %v, %v; want %v", ok, err, want)
	}
}

// deleteRun deletes a run of consecutive sequences, leaving a long gap.
func (r *modelRun) deleteRun() {
	lo := r.seqNear()
	n := 1 + r.rng.Uint64N(250)
	r.op = fmt.Sprintf("Delete(%d..%d)", lo, lo+n-1)
	for seq := lo; seq < lo+n; seq++ {
		ok, err := r.h.s.Delete(seq, false, store.ReasonDelete)
		if want := r.m.remove(seq, store.ReasonDelete); ok != want || err != nil {
			r.fail("Delete(%d) = %v, %v; want %v", seq, ok, err, want)
			return
		}
	}
}

func (r *modelRun) purge() {
	var o store.PurgeOpts
	if r.rng.IntN(2) == 0 {
		o.Subject = r.filters[r.rng.IntN(len(r.filters)-1)] // not the invalid one
	}
	switch r.rng.IntN(4) {
	case 0:
		o.Seq = r.seqNear()
	case 1:
		o.Keep = r.rng.Uint64N(12)
	case 2:
		o.Seq, o.Keep = r.seqNear(), r.rng.Uint64N(12)
	}
	if r.rng.IntN(4) != 0 && o.Seq == 0 && o.Keep == 0 && o.Subject == "" {
		o.Keep = 1 + r.rng.Uint64N(300) // full purges would keep the stream small
	}
	r.op = fmt.Sprintf("Purge(%+v)", o)
	n, err := r.h.s.Purge(o)
	if want := r.m.purge(o); n != want || err != nil {
		r.fail("= %d, %v; want %d", n, err, want)
	}
}

func (r *modelRun) compact() {
	seq := r.seqNear()
	r.op = fmt.Sprintf("Compact(%d)", seq)
	n, err := r.h.s.Compact(seq)
	if want := r.m.compact(seq); n != want || err != nil {
		r.fail("= %d, %v; want %d", n, err, want)
	}
}

// truncate cuts back to a live message (or past the end): the cases pinned.
func (r *modelRun) truncate() {
	seq := r.m.last + r.rng.Uint64N(3)
	if len(r.m.msgs) > 0 && r.rng.IntN(3) != 0 {
		seq = r.m.msgs[len(r.m.msgs)-1-r.rng.IntN(min(5, len(r.m.msgs)))].Seq
	}
	r.op = fmt.Sprintf("Truncate(%d)", seq)
	if seq < r.m.last {
		r.h.reused = true
	}
	r.m.truncate(seq)
	if err := r.h.s.Truncate(seq); err != nil {
		r.fail("%v", err)
	}
}

func (r *modelRun) expire() {
	r.h.now += int64(r.rng.IntN(20)) * int64(time.Millisecond)
	r.op = fmt.Sprintf("Expire(t0+%v)", time.Duration(r.h.now-t0))
	next, err := r.h.s.Expire(r.h.now)
	if want := r.m.expire(r.h.now); next != want || err != nil {
		r.fail("next = t0+%v, %v; want t0+%v", time.Duration(next-t0), err, time.Duration(want-t0))
	}
}

func (r *modelRun) updateConfig() {
	cfg := r.h.cfg
	cfg.MaxMsgs = []int64{0, 0, 0, 20, 200, 2000}[r.rng.IntN(6)]
	cfg.MaxBytes = []int64{0, 0, 0, 1500, 60000}[r.rng.IntN(5)]
	cfg.MaxMsgsPerSubject = []int64{0, 0, 1, 3, 10}[r.rng.IntN(5)]
	cfg.MaxAge = []time.Duration{0, 0, 0, 30 * time.Millisecond, time.Second}[r.rng.IntN(5)]
	r.op = fmt.Sprintf("UpdateConfig(msgs %d bytes %d per %d age %v)", cfg.MaxMsgs, cfg.MaxBytes, cfg.MaxMsgsPerSubject, cfg.MaxAge)
	r.h.cfg = cfg
	if err := r.h.s.UpdateConfig(cfg); err != nil {
		r.fail("%v", err)
	}
	r.m.updateConfig(cfg)
}

func (r *modelRun) read() {
	filter := r.filters[r.rng.IntN(len(r.filters))]
	start := r.seqNear()
	switch r.rng.IntN(7) {
	case 0:
		r.op = fmt.Sprintf("Load(%d)", start)
		got, err := r.h.s.Load(start)
		r.compareMsg(got, err, r.m.load(start), nil)
	case 1:
		r.op = fmt.Sprintf("LoadNext(%q, %d)", filter, start)
		got, err := r.h.s.LoadNext(filter, start)
		r.compareMsg(got, err, r.m.loadNext(filter, start), filter)
	case 2:
		r.op = fmt.Sprintf("LoadPrev(%q, %d)", filter, start)
		got, err := r.h.s.LoadPrev(filter, start)
		r.compareMsg(got, err, r.m.loadPrev(filter, start), filter)
	case 3:
		r.op = fmt.Sprintf("LoadLast(%q)", filter)
		got, err := r.h.s.LoadLast(filter)
		r.compareMsg(got, err, r.m.loadPrev(filter, r.m.last), filter)
	case 4, 5:
		r.op = fmt.Sprintf("FilteredState(%q, %d)", filter, start)
		if got, want := r.h.s.FilteredState(filter, start), r.m.filteredState(filter, start); got != want {
			r.fail("= %+v, want %+v", got, want)
		}
	case 6:
		r.op = fmt.Sprintf("SubjectsState(%q)", filter)
		got, want := r.h.s.SubjectsState(filter), r.m.subjectsState(filter)
		if len(got) != len(want) || !maps.Equal(got, want) {
			r.fail("= %v, want %v", got, want)
		}
		totals := r.h.s.SubjectsTotals(filter)
		if len(totals) != len(want) {
			r.fail("SubjectsTotals has %d subjects, want %d", len(totals), len(want))
		}
		for k, v := range want {
			if totals[k] != v.Msgs {
				r.fail("SubjectsTotals[%q] = %d, want %d", k, totals[k], v.Msgs)
			}
		}
	}
}

// compareMsg checks a load; filter is nil for Load and the filter otherwise.
func (r *modelRun) compareMsg(got *store.Msg, err error, want *store.Msg, filter any) {
	r.t.Helper()
	if f, ok := filter.(string); ok && !validFilter(f) {
		if !errors.Is(err, store.ErrInvalidFilter) {
			r.fail("err = %v, want ErrInvalidFilter", err)
		}
		return
	}
	if want == nil {
		if !errors.Is(err, store.ErrNotFound) {
			r.fail("= %v, %v; want ErrNotFound", got, err)
		}
		return
	}
	if err != nil {
		r.fail("%v, want seq %d", err, want.Seq)
		return
	}
	if d := sameMsg(got, want); d != "" {
		r.fail("%s", d)
	}
}

func (r *modelRun) checkRemovals() {
	r.t.Helper()
	key := func(x removal) string { return fmt.Sprintf("%v:%d:%s", x.reason, x.seq, x.subject) }
	var got, want []string
	fresh := r.h.rec.since(r.h.seen)
	for _, x := range fresh {
		got = append(got, key(x))
	}
	r.h.seen += len(fresh)
	for _, x := range r.m.take() {
		want = append(want, key(x))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		r.fail("removals %v, want %v", got, want)
	}
}

func (r *modelRun) checkState() {
	r.t.Helper()
	if got, want := r.h.s.State(), r.m.state(); got != want {
		r.fail("State() = %+v\nwant %+v", got, want)
	}
}

// checkAll compares every live message and the deleted list.
func (r *modelRun) checkAll() {
	r.op = "final comparison"
	if got, want := r.h.s.Deleted(), r.m.deleted(); !slices.Equal(got, want) {
		r.fail("Deleted() = %v, want %v", got, want)
	}
	for _, want := range r.m.msgs {
		got, err := r.h.s.Load(want.Seq)
		r.compareMsg(got, err, want, nil)
	}
}
