package jetstream

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

var (
	modelSeeds = flag.Int("retention.seeds", 20, "seeds of TestRetentionModel")
	modelSteps = flag.Int("retention.steps", 10000, "steps per seed of TestRetentionModel")
)

// collector records what is delivered to a subscription, synchronously.
type collector struct {
	mu   sync.Mutex
	msgs []collected
}

type collected struct {
	subject, reply string
	status         int
}

func (c *collector) Deliver(_ *broker.Subscription, subj, reply, hdr, _ []byte) {
	code, _ := proto.HeaderStatus(hdr)
	c.mu.Lock()
	c.msgs = append(c.msgs, collected{string(subj), string(reply), code})
	c.mu.Unlock()
}

func (c *collector) take() []collected {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.msgs
	c.msgs = nil
	return out
}

// modelConsumer is the reference: one status per stream sequence.
type modelConsumer struct {
	filter     string // "" for all
	maxDeliver int
	delivered  uint64 // highest stream sequence delivered
	pending    map[uint64]*modelPending
	parked     map[uint64]bool
	replies    map[uint64]string // last ack reply per stream sequence
}

type modelPending struct {
	count    int
	at       int64 // when it was last delivered
	deadline int64
	queued   bool
}

func (m *modelConsumer) matches(subj string) bool { return m.filter == "" || m.filter == subj }

func (m *modelConsumer) holds(seq uint64) bool {
	return seq > m.delivered || m.pending[seq] != nil || m.parked[seq]
}

// TestRetentionModel drives an interest stream and its consumers with
// random publishes, consumer creates and deletes, deliveries, acks, naks,
// terms and ack-wait expiry, and after every step compares the stored
// messages and each consumer's pending and parked sets with a simple model
// of the rule (issue 6): a message stays exactly while some consumer whose
// filter matches it has not delivered it, awaits its ack, or parked it.
func TestRetentionModel(t *testing.T) {
	steps := *modelSteps
	if testing.Short() {
		steps = 1000
	}
	for _, retention := range []string{"interest", "workqueue"} {
		for seed := 1; seed <= *modelSeeds; seed++ {
			t.Run(fmt.Sprintf("%s/%d", retention, seed), func(t *testing.T) {
				runRetentionModel(t, retention, uint64(seed), steps)
			})
		}
	}
}

// The work-queue variant differs from interest retention in three ways
// (RETENTION.md §4.2): messages are stored with no consumer, a deleted
// consumer leaves its messages, and filters must not overlap.
func runRetentionModel(t *testing.T, retention string, seed uint64, steps int) {
	wq := retention == "workqueue"
	rng := rand.New(rand.NewPCG(seed, 6538))
	tj := newTestJS(t, nil)
	tj.start(t)
	// File storage, so that a restart step can reopen the stream and its
	// durable consumers from disk.
	tj.create(t, fmt.Sprintf(`{"name":"M","subjects":["m.*"],"storage":"file","retention":%q}`, retention))
	st := tj.lookup("M")
	inbox := &collector{}
	if err := tj.b.Subscribe(&broker.Subscription{Subject: "_M.>", Owner: inbox}); err != nil {
		t.Fatal(err)
	}
	const ackWait = int64(time.Second)
	model := map[string]*modelConsumer{}
	subjects := map[uint64]string{} // stored messages in the model
	var lastSeq uint64
	names := []string{"C0", "C1", "C2"}
	filters := []string{"", "m.a", "m.b"}
	if wq {
		filters = []string{"m.a", "m.b", "m.c"}
	}

	// released lists, for work queues, the sequences a consumer let go in
	// this step; settle applies the model's removal rule.
	var released []uint64
	settle := func() {
		if wq {
			for _, seq := range released {
				subj, ok := subjects[seq]
				if !ok {
					continue
				}
				held := false
				for _, mc := range model {
					held = held || (mc.matches(subj) && mc.holds(seq))
				}
				if !held {
					delete(subjects, seq)
				}
			}
			released = released[:0]
			return
		}
		for seq, subj := range subjects {
			held := false
			for _, mc := range model {
				if mc.matches(subj) && mc.holds(seq) {
					held = true
				}
			}
			if !held {
				delete(subjects, seq)
			}
		}
	}
	var delivered, parkedMax, removed, restarts int
	defer func() {
		t.Logf("seed %d: %d deliveries, %d parked at most, %d removals checked, %d restarts", seed, delivered, parkedMax, removed, restarts)
	}()
	for step := range steps {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d step %d: %s", seed, step, fmt.Sprintf(format, args...))
		}
		now := tj.clock.Load()
		name := names[rng.IntN(len(names))]
		mc, exists := model[name]
		switch op := rng.IntN(20); {
		case op < 5: // publish
			subj := []string{"m.a", "m.b", "m.c"}[rng.IntN(3)]
			tj.b.Publish(nil, []byte(subj), nil, nil, []byte("x"))
			lastSeq++
			for _, c := range model {
				if c.matches(subj) || wq {
					subjects[lastSeq] = subj
				}
			}
			if wq && len(model) == 0 {
				subjects[lastSeq] = subj
			}
		case op < 7: // create
			if exists {
				continue
			}
			f := filters[rng.IntN(len(filters))]
			if wq {
				taken := false
				for _, c := range model {
					taken = taken || c.filter == f
				}
				if taken {
					continue
				}
			}
			md := 1 + rng.IntN(3)
			cfg := fmt.Sprintf(`{"stream_name":"M","config":{"durable_name":%q,"ack_policy":"explicit","ack_wait":%d,"max_deliver":%d,"filter_subject":%q}}`, name, ackWait, md, f)
			var resp jsapi.ConsumerCreateResponse
			tj.api(t, "$JS.API.CONSUMER.CREATE.M."+name, cfg, &resp)
			if resp.Error != nil {
				fail("create: %v", resp.Error)
			}
			start := uint64(0)
			if ss := st.store.State(); ss.FirstSeq > 0 {
				start = ss.FirstSeq - 1
			}
			model[name] = &modelConsumer{filter: f, maxDeliver: md, delivered: start,
				pending: map[uint64]*modelPending{}, parked: map[uint64]bool{}, replies: map[uint64]string{}}
		case op < 8: // delete
			if !exists {
				continue
			}
			var resp jsapi.ConsumerDeleteResponse
			tj.api(t, "$JS.API.CONSUMER.DELETE.M."+name, "", &resp)
			if resp.Error != nil {
				fail("delete: %v", resp.Error)
			}
			delete(model, name)
			if len(model) == 0 && !wq {
				clear(subjects)
			}
		case op < 12: // deliver one
			if !exists {
				continue
			}
			c := st.cons.get(name)
			c.request("_M."+name, []byte(`{"batch":1,"no_wait":true}`))
			got := inbox.take()
			want, ok := mc.next(subjects)
			switch {
			case !ok && (len(got) != 1 || got[0].status != 404):
				fail("%s: want no message, got %+v", name, got)
			case ok && (len(got) != 1 || got[0].status != 0):
				fail("%s: want seq %d, got %+v", name, want, got)
			case ok:
				meta, err := jsapi.ParseAckSubject(got[0].reply)
				if err != nil || meta.StreamSeq != want {
					fail("%s: want seq %d, got %q", name, want, got[0].reply)
				}
				p := mc.pending[want]
				if p == nil {
					p = &modelPending{}
					mc.pending[want] = p
				}
				p.count++
				p.queued = false
				p.at, p.deadline = now, now+ackWait
				mc.delivered = max(mc.delivered, want)
				delivered++
				mc.replies[want] = got[0].reply
			}
		case op < 17: // ack, nak, term a delivered message
			if !exists || len(mc.replies) == 0 {
				continue
			}
			seqs := make([]uint64, 0, len(mc.replies))
			for s := range mc.replies {
				seqs = append(seqs, s)
			}
			slices.Sort(seqs)
			seq := seqs[rng.IntN(len(seqs))]
			kind := []string{"+ACK", "-NAK", "+TERM", "+ACK", "-NAK {\"delay\":500000000}"}[rng.IntN(5)]
			tj.b.Publish(nil, []byte(mc.replies[seq]), nil, nil, []byte(kind))
			mc.applyAck(seq, kind, now)
			if kind == "+ACK" || kind == "+TERM" {
				released = append(released, seq)
			}
		case op == 17 && rng.IntN(10) == 0: // restart: JetStream reopens the stream and consumers from disk
			st = restartModelJS(t, fail, tj)
			restarts++
			// A restored consumer re-arms each pending message's ack wait
			// from its last delivery (a NAK delay is not persisted), and
			// nothing is queued until its timers fire; both sides then
			// fire the timers due now.
			for n, m := range model {
				for _, p := range m.pending {
					p.queued, p.deadline = false, p.at+ackWait
				}
				m.tick(now)
				c := st.cons.get(n)
				if c == nil {
					fail("consumer %s not recovered", n)
				}
				c.step(now).send(c)
			}
			inbox.take()
		default: // time passes: every consumer's timers fire
			tj.clock.Add(int64(rng.IntN(1500)) * int64(time.Millisecond))
			now = tj.clock.Load()
			for n, m := range model {
				m.tick(now)
				c := st.cons.get(n)
				c.step(now).send(c)
			}
			inbox.take()
		}
		before := len(subjects)
		settle()
		removed += before - len(subjects)
		for _, m := range model {
			parkedMax = max(parkedMax, len(m.parked))
		}
		// The stored set is compared in full every 50 steps (a work queue
		// accumulates messages); its size and the consumers every step.
		checkRetentionModel(t, fail, st, model, subjects, step%50 == 0 || step == steps-1)
	}
}

// restartModelJS shuts JetStream down and starts a new one on the same store
// directory and broker, as a server restart does, and returns the recovered
// stream.
func restartModelJS(t *testing.T, fail func(string, ...any), tj *testJS) *stream {
	t.Helper()
	if err := tj.Shutdown(context.Background()); err != nil {
		fail("shutdown: %v", err)
	}
	js, err := New(tj.opts)
	if err != nil {
		fail("new: %v", err)
	}
	js.now = tj.clock.Load
	if err := js.Start(); err != nil {
		fail("start: %v", err)
	}
	tj.JetStream = js
	st := tj.lookup("M")
	if st == nil {
		fail("stream M not recovered")
	}
	return st
}

// next is the model's next delivery: the lowest queued redelivery, then the
// next stored message matching the filter.
func (m *modelConsumer) next(subjects map[uint64]string) (uint64, bool) {
	var best uint64
	for seq, p := range m.pending {
		if p.queued && (best == 0 || seq < best) {
			best = seq
		}
	}
	if best != 0 {
		return best, true
	}
	for seq, subj := range subjects {
		if seq > m.delivered && m.matches(subj) && (best == 0 || seq < best) {
			best = seq
		}
	}
	return best, best != 0
}

func (m *modelConsumer) exhausted(p *modelPending) bool { return p.count >= m.maxDeliver }

func (m *modelConsumer) applyAck(seq uint64, kind string, now int64) {
	p := m.pending[seq]
	switch {
	case kind == "+ACK" || kind == "+TERM":
		delete(m.pending, seq)
		delete(m.parked, seq)
	case p == nil:
	case m.exhausted(p):
		delete(m.pending, seq)
		m.parked[seq] = true
	case kind == "-NAK":
		p.queued = true
	default: // delayed
		p.queued, p.deadline = false, now+int64(500*time.Millisecond)
	}
}

func (m *modelConsumer) tick(now int64) {
	for seq, p := range m.pending {
		if p.queued || p.deadline > now {
			continue
		}
		if m.exhausted(p) {
			delete(m.pending, seq)
			m.parked[seq] = true
		} else {
			p.queued = true
		}
	}
}

func checkRetentionModel(t *testing.T, fail func(string, ...any), st *stream, model map[string]*modelConsumer, subjects map[uint64]string, full bool) {
	t.Helper()
	if n := st.store.State().Msgs; n != uint64(len(subjects)) {
		fail("stored %d messages, model %d", n, len(subjects))
	}
	checkModelConsumers(fail, st, model)
	if !full {
		return
	}
	var want []uint64
	for seq := range subjects {
		want = append(want, seq)
	}
	slices.Sort(want)
	var got []uint64
	for seq := uint64(0); ; {
		m, err := st.store.LoadNext("", seq+1)
		if err != nil {
			break
		}
		got = append(got, m.Seq)
		seq = m.Seq
	}
	if !slices.Equal(got, want) {
		fail("stored %v, model %v", got, want)
	}
}

func checkModelConsumers(fail func(string, ...any), st *stream, model map[string]*modelConsumer) {
	for name, mc := range model {
		c := st.cons.get(name)
		c.mu.Lock()
		pending, parked := c.mu.ack.PendingSeqs(), c.mu.ack.ParkedSeqs()
		c.mu.Unlock()
		var wp, wk []uint64
		for seq := range mc.pending {
			wp = append(wp, seq)
		}
		for seq := range mc.parked {
			wk = append(wk, seq)
		}
		slices.Sort(wp)
		slices.Sort(wk)
		if !slices.Equal(pending, wp) || !slices.Equal(parked, wk) {
			fail("%s: pending %v parked %v, model %v %v", name, pending, parked, wp, wk)
		}
	}
}
