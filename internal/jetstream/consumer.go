package jetstream

import (
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// consumer is one consumer of a stream. Its goroutine (run) owns delivery:
// it serves waiting pull requests or the push deliver subject, fires the
// ack-wait timers of its ackstate.State, sends heartbeats and expires
// requests. Acks arrive on the acker's goroutine and take mu briefly.
type consumer struct {
	js      *JetStream
	st      *stream
	name    string
	created time.Time
	durable bool
	log     *slog.Logger
	cs      store.ConsumerStore // nil: state kept in memory only
	dir     string              // meta file dir; "" for ephemerals

	// filters is read without mu by the publish path (interest checks).
	filters atomic.Pointer[[]string]
	// deliveredHW bounds the sequences the consumer may hold pending or
	// parked, for the store's removal callback (noteRemoved).
	deliveredHW atomic.Uint64
	// purged is set by a purge; the next step moves the consumer up to the
	// stream's new first sequence.
	purged atomic.Bool
	// rm queues sequences removed from the stream by limits or deletes; a
	// leaf lock, taken under the store's lock.
	rm struct {
		mu     sync.Mutex
		seqs   []uint64
		limits bool
		// skipTo is set by a purge with a subject filter covering the
		// consumer's filters: the next step moves it past this sequence
		// (RETENTION.md §6.1).
		skipTo uint64
	}

	// dlqDone receives the store's reports on dead letters being copied;
	// owed the questions of limits about to remove a message (dlq_hold.go);
	// dlqLimit the limit reasons the consumer dead-letters for.
	dlqDone  dlqResults
	owed     owedQueue
	dlqLimit atomic.Uint32
	// dlqWaiting is the number of dead letters waiting for their copy, as
	// of the last noteDeadLettersLocked.
	dlqWaiting atomic.Int64

	kick chan struct{} // buffered 1: something changed, run a step
	stop chan struct{}
	done chan struct{}

	// dirty (buffered 1) wakes the persister goroutine of a consumer with
	// a store; persisted is closed when it returned.
	dirty     chan struct{}
	persisted chan struct{}

	// mu guards the config, the ack state and the delivery state. It is
	// never held while publishing to clients.
	mu struct {
		sync.Mutex
		cfg        jsapi.ConsumerConfig
		ack        *ackstate.State
		waiting    []*pullRequest
		lps        []uint64 // last_per_subject: sequences still to deliver, ascending
		lpsEnd     uint64   // last stream sequence when the lps list was built
		lastActive int64    // last pull request, ack, or push interest (inactive_threshold)
		lastDeliv  time.Time
		lastAck    time.Time
		lastSend   int64 // last message or heartbeat to the push deliver subject
		push       pushState
		subs       []*broker.Subscription
		closed     bool
		// syncReplies are ack-sync replies sent once the ack is durable.
		// gen counts the state changes (dirtyLocked); durableGen is the gen
		// of the last snapshot the persister made durable.
		syncReplies     []string
		gen, durableGen uint64
		pin             pinState // pinned_client priority policy
		// replay_policy original: stored time and send time of the last
		// new message, and when the next one is due (0: not waiting).
		replayMsg, replaySent, replayDue int64
		pendingAdv                       []advisory // raised outside a step, sent by the next one
		dlq                              dlqState   // dead letters on their way (dlq_move.go)
		ackBuf                           []byte     // scratch for ack reply subjects
	}
}

// consumerSet is a stream's consumers.
type consumerSet struct {
	mu sync.Mutex
	m  map[string]*consumer
}

func (s *consumerSet) get(name string) *consumer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[name]
}

func (s *consumerSet) add(c *consumer) {
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[string]*consumer)
	}
	s.m[c.name] = c
	s.mu.Unlock()
}

func (s *consumerSet) remove(c *consumer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[c.name] != c {
		return false
	}
	delete(s.m, c.name)
	return true
}

// list returns the consumers sorted by name.
func (s *consumerSet) list() []*consumer {
	s.mu.Lock()
	out := make([]*consumer, 0, len(s.m))
	for _, c := range s.m {
		out = append(out, c)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *consumerSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// kickAll tells every consumer that the stream changed (a new message).
func (s *consumerSet) kickAll() {
	s.mu.Lock()
	for _, c := range s.m {
		c.poke()
	}
	s.mu.Unlock()
}

// poke wakes the consumer goroutine without blocking.
func (c *consumer) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// matches reports whether subj passes the consumer's filters.
func (c *consumer) matches(subj string) bool {
	fs := c.filters.Load()
	if fs == nil || len(*fs) == 0 {
		return true
	}
	for _, f := range *fs {
		if subject.Match(f, subj) {
			return true
		}
	}
	return false
}

func (c *consumer) setFilters(cfg *jsapi.ConsumerConfig) {
	fs := filtersOf(cfg)
	c.filters.Store(&fs)
	c.setDeadLetterLimits(dlqReasons(cfg.DeadLetter))
}

// ackConfig derives the ackstate configuration.
func ackConfig(cfg *jsapi.ConsumerConfig) ackstate.Config {
	ac := ackstate.Config{AckWait: cfg.AckWait, MaxDeliver: cfg.MaxDeliver, BackOff: cfg.BackOff,
		NakBackoff: cfg.NakBackoff, DeadLetter: dlqReasons(cfg.DeadLetter)}
	if cfg.DeadLetter != nil {
		ac.History = cfg.DeadLetter.History
	}
	switch cfg.AckPolicy {
	case jsapi.AckAll:
		ac.AckPolicy = ackstate.AckAll
	case jsapi.AckExplicit:
		ac.AckPolicy = ackstate.AckExplicit
	default:
		ac.AckPolicy = ackstate.AckNone
	}
	return ac
}

// startSeq is the stream sequence before the first one the consumer
// delivers, from its deliver policy; lps lists last_per_subject sequences.
func (st *stream) startSeq(cfg *jsapi.ConsumerConfig, filters []string) (start uint64, lps []uint64, lpsEnd uint64) {
	ss := st.store.State()
	first := func() uint64 {
		if ss.FirstSeq > 0 {
			return ss.FirstSeq - 1
		}
		return 0
	}
	if len(filters) == 0 {
		filters = []string{">"}
	}
	switch cfg.DeliverPolicy {
	case jsapi.DeliverNew:
		return ss.LastSeq, nil, 0
	case jsapi.DeliverByStartSequence:
		return max(cfg.OptStartSeq, 1) - 1, nil, 0
	case jsapi.DeliverByStartTime:
		return st.seqAtTime(*cfg.OptStartTime) - 1, nil, 0
	case jsapi.DeliverLast:
		var last uint64
		for _, f := range filters {
			if m, err := st.store.LoadLast(f); err == nil && m.Seq > last {
				last = m.Seq
			}
		}
		if last == 0 {
			return ss.LastSeq, nil, 0
		}
		return last - 1, nil, 0
	case jsapi.DeliverLastPerSubject:
		for _, f := range filters {
			for _, s := range st.store.SubjectsState(f) {
				lps = append(lps, s.Last)
			}
		}
		sort.Slice(lps, func(i, j int) bool { return lps[i] < lps[j] })
		if len(lps) == 0 {
			return ss.LastSeq, nil, 0
		}
		return lps[0] - 1, lps, ss.LastSeq
	}
	return first(), nil, 0
}

// newConsumer builds a consumer; restore is the persisted state of a
// recovered durable (nil for a new one).
func (st *stream) newConsumer(cfg jsapi.ConsumerConfig, created time.Time, restore *store.ConsumerState) (*consumer, error) {
	c := &consumer{
		js: st.js, st: st, name: cfg.Name, created: created, durable: cfg.Durable != "",
		log:  st.log.With("consumer", cfg.Name),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		dirty: make(chan struct{}, 1), persisted: make(chan struct{}),
	}
	c.setFilters(&cfg)
	c.mu.cfg = cfg
	c.mu.gen = 1 // the persister's first run writes, whatever happened before it
	c.mu.lastActive = st.js.now()
	if c.durable {
		if st.storage != jsapi.MemoryStorage {
			c.dir = consumerDir(st.dir, cfg.Name) // memory streams keep nothing on disk
		}
		cs, err := st.store.ConsumerStore(cfg.Name)
		if err != nil {
			return nil, err
		}
		c.cs = cs
	}
	if restore != nil {
		c.mu.ack = ackstate.Restore(ackConfig(&cfg), snapshotOf(restore))
		c.noteDeadLettersLocked()
		for _, seq := range c.mu.ack.DeadLetterSeqs() { // done ones wait for nothing
			if c.mu.dlq.recorded == nil {
				c.mu.dlq.recorded = make(map[uint64]bool)
			}
			c.mu.dlq.recorded[seq] = true // read from disk: durable
		}
		c.deliveredHW.Store(restore.Delivered.Stream)
		return c, nil
	}
	start, lps, lpsEnd := st.startSeq(&cfg, filtersOf(&cfg))
	c.mu.ack = ackstate.New(ackConfig(&cfg), start)
	c.mu.lps, c.mu.lpsEnd = lps, lpsEnd
	if c.cs != nil {
		p := store.SeqPair{Stream: start}
		if err := c.cs.SetState(&store.ConsumerState{Delivered: p, AckFloor: p}); err != nil {
			_ = c.cs.Close()
			return nil, err
		}
	}
	return c, nil
}

// snapshotOf converts the store's durable state into an ackstate snapshot.
func snapshotOf(cs *store.ConsumerState) ackstate.Snapshot {
	snap := ackstate.Snapshot{
		Delivered: ackstate.SeqPair{Consumer: cs.Delivered.Consumer, Stream: cs.Delivered.Stream},
		AckFloor:  ackstate.SeqPair{Consumer: cs.AckFloor.Consumer, Stream: cs.AckFloor.Stream},
		Pending:   make(map[uint64]ackstate.PendingInfo, len(cs.Pending)),
		Parked:    make(map[uint64]uint64, len(cs.Parked)),
	}
	for seq, p := range cs.Pending {
		n := cs.Redelivered[seq]
		if n == 0 {
			n = 1
		}
		snap.Pending[seq] = ackstate.PendingInfo{Consumer: p.Consumer, Delivered: p.Time, Count: n}
	}
	for seq := range cs.Parked {
		snap.Parked[seq] = max(cs.Redelivered[seq], 1)
	}
	if len(cs.DeadLetters) > 0 {
		snap.Dead = make(map[uint64]ackstate.DeadLetter, len(cs.DeadLetters))
		for seq, b := range cs.DeadLetters {
			snap.Dead[seq] = decodeIntent(b)
		}
	}
	return snap
}

// start subscribes the ack (and flow-control) subjects and starts the
// goroutine; the stream's consumer set owns it from here.
func (c *consumer) start() error {
	cfg := c.config()
	var subs []*broker.Subscription
	for _, p := range c.js.apiPrefixes() {
		subs = append(subs, &broker.Subscription{Subject: p + ".CONSUMER.MSG.NEXT." + c.st.name + "." + c.name, Owner: nextSubscriber{c}})
		subs = append(subs, &broker.Subscription{Subject: p + ".CONSUMER.RESET." + c.st.name + "." + c.name, Owner: resetSubscriber{c}})
	}
	if cfg.AckPolicy != jsapi.AckNone && cfg.AckPolicy != jsapi.AckFlowControl {
		subs = append(subs, &broker.Subscription{Subject: jsapi.AckPrefix + c.st.name + "." + c.name + ".>", Owner: ackSubscriber{c}})
	}
	if cfg.DeliverSubject != "" && cfg.FlowControl {
		subs = append(subs, &broker.Subscription{Subject: jsapi.FlowControlPrefix + c.st.name + "." + c.name + ".*", Owner: fcSubscriber{c}})
	}
	for _, sub := range subs {
		if err := c.js.broker.Subscribe(sub); err != nil {
			for _, s := range subs {
				c.js.broker.Unsubscribe(s)
			}
			return err
		}
	}
	c.mu.Lock()
	c.mu.subs = subs
	c.mu.Unlock()
	go c.run()
	if c.cs != nil {
		go c.persister()
	} else {
		close(c.persisted)
	}
	return nil
}

func (c *consumer) config() jsapi.ConsumerConfig {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.cfg
}

// halt stops the goroutine and the subscriptions; it returns the pull
// requests still waiting so the caller can tell them why.
func (c *consumer) halt() []*pullRequest {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.closed = true
	subs := c.mu.subs
	c.mu.subs = nil
	waiting := c.mu.waiting
	c.mu.waiting = nil
	c.mu.Unlock()
	for _, sub := range subs {
		c.js.broker.Unsubscribe(sub)
	}
	close(c.stop)
	return waiting
}

// wait blocks until the goroutine returned (not from the goroutine itself).
func (c *consumer) wait() {
	<-c.done
	<-c.persisted
}

// run is the consumer goroutine.
func (c *consumer) run() {
	defer close(c.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := c.js.now()
		res := c.step(now)
		res.send(c)
		if res.inactive {
			c.js.expireConsumer(c)
			return
		}
		wait := time.Hour
		if res.wake > 0 {
			wait = max(time.Duration(res.wake-now), time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// stepResult is what one step decided, published after unlocking.
type stepResult struct {
	out     []outMsg
	adv     []advisory
	release []uint64 // stream sequences this consumer let go (retention)
	// releaseDead are sequences let go because their dead letters are
	// durable; dlq are dead letters to copy to their stream.
	releaseDead []uint64
	dlq         []dlqJob
	// holdAnswered are held messages this consumer no longer waits for.
	holdAnswered []uint64
	wake         int64 // when to run again (unix nanos; 0: only when kicked)
	inactive     bool  // inactive_threshold passed: delete the consumer
}

// outMsg is a message for a client: a delivery (wire subject subj, routed
// to target) or a status message (subj == target).
type outMsg struct {
	target string
	group  string
	subj   string
	reply  string
	hdr    []byte
	data   []byte
}

type advisory struct {
	subj string
	v    any
}

func (r *stepResult) wakeAt(t int64) {
	if t > 0 && (r.wake == 0 || t < r.wake) {
		r.wake = t
	}
}

func (r *stepResult) send(c *consumer) {
	// Releases first: an AckNone delivery is done once sent, and a client
	// that saw it must not find it still in the stream.
	if len(r.release) > 0 {
		c.st.release(r.release)
	}
	if len(r.releaseDead) > 0 {
		c.st.releaseExcept(r.releaseDead, nil, store.ReasonDeadLettered)
	}
	if len(r.holdAnswered) > 0 {
		c.st.holdAnswered(r.holdAnswered)
	}
	for _, m := range r.out {
		if m.subj == m.target {
			c.js.broker.Publish(nil, []byte(m.target), []byte(m.reply), m.hdr, m.data)
			continue
		}
		c.js.route(m.target, m.group, m.subj, m.reply, m.hdr, m.data)
	}
	for _, a := range r.adv {
		c.js.advise(a.subj, a.v)
	}
	for _, j := range r.dlq {
		c.moveDeadLetter(j)
	}
}

// step runs the timers and delivers what it can.
func (c *consumer) step(now int64) *stepResult {
	res := &stepResult{}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return res
	}
	c.removedLocked(res)
	if c.mu.cfg.PriorityPolicy == jsapi.PriorityPinnedClient {
		c.expirePinLocked(now)
		if c.mu.pin.id != "" {
			res.wakeAt(c.mu.pin.lastPull + int64(c.mu.cfg.PinnedTTL))
		}
	}
	res.adv = append(res.adv, c.mu.pendingAdv...)
	c.mu.pendingAdv = nil
	for _, ev := range c.mu.ack.Tick(now) {
		c.parkedLocked(res, ev)
	}
	c.owedLocked(res, now)
	c.deadLettersLocked(res, now)
	defer c.noteDeadLettersLocked() // after the step's parking and timers too
	if c.mu.cfg.DeliverSubject != "" {
		c.pushLocked(res, now)
	} else {
		c.pullLocked(res, now)
	}
	res.wakeAt(c.mu.ack.NextDeadline())
	res.wakeAt(c.mu.replayDue)
	if c.paused() {
		res.wakeAt(c.mu.cfg.PauseUntil.UnixNano()) // resume on time
	}
	if t := c.mu.cfg.InactiveThreshold; t > 0 {
		if c.idleLocked() {
			if now-c.mu.lastActive >= int64(t) {
				res.inactive = true
			}
			res.wakeAt(c.mu.lastActive + int64(t))
		} else {
			c.mu.lastActive = now
		}
	}
	return res
}

// idleLocked reports whether nobody uses the consumer right now.
func (c *consumer) idleLocked() bool {
	if c.mu.cfg.DeliverSubject != "" {
		return !c.js.broker.HasInterest(c.mu.cfg.DeliverSubject)
	}
	return len(c.mu.waiting) == 0
}

// parkedLocked persists a message parked (or dead-lettered) at max_deliver
// and queues the advisory.
func (c *consumer) parkedLocked(res *stepResult, ev ackstate.Event) {
	c.dirtyLocked()
	if ev.Kind != ackstate.EventMaxDeliveries {
		return
	}
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerMaxDeliveriesT, c.st.name, c.name),
		v: &jsapi.MaxDeliverAdvisory{TypedEvent: newEvent(jsapi.AdvisoryMaxDeliverType), Stream: c.st.name,
			Consumer: c.name, StreamSeq: ev.Seq, Deliveries: ev.Deliveries, Domain: c.js.opts.Domain}})
}

// candidate is the next message to deliver.
type candidate struct {
	msg   *store.Msg
	redel bool
}

// nextLocked finds the next message to deliver: a due redelivery first,
// then the next new message matching the filters (within max_ack_pending).
func (c *consumer) nextLocked() (candidate, bool) {
	ack := c.mu.ack
	for {
		seq, ok := ack.NextRedelivery()
		if !ok {
			break
		}
		m, err := c.st.store.Load(seq)
		if err == nil {
			return candidate{msg: m, redel: true}, true
		}
		// Gone from the stream (limits, delete): nothing left to redeliver.
		ack.Term(seq)
		c.dirtyLocked()
	}
	cfg := &c.mu.cfg
	if cfg.AckPolicy != jsapi.AckNone && cfg.MaxAckPending > 0 && ack.NumAckPending() >= cfg.MaxAckPending {
		return candidate{}, false
	}
	if c.paused() {
		return candidate{}, false
	}
	if ack.NumDeadLetters() >= dlqMaxIntents {
		return candidate{}, false // dead letters are not getting out: stop taking more
	}
	from := ack.Delivered().Stream + 1
	for len(c.mu.lps) > 0 {
		seq := c.mu.lps[0]
		if seq < from || ack.Skip(seq) {
			c.mu.lps = c.mu.lps[1:]
			continue
		}
		if m, err := c.st.store.Load(seq); err == nil {
			return candidate{msg: m}, true
		}
		c.mu.lps = c.mu.lps[1:]
	}
	if c.mu.lpsEnd >= from {
		from = c.mu.lpsEnd + 1
	}
	fs := filtersOf(cfg)
	if len(fs) == 0 {
		fs = []string{""}
	}
	var best *store.Msg
	for {
		best = nil
		for _, f := range fs {
			m, err := c.st.store.LoadNext(f, from)
			if err == nil && (best == nil || m.Seq < best.Seq) {
				best = m
			}
		}
		if best == nil {
			return candidate{}, false
		}
		if !ack.Skip(best.Seq) {
			break
		}
		from = best.Seq + 1 // dead-lettered before its first delivery
	}
	if cfg.ReplayPolicy == jsapi.ReplayOriginal && c.mu.replaySent != 0 {
		// Space new messages as they were published.
		if due := c.mu.replaySent + (best.Time - c.mu.replayMsg); due > c.js.now() {
			c.mu.replayDue = due
			return candidate{}, false
		}
	}
	return candidate{msg: best}, true
}

// paused reports whether pause_until is in the future.
func (c *consumer) paused() bool {
	p := c.mu.cfg.PauseUntil
	return p != nil && p.UnixNano() > c.js.now()
}

// numPendingLocked counts messages still to deliver (not redeliveries).
func (c *consumer) numPendingLocked() uint64 {
	from := c.mu.ack.Delivered().Stream + 1
	var n uint64
	for _, seq := range c.mu.lps {
		if seq >= from {
			n++
		}
	}
	if c.mu.lpsEnd >= from {
		from = c.mu.lpsEnd + 1
	}
	fs := filtersOf(&c.mu.cfg)
	if len(fs) == 0 {
		fs = []string{""}
	}
	for _, f := range fs {
		n += c.st.store.FilteredState(f, from).Msgs
	}
	return n
}

// deliverLocked records the delivery of cand and builds the message.
func (c *consumer) deliverLocked(res *stepResult, cand candidate, target string, now int64, pending *uint64, pinID string) (outMsg, int) {
	m := cand.msg
	if !cand.redel {
		c.mu.replayMsg, c.mu.replaySent, c.mu.replayDue = m.Time, now, 0
	}
	dseq, count := c.mu.ack.DeliverTo(m.Seq, now, target)
	c.deliveredHW.Store(c.mu.ack.Delivered().Stream)
	if !cand.redel && *pending > 0 {
		*pending--
	}
	c.dirtyLocked()
	c.mu.lastDeliv = time.Unix(0, now)
	meta := jsapi.AckMeta{Stream: c.st.name, Consumer: c.name, Delivered: count, StreamSeq: m.Seq,
		ConsumerSeq: dseq, Timestamp: m.Time, Pending: *pending}
	c.mu.ackBuf = meta.AppendAckSubject(c.mu.ackBuf[:0]) // reused: one allocation, the string
	reply := string(c.mu.ackBuf)
	hdr, data := m.Header, m.Data
	if c.mu.cfg.HeadersOnly {
		hdr = withHeader(hdr, "Nats-Msg-Size", strconv.Itoa(len(data)))
		data = nil
	}
	if pinID != "" {
		hdr = withHeader(hdr, "Nats-Pin-Id", pinID)
	}
	if c.mu.cfg.AckPolicy == jsapi.AckNone {
		res.release = append(res.release, m.Seq)
	}
	size := len(m.Subject) + len(reply) + len(hdr) + len(data)
	return outMsg{target: target, group: c.mu.cfg.DeliverGroup, subj: m.Subject, reply: reply, hdr: hdr, data: data}, size
}

// info builds the consumer's ConsumerInfo.
func (c *consumer) info() *jsapi.ConsumerInfo {
	res := &stepResult{}
	defer res.send(c) // advisories of removals applied here
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removedLocked(res) // report exact counts after deletes and purges
	ack := c.mu.ack
	d, f := ack.Delivered(), ack.AckFloor()
	ci := &jsapi.ConsumerInfo{
		Stream: c.st.name, Name: c.name, Created: c.created.UTC(),
		Config:         c.js.consumerMetadata(c.mu.cfg),
		Delivered:      jsapi.SequenceInfo{Consumer: d.Consumer, Stream: d.Stream, Last: timePtr(c.mu.lastDeliv)},
		AckFloor:       jsapi.SequenceInfo{Consumer: f.Consumer, Stream: f.Stream, Last: timePtr(c.mu.lastAck)},
		NumAckPending:  ack.NumAckPending(),
		NumRedelivered: ack.NumRedelivered(),
		NumWaiting:     len(c.mu.waiting),
		NumPending:     c.numPendingLocked(),
		NumParked:      ack.NumParked(),
		TimeStamp:      time.Now().UTC(),
	}
	if c.mu.cfg.MaxDeliver == 1 {
		ci.NumRedelivered = 0
	}
	ci.DeadLettered, ci.NumDeadLetterPending = c.dlqCountsLocked()
	if c.mu.cfg.DeliverSubject != "" {
		ci.PushBound = c.js.broker.HasInterest(c.mu.cfg.DeliverSubject)
	}
	if c.mu.cfg.PriorityPolicy == jsapi.PriorityPinnedClient && len(c.mu.cfg.PriorityGroups) > 0 {
		pg := jsapi.PriorityGroupState{Group: c.mu.cfg.PriorityGroups[0]}
		if c.mu.pin.id != "" && c.mu.pin.group == pg.Group {
			pg.PinnedClientID = c.mu.pin.id
			pg.PinnedTS = time.Unix(0, c.mu.pin.lastPull).UTC()
		}
		ci.PriorityGroups = []jsapi.PriorityGroupState{pg}
	}
	if c.paused() {
		ci.Paused = true
		ci.PauseRemaining = time.Until(*c.mu.cfg.PauseUntil)
	}
	return ci
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
