package jetstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Headers of a republished dead letter, besides the restored originals.
const (
	redriveHdrOrigin = "Holdfast-Redrive-Origin" // <dlq stream>/<dlq seq>
	redriveHdrTask   = "Holdfast-Redrive-Task"
	redriveReplyRoot = "$HF.REDRIVE.ACK"
)

// errRedriveStopped: the subsystem shuts down in the middle of a message;
// the message is done again after the restart.
var errRedriveStopped = errors.New("jetstream: redrive stopped")

// deadLetterMeta is what a dead letter's headers say about its origin.
type deadLetterMeta struct {
	origin   string
	stream   string
	consumer string
	reason   string
	subject  string
	seq      uint64
	at       time.Time
	created  int64 // the consumer's creation time, from the origin key
}

// readDeadLetter parses a dead letter's headers; ok is false for a message
// that is not a dead letter.
func readDeadLetter(m *store.Msg) (deadLetterMeta, bool) {
	get := func(k string) string { return string(proto.HeaderGet(m.Header, k)) }
	d := deadLetterMeta{origin: get(dlqHdrOrigin), stream: get(dlqHdrStream), consumer: get(dlqHdrConsumer),
		reason: get(dlqHdrReason), subject: get(dlqHdrSubject)}
	if d.origin == "" || d.stream == "" || d.subject == "" {
		return d, false
	}
	d.seq, _ = strconv.ParseUint(get(dlqHdrSequence), 10, 64)
	d.at, _ = time.Parse(time.RFC3339Nano, get(dlqHdrTime))
	// stream/seq/consumer/created/epoch; the names never contain '/'.
	if parts := strings.Split(d.origin, "/"); len(parts) == 5 {
		d.created, _ = strconv.ParseInt(parts[3], 10, 64)
	}
	return d, d.seq > 0
}

// matches reports whether the filter selects a dead letter.
func (f *redriveFilter) matches(d deadLetterMeta) bool {
	switch {
	case f.Stream != "" && f.Stream != d.stream,
		f.Consumer != "" && f.Consumer != d.consumer,
		f.Reason != "" && f.Reason != d.reason,
		f.Subject != "" && !subject.Match(f.Subject, d.subject),
		f.SeqFrom > 0 && d.seq < f.SeqFrom,
		f.SeqTo > 0 && d.seq > f.SeqTo,
		f.Since != nil && d.at.Before(*f.Since):
		return false
	}
	return true
}

// redriveAcks receives the PubAcks of a task's republishes, on the
// publishing stream's goroutine; it never blocks.
type redriveAcks struct{ ch chan redriveAck }

type redriveAck struct {
	subject string
	data    []byte
}

func (a redriveAcks) Deliver(_ *broker.Subscription, subj, _, _, payload []byte) {
	select {
	case a.ch <- redriveAck{subject: string(subj), data: bytes.Clone(payload)}:
	default: // a stale ack nobody waits for any more
	}
}

// run is the task's goroutine: it walks the dead-letter stream until the
// task ends or the subsystem stops.
func (t *redriveTask) run() {
	info := t.info()
	var acks *redriveAcks
	if info.Config.Mode == redriveModeRepublish {
		acks = &redriveAcks{ch: make(chan redriveAck, 4)}
		sub := &broker.Subscription{Subject: redriveReplyRoot + "." + info.ID + ".*", Owner: *acks}
		if err := t.js.broker.Subscribe(sub); err != nil {
			t.end(redriveFailed, "subscribe for PubAcks: "+err.Error())
			return
		}
		defer t.js.broker.Unsubscribe(sub)
	}
	var interval time.Duration
	if r := info.Config.Rate; r > 0 {
		interval = time.Duration(float64(time.Second) / r)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	unsaved, lastSave := 0, time.Now()
	for {
		info = t.info()
		switch info.State {
		case redriveCancelled:
			t.end(redriveCancelled, "")
			return
		case redrivePaused:
			t.save()
			select {
			case <-t.js.stop:
				return
			case <-t.ctl:
			}
			continue
		}
		select {
		case <-t.js.stop:
			t.save()
			return
		default:
		}
		dlq := t.js.lookup(info.DLQ)
		if dlq == nil {
			t.end(redriveFailed, "dead-letter stream "+info.DLQ+" not found")
			return
		}
		m, err := dlq.store.LoadNext("", info.LastSeq+1)
		if err != nil || m.Seq > info.UpTo {
			t.end(redriveFinished, "")
			return
		}
		acted, err := t.process(dlq, m, acks)
		if errors.Is(err, errRedriveStopped) {
			t.save()
			return
		}
		t.record(m.Seq, acted, err)
		// A reopen is checkpointed at once: repeating it after the consumer
		// acked the redelivery would deliver the message again.
		reopened := acted && err == nil && info.Config.Mode == redriveModeReopen
		if unsaved++; reopened || unsaved >= redriveSaveEvery || time.Since(lastSave) >= redriveSavePeriod {
			t.save()
			unsaved, lastSave = 0, time.Now()
		}
		if acted && interval > 0 {
			timer.Reset(interval)
			select {
			case <-t.js.stop:
				t.save()
				return
			case <-t.ctl: // a state change cuts the wait short
			case <-timer.C:
			}
			timer.Stop()
		}
	}
}

// record counts the outcome of one dead letter.
func (t *redriveTask) record(seq uint64, matched bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := &t.mu.info
	i.LastSeq, i.Updated = seq, time.Now().UTC()
	switch {
	case !matched:
		i.Skipped++
	case err != nil:
		i.Matched++
		i.Failed++
		i.LastError = fmt.Sprintf("dead letter %d: %v", seq, err)
	default:
		i.Matched++
		i.Done++
	}
}

// end finishes the task, checkpoints and reports it.
func (t *redriveTask) end(state, why string) {
	t.mu.Lock()
	now := time.Now().UTC()
	i := &t.mu.info
	i.State, i.Updated, i.Ended = state, now, &now
	if why != "" {
		i.LastError = why
	}
	info := *i
	t.mu.Unlock()
	t.save()
	kind := strings.ToUpper(state)
	if state == redriveFailed {
		t.js.log.Error("redrive failed", "task", info.ID, "dlq", info.DLQ, "error", why)
	} else {
		t.js.log.Info("redrive ended", "task", info.ID, "state", state, "done", info.Done, "failed", info.Failed)
	}
	t.js.adviseRedrive(kind, info)
	t.js.redrive.prune(t.js)
}

// process redrives one dead letter when the filter selects it; matched
// says whether it did. A failure is counted and the task goes on.
func (t *redriveTask) process(dlq *stream, m *store.Msg, acks *redriveAcks) (matched bool, err error) {
	info := t.info()
	d, ok := readDeadLetter(m)
	if !ok || !info.Config.Filter.matches(d) {
		return false, nil
	}
	switch info.Config.Mode {
	case redriveModeReopen:
		err = t.js.reopen(d)
	default:
		err = t.republish(info, d, m, acks)
	}
	if err != nil {
		return true, err
	}
	if info.Config.Action != redriveActionCopy {
		if _, derr := dlq.store.Delete(m.Seq, false, store.ReasonDelete); derr != nil && !errors.Is(derr, store.ErrNotFound) {
			return true, fmt.Errorf("redriven, but not deleted from %s: %w", dlq.name, derr)
		}
	}
	return true, nil
}

// reopen makes a dead letter's source message pending again for its
// consumer, with the delivery count reset.
func (js *JetStream) reopen(d deadLetterMeta) error {
	st := js.lookup(d.stream)
	if st == nil {
		return fmt.Errorf("source stream %s not found", d.stream)
	}
	c := st.cons.get(d.consumer)
	if c == nil {
		return fmt.Errorf("consumer %s of stream %s not found", d.consumer, d.stream)
	}
	if d.created != 0 && d.created != c.created.UnixNano() {
		return fmt.Errorf("consumer %s was re-created since the message was dead-lettered", d.consumer)
	}
	if _, err := st.store.Load(d.seq); err != nil {
		return fmt.Errorf("source message %s/%d is gone", d.stream, d.seq)
	}
	return c.reopen(d.seq)
}

// reopen makes seq pending again, due for redelivery at once (a redrive).
// A sequence already pending again (a redrive repeated after a restart)
// is left alone.
func (c *consumer) reopen(seq uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return fmt.Errorf("consumer %s is closed", c.name)
	}
	if c.mu.ack.Reopen(seq) {
		c.dirtyLocked()
		c.poke()
		return nil
	}
	switch st := c.mu.ack.Inspect(seq).Status; st {
	case ackstate.StatusPending, ackstate.StatusRedeliveryQueued:
		return nil
	default:
		return fmt.Errorf("sequence %d is %s for consumer %s", seq, st, c.name)
	}
}

// republish publishes a restored copy of a dead letter and waits for the
// target stream's PubAck.
func (t *redriveTask) republish(info redriveInfo, d deadLetterMeta, m *store.Msg, acks *redriveAcks) error {
	subj := info.Config.Subject
	if subj == "" {
		subj = d.subject
	}
	hdr := redriveHeaders(m.Header, redriveMsgID(info.ID, m.Seq), info.DLQ+"/"+strconv.FormatUint(m.Seq, 10), info.ID)
	reply := redriveReplyRoot + "." + info.ID + "." + strconv.FormatUint(m.Seq, 10)
	for drained := false; !drained; { // forget acks of an earlier, timed-out attempt
		select {
		case <-acks.ch:
		default:
			drained = true
		}
	}
	if t.js.broker.Publish(nil, []byte(subj), []byte(reply), hdr, m.Data) == 0 {
		return fmt.Errorf("no stream captures %s", subj)
	}
	timer := time.NewTimer(redriveAckWait)
	defer timer.Stop()
	for {
		select {
		case <-t.js.stop:
			return errRedriveStopped
		case <-timer.C:
			return fmt.Errorf("no PubAck for %s within %v", subj, redriveAckWait)
		case a := <-acks.ch:
			if a.subject != reply {
				continue
			}
			var pa struct {
				Error *struct {
					Description string `json:"description"`
				} `json:"error"`
				Stream string `json:"stream"`
			}
			if err := json.Unmarshal(a.data, &pa); err != nil {
				return fmt.Errorf("PubAck for %s: %v", subj, err)
			}
			if pa.Error != nil {
				return fmt.Errorf("publish to %s: %s", subj, pa.Error.Description)
			}
			return nil
		}
	}
}

// redriveHeaders restores a dead letter's original headers: the renamed
// Holdfast-Dlq-Orig-<Name> become <Name> again, except Nats-Msg-Id and
// Nats-Expected-* (the stream would drop or reject the republish), and the
// dead letter's own Holdfast-Dlq-* headers and an earlier redrive's
// Holdfast-Redrive-* go. A Nats-Msg-Id made of the
// task and the dead letter's sequence de-duplicates a repeat after a
// restart; Holdfast-Redrive-Origin and -Task say where the copy came from.
func redriveHeaders(hdr []byte, msgID, origin, task string) []byte {
	h := proto.AppendHeaderStart(nil, 0, "")
	headerFields(hdr, func(n string, value []byte) {
		if orig, isOrig := strings.CutPrefix(n, dlqHdrOrigPrefix); isOrig {
			n = orig
		} else if strings.HasPrefix(n, dlqHdrPrefix) {
			return
		}
		// The redrive sets these itself (an earlier redrive's stay out).
		lower := strings.ToLower(n)
		if lower == "nats-msg-id" || strings.HasPrefix(lower, "nats-expected-") || strings.HasPrefix(lower, "holdfast-redrive-") {
			return
		}
		h = proto.AppendHeaderField(h, n, value)
	})
	h = proto.AppendHeaderField(h, "Nats-Msg-Id", msgID)
	h = proto.AppendHeaderField(h, redriveHdrOrigin, origin)
	h = proto.AppendHeaderField(h, redriveHdrTask, task)
	return proto.AppendHeaderEnd(h)
}
