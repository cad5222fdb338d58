package jetstream

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// The move of a dead letter, exactly once (docs/dead-letter.md):
//
//  1. The ack core records the dead letter (ackstate.DeadLetter); the
//     persister writes it with the consumer's state. Only then is it
//     "recorded" here: a crash before that redelivers the message, as if
//     the consumer had not given up yet.
//  2. A step hands recorded dead letters to the mover (moveDeadLetter,
//     outside the consumer's lock), which appends the copy to the
//     dead-letter stream with an origin key. The stream keeps an index of
//     origin keys (dlq_index.go): appending a key it already has returns the
//     existing sequence instead of a second copy.
//  3. When the copy is durable, the store's Waiter reports it; the next step
//     calls ackstate.DeadLettered, persists, and releases the source message
//     (reason dead_lettered). A crash before that replays step 2, which
//     finds the key and writes nothing.
//
// A failed append (stream missing, sealed, full) is retried with backoff;
// the message is never redelivered meanwhile, and once dlqMaxIntents are
// waiting the consumer delivers no new messages.

const (
	dlqMaxIntents  = 256 // recorded dead letters that stop new deliveries
	dlqBatch       = 64  // moves started per step
	dlqRetryMin    = 100 * time.Millisecond
	dlqRetryMax    = 30 * time.Second
	numDLQReasons  = int(ackstate.DLManual) + 1
	dlqAdvisoryFmt = "$HF.EVENT.ADVISORY.DLQ.%s.%s.%s"
)

// dlqState is the consumer's side of moves in progress; guarded by c.mu.
type dlqState struct {
	recorded map[uint64]bool // dead letters known to be in a persisted snapshot
	inflight map[uint64]bool // appended, waiting for durability
	retryAt  int64           // no new attempt before (after a failure)
	failures int
	moved    [numDLQReasons]uint64
	holdFor  map[uint64]bool // dead letters a limit waits for (dlq_hold.go)
	// removed is the dead-letter config an update took away: the dead
	// letters recorded before it still go there (their move is decided).
	removed *jsapi.DeadLetterConfig
}

// dlqResults carries the store's durability reports to the consumer; a leaf
// lock, taken from the store's goroutine (and under a stream's lock).
type dlqResults struct {
	mu    sync.Mutex
	items []dlqResult
}

type dlqResult struct {
	seq    uint64 // source stream sequence
	dlqSeq uint64 // its copy's sequence in the dead-letter stream
	dst    string
	err    error
}

func (c *consumer) dlqReport(r dlqResult) {
	c.dlqDone.mu.Lock()
	c.dlqDone.items = append(c.dlqDone.items, r)
	c.dlqDone.mu.Unlock()
	c.poke()
}

// deadLettersRecorded marks dead letters durable in the consumer's state
// (called by the persister after a successful write). Only the dead letters
// still waiting for their copy, with the epoch the snapshot wrote, count:
// the snapshot also holds done ones, and may predate a move that finished
// (or a later dead letter of the same sequence, whose intent is not written).
func (c *consumer) deadLettersRecorded(dead map[uint64]ackstate.DeadLetter) {
	c.mu.Lock()
	if c.mu.dlq.recorded == nil {
		c.mu.dlq.recorded = make(map[uint64]bool)
	}
	for seq, dl := range dead {
		if cur, ok := c.mu.ack.DeadLetterOf(seq); ok && !dl.Done && cur.At == dl.At {
			c.mu.dlq.recorded[seq] = true
		}
	}
	c.mu.Unlock()
	c.js.failpoint("dlq.recorded")
	c.poke()
}

// failpoint calls the test hook at a named point (Options.Failpoint).
func (js *JetStream) failpoint(name string) {
	if f := js.opts.Failpoint; f != nil {
		f(name)
	}
}

// dlqJob is one move handed to the mover.
type dlqJob struct {
	seq uint64
	dl  ackstate.DeadLetter
	cfg jsapi.DeadLetterConfig
}

// deadLettersLocked applies durability reports and starts the moves that
// are due. It runs in every step.
func (c *consumer) deadLettersLocked(res *stepResult, now int64) {
	c.dlqDone.mu.Lock()
	done := c.dlqDone.items
	c.dlqDone.items = nil
	c.dlqDone.mu.Unlock()
	d := &c.mu.dlq
	for _, r := range done {
		delete(d.inflight, r.seq)
		if r.err != nil {
			c.dlqFailedLocked(res, r.seq, r.dst, r.err.Error(), now)
			continue
		}
		dl, ok := c.mu.ack.DeadLetterOf(r.seq)
		if !ok || !c.mu.ack.DeadLettered(r.seq) {
			continue
		}
		delete(d.recorded, r.seq)
		c.answerHoldLocked(res, r.seq)
		d.moved[dl.Reason]++
		d.failures = 0
		c.dirtyLocked()
		res.releaseDead = append(res.releaseDead, r.seq)
		res.adv = append(res.adv, advisory{subj: fmt.Sprintf(dlqAdvisoryFmt, "MOVED", c.st.name, c.name),
			v: &dlqMovedAdvisory{TypedEvent: newEvent(dlqMovedType), Stream: c.st.name, Consumer: c.name,
				StreamSeq: r.seq, Reason: dl.Reason.String(), Deliveries: dl.Deliveries,
				DeadLetterStream: r.dst, DeadLetterSeq: r.dlqSeq}})
	}
	n := c.mu.ack.NumDeadLetters()
	if n == 0 {
		return
	}
	if now < d.retryAt {
		res.wakeAt(d.retryAt)
		return
	}
	cfg := c.mu.cfg.DeadLetter
	if cfg == nil {
		cfg = d.removed
	}
	for _, seq := range c.mu.ack.DeadLetterSeqs() {
		if len(res.dlq) >= dlqBatch {
			res.wakeAt(now) // more next step
			break
		}
		if d.inflight[seq] || (c.cs != nil && !d.recorded[seq]) {
			continue
		}
		if cfg == nil {
			c.dlqFailedLocked(res, seq, "", "the consumer has no dead-letter stream configured", now)
			return
		}
		dl, _ := c.mu.ack.DeadLetterOf(seq)
		if d.inflight == nil {
			d.inflight = make(map[uint64]bool)
		}
		d.inflight[seq] = true
		res.dlq = append(res.dlq, dlqJob{seq: seq, dl: dl, cfg: *cfg})
	}
}

// dlqFailedLocked schedules a retry with backoff and reports why.
func (c *consumer) dlqFailedLocked(res *stepResult, seq uint64, dst, why string, now int64) {
	d := &c.mu.dlq
	if d.retryAt <= now {
		// One backoff step per attempt, however many of its moves failed.
		d.failures++
		d.retryAt = now + int64(min(dlqRetryMin<<min(d.failures-1, 16), dlqRetryMax))
	}
	wait := time.Duration(d.retryAt - now)
	res.wakeAt(d.retryAt)
	c.log.Warn("dead letter not moved, will retry", "seq", seq, "dead_letter_stream", dst, "error", why, "retry_in", wait)
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(dlqAdvisoryFmt, "FAILED", c.st.name, c.name),
		v: &dlqFailedAdvisory{TypedEvent: newEvent(dlqFailedType), Stream: c.st.name, Consumer: c.name,
			StreamSeq: seq, DeadLetterStream: dst, Error: why, Pending: c.mu.ack.NumDeadLetters(), RetryIn: wait}})
}

// errSourceGone: the message left the source stream before its copy was
// made (deleted through the API, or purged).
var errSourceGone = errors.New("jetstream: dead letter's source message is gone")

// moveDeadLetter appends one dead letter to its stream. It runs without
// locks, after a step; the outcome comes back through dlqReport.
func (c *consumer) moveDeadLetter(j dlqJob) {
	m, err := c.st.store.Load(j.seq)
	if err != nil {
		c.dropDeadLetter(j.seq, errSourceGone)
		return
	}
	dst := c.js.lookup(j.cfg.Stream)
	if dst == nil {
		c.dlqReport(dlqResult{seq: j.seq, dst: j.cfg.Stream, err: fmt.Errorf("dead-letter stream %s not found", j.cfg.Stream)})
		return
	}
	src := c.st.config()
	if e := checkDeadLetterStream(dst.config(), &src, j.cfg.SubjectPrefix); e != nil {
		c.dlqReport(dlqResult{seq: j.seq, dst: dst.name, err: e})
		return
	}
	key := originKey{stream: c.st.name, seq: j.seq, consumer: c.name, created: c.created.UnixNano(), epoch: j.dl.At}
	w := &dlqWaiter{c: c, dst: dst, seq: j.seq}
	w.state.Store(ackInline)
	if e := dst.appendDeadLetter(key, func(count int) deadLetterMsg {
		return buildDeadLetter(c, m, j, count)
	}, w); e != nil {
		c.dlqReport(dlqResult{seq: j.seq, dst: dst.name, err: e})
		return
	}
	w.release()
}

// dropDeadLetter forgets a dead letter that cannot be moved any more.
func (c *consumer) dropDeadLetter(seq uint64, why error) {
	res := &stepResult{}
	c.mu.Lock()
	delete(c.mu.dlq.inflight, seq)
	delete(c.mu.dlq.recorded, seq)
	if c.mu.ack.DeadLettered(seq) {
		c.noteDeadLettersLocked()
		c.dirtyLocked()
		c.answerHoldLocked(res, seq)
		res.adv = append(res.adv, advisory{subj: fmt.Sprintf(dlqAdvisoryFmt, "FAILED", c.st.name, c.name),
			v: &dlqFailedAdvisory{TypedEvent: newEvent(dlqFailedType), Stream: c.st.name, Consumer: c.name,
				StreamSeq: seq, Error: why.Error(), Pending: c.mu.ack.NumDeadLetters(), Dropped: true}})
	}
	c.mu.Unlock()
	c.log.Warn("dead letter dropped", "seq", seq, "error", why)
	res.send(c)
}

// dlqWaiter learns when a dead letter's copy is durable. Like ackWaiter, a
// report made inside Append (memstore, under the stream's lock) is passed on
// only after the stream is unlocked (release).
type dlqWaiter struct {
	c      *consumer
	dst    *stream
	seq    uint64
	state  atomic.Int32
	dlqSeq uint64
	err    error
}

func (w *dlqWaiter) Done(seq uint64, err error) {
	w.dlqSeq, w.err = seq, err
	if w.state.CompareAndSwap(ackInline, ackDoneInline) {
		return
	}
	w.finish()
}

func (w *dlqWaiter) release() {
	if w.state.CompareAndSwap(ackInline, ackReleased) {
		return
	}
	w.finish()
}

func (w *dlqWaiter) finish() {
	w.dst.durable.Done(w.dlqSeq, w.err)
	if w.err == nil {
		w.c.js.failpoint("dlq.copied")
	}
	w.c.dlqReport(dlqResult{seq: w.seq, dlqSeq: w.dlqSeq, dst: w.dst.name, err: w.err})
}

// dlqCountsLocked reports the moves done by reason and the dead letters
// waiting, for ConsumerInfo.
func (c *consumer) dlqCountsLocked() (map[string]uint64, int) {
	var out map[string]uint64
	for r, n := range c.mu.dlq.moved {
		if n == 0 {
			continue
		}
		if out == nil {
			out = map[string]uint64{}
		}
		out[ackstate.DLReason(r).String()] = n
	}
	return out, c.mu.ack.NumDeadLetters()
}

// Holdfast advisories about dead letters.
const (
	dlqMovedType   = "io.holdfast.advisory.v1.dlq_moved"
	dlqFailedType  = "io.holdfast.advisory.v1.dlq_failed"
	dlqLateAckType = "io.holdfast.advisory.v1.dlq_late_ack"
)

type dlqMovedAdvisory struct {
	jsapi.TypedEvent
	Stream           string `json:"stream"`
	Consumer         string `json:"consumer"`
	StreamSeq        uint64 `json:"stream_seq"`
	Reason           string `json:"reason"`
	Deliveries       uint64 `json:"deliveries"`
	DeadLetterStream string `json:"dead_letter_stream"`
	DeadLetterSeq    uint64 `json:"dead_letter_seq"`
}

type dlqFailedAdvisory struct {
	jsapi.TypedEvent
	Stream           string        `json:"stream"`
	Consumer         string        `json:"consumer"`
	StreamSeq        uint64        `json:"stream_seq"`
	DeadLetterStream string        `json:"dead_letter_stream,omitempty"`
	Error            string        `json:"error"`
	Pending          int           `json:"pending"`
	RetryIn          time.Duration `json:"retry_in,omitempty"`
	Dropped          bool          `json:"dropped,omitempty"`
}

type dlqLateAckAdvisory struct {
	jsapi.TypedEvent
	Stream    string `json:"stream"`
	Consumer  string `json:"consumer"`
	StreamSeq uint64 `json:"stream_seq"`
	Ack       string `json:"ack"`
}

// lateAckLocked reports an ack, NAK or TERM of a message already recorded
// as a dead letter: it changes nothing.
func (c *consumer) lateAckLocked(res *stepResult, seq uint64, kind string) {
	res.adv = append(res.adv, advisory{subj: fmt.Sprintf(dlqAdvisoryFmt, "LATE_ACK", c.st.name, c.name),
		v: &dlqLateAckAdvisory{TypedEvent: newEvent(dlqLateAckType), Stream: c.st.name, Consumer: c.name, StreamSeq: seq, Ack: kind}})
}

var _ store.Waiter = (*dlqWaiter)(nil)

// retryDeadLetters ends the backoff of consumers whose dead letters wait for
// stream name, after it was created or updated (perhaps unsealed or given
// room): their moves are retried at once instead of after up to 30 s.
func (js *JetStream) retryDeadLetters(name string) {
	for _, st := range js.streams() {
		for _, c := range st.cons.list() {
			c.mu.Lock()
			dl := c.mu.cfg.DeadLetter
			if dl == nil {
				dl = c.mu.dlq.removed
			}
			wake := dl != nil && dl.Stream == name && c.mu.ack.NumDeadLetters() > 0
			if wake {
				c.mu.dlq.retryAt = 0
			}
			c.mu.Unlock()
			if wake {
				c.poke()
			}
		}
	}
}
