package jetstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// Deliver stores a message published on one of the stream's subjects. It
// runs on the publisher's goroutine; the PubAck is sent later, by the
// store's Waiter, once the message is durable.
func (st *stream) Deliver(_ *broker.Subscription, subj, reply, hdr, payload []byte) {
	now := st.js.now()
	st.mu.Lock()
	if st.mu.closed {
		st.mu.Unlock()
		return
	}
	noAck := st.mu.cfg.NoAck || len(reply) == 0
	var w *ackWaiter
	if !noAck {
		w = &ackWaiter{st: st, reply: string(reply)}
		w.state.Store(ackInline)
	}
	var waiter store.Waiter
	if w != nil {
		waiter = w
	}
	res := st.storeLocked(subj, hdr, payload, now, waiter)
	st.mu.Unlock()
	if res.republish != nil {
		// After unlocking: the destination may be another stream's subject.
		st.js.broker.Publish(nil, []byte(res.republish.subject), nil, res.republish.hdr, res.republish.data)
	}

	switch {
	case noAck:
	case res.err != nil:
		st.replyAck(w.reply, &jsapi.PubAckResponse{Error: res.err, PubAck: &jsapi.PubAck{Stream: st.name}})
	case res.dup:
		st.durable.whenDurable(res.seq, func(err error) { st.sendAck(w.reply, res.seq, true, err) })
	default:
		w.release()
	}
}

// pubResult is the outcome of storeLocked.
type pubResult struct {
	err    *jsapi.ApiError
	seq    uint64
	dup    bool // a Nats-Msg-Id duplicate of seq: nothing stored
	stored bool
	// republish is the copy to publish once the stream is unlocked.
	republish *republished
}

type republished struct {
	subject   string
	hdr, data []byte
}

// pubHeaders are the publish headers that take part in more than one check.
type pubHeaders struct {
	msgID  string
	ttl    int64 // ns; 0 none, -1 never
	ttlBad bool
	rollup string
}

// storeLocked runs the checks of JETSTREAM-MESSAGING.md §1.3 in order and
// appends the message. The append's Waiter is w, or the stream's own
// durable mark when nobody waits (w nil).
func (st *stream) storeLocked(subj, hdr, payload []byte, now int64, w store.Waiter) pubResult {
	cfg := &st.mu.cfg
	if cfg.Sealed {
		return pubResult{err: jsapi.NewError(jsapi.JSStreamSealedErr)}
	}
	if tr := st.mu.transform; tr != nil {
		// The stream stores (and checks) the transformed subject.
		if d, ok := tr.apply(string(subj)); ok {
			subj = []byte(d)
		}
	}
	var ph pubHeaders
	if len(hdr) > 0 {
		var res pubResult
		if ph, res = st.checkHeadersLocked(subj, hdr, now); res.err != nil || res.dup {
			return res
		}
	}
	if cfg.MaxMsgSize > 0 && len(hdr)+len(payload) > int(cfg.MaxMsgSize) {
		return pubResult{err: jsapi.NewError(jsapi.JSStreamMessageExceedsMaximumErr)}
	}
	if len(hdr) > 65535 {
		return pubResult{err: jsapi.NewError(jsapi.JSStreamHeaderExceedsMaximumErr)}
	}
	if st.js.overLimit(st.storage) {
		return pubResult{err: jsapi.NewError(jsapi.JSInsufficientResourcesErr)}
	}
	if ph.ttlBad {
		return pubResult{err: jsapi.NewError(jsapi.JSMessageTTLInvalidErr)}
	}
	if e := st.checkDiscardNewLocked(string(subj), len(hdr), len(payload), ph.rollup != ""); e != nil {
		return pubResult{err: e}
	}
	ttl := ph.ttl
	if ttl > 0 && cfg.SubjectDeleteMarkerTTL > 0 && cfg.MaxMsgsPerSubject != 1 && ttl < int64(cfg.SubjectDeleteMarkerTTL) {
		// nats-server stores the marker TTL in place of a shorter one (§1.5);
		// the stored header keeps the client's value here.
		ttl = int64(cfg.SubjectDeleteMarkerTTL)
	}
	var rpDest string
	var rpLast uint64
	if tr := st.mu.republish; tr != nil {
		if d, ok := tr.apply(string(subj)); ok {
			rpDest = d
			if m, err := st.store.LoadLast(string(subj)); err == nil {
				rpLast = m.Seq
			}
		}
	}
	var waiter store.Waiter = &st.durable
	if w != nil {
		waiter = w
	}
	seq, err := st.store.Append(string(subj), hdr, payload, now, ttl, waiter)
	if err != nil {
		st.log.Error("append failed", "subject", string(subj), "error", err)
		return pubResult{err: jsapi.NewError(jsapi.JSStreamStoreFailedF, "err", err.Error())}
	}
	st.cons.kickAll()
	st.mu.lastMsgID = ph.msgID
	if ph.msgID != "" {
		st.mu.dedup.add(ph.msgID, seq, now, now)
	}
	if cfg.Retention == jsapi.InterestPolicy && !st.hasInterestLocked(string(subj)) {
		// Interest retention keeps nothing nobody will consume: the sequence
		// is used (and the id recorded), the message is not kept (RETENTION.md §3.2).
		if _, err := st.store.Delete(seq, false, store.ReasonAcked); err != nil {
			st.log.Error("no-interest message not removed", "seq", seq, "error", err)
		}
	}
	if ph.rollup != "" {
		st.rollupLocked(string(subj), ph.rollup, seq)
	}
	if cfg.SubjectDeleteMarkerTTL > 0 && isMarker(hdr) {
		st.noteMarkerLocked(seq)
	}
	st.armLocked(expiryDue(cfg, now, ttl))
	res := pubResult{seq: seq, stored: true}
	if rpDest != "" {
		res.republish = st.republishMsg(rpDest, string(subj), hdr, payload, seq, rpLast, now)
	}
	return res
}

// checkHeadersLocked applies the Nats-* publish headers up to and including
// the rollup permission check.
func (st *stream) checkHeadersLocked(subj, hdr []byte, now int64) (pubHeaders, pubResult) {
	cfg := &st.mu.cfg
	var ph pubHeaders
	fail := func(id jsapi.ErrorID, kv ...string) (pubHeaders, pubResult) {
		return ph, pubResult{err: jsapi.NewError(id, kv...)}
	}
	if v := proto.HeaderGet(hdr, jsapi.ExpectedStreamHeader); v != nil && string(v) != st.name {
		return fail(jsapi.JSStreamNotMatchErr)
	}
	if v := proto.HeaderGet(hdr, jsapi.TTLHeader); v != nil {
		ttl, err := parseTTL(string(v))
		switch {
		case err == nil && ttl != 0 && !cfg.AllowMsgTTL:
			return fail(jsapi.JSMessageTTLDisabledErr)
		case err != nil:
			ph.ttlBad = true
		}
		ph.ttl = ttl
	}
	if v := proto.HeaderGet(hdr, jsapi.ExpectedLastSubjSeqHeader); v != nil {
		if want, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			filter := string(subj)
			if f := proto.HeaderGet(hdr, jsapi.ExpectedLastSubjSeqSubjHeader); len(f) > 0 {
				filter = string(f)
			}
			var last uint64
			if m, err := st.store.LoadLast(filter); err == nil {
				last = m.Seq
			}
			if last != want {
				return fail(jsapi.JSStreamWrongLastSequenceErrF, "seq", strconv.FormatUint(last, 10))
			}
		}
	} else if proto.HeaderGet(hdr, jsapi.ExpectedLastSubjSeqSubjHeader) != nil {
		return fail(jsapi.JSStreamExpectedLastSeqPerSubjectInvalid)
	}
	if v := proto.HeaderGet(hdr, jsapi.ExpectedLastSeqHeader); v != nil {
		if want, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			if last := st.store.State().LastSeq; last != want {
				return fail(jsapi.JSStreamWrongLastSequenceErrF, "seq", strconv.FormatUint(last, 10))
			}
		}
	}
	if proto.HeaderGet(hdr, jsapi.StreamSourceHeader) != nil {
		return fail(jsapi.JSMessageSourceHdrNotAllowedErr)
	}
	if v := proto.HeaderGet(hdr, jsapi.MsgIDHeader); len(v) > 0 {
		ph.msgID = string(v)
		if seq, ok := st.mu.dedup.find(ph.msgID, now); ok {
			return ph, pubResult{seq: seq, dup: true}
		}
	}
	if v := proto.HeaderGet(hdr, jsapi.ExpectedLastMsgIDHeader); v != nil && string(v) != st.mu.lastMsgID {
		return fail(jsapi.JSStreamWrongLastMsgIDErrF, "id", st.mu.lastMsgID)
	}
	if v := proto.HeaderGet(hdr, jsapi.RollupHeader); v != nil {
		if !cfg.AllowRollup || cfg.DenyPurge {
			return fail(jsapi.JSStreamRollupFailedF, "err", "rollup not permitted")
		}
		switch r := strings.ToLower(string(v)); r {
		case jsapi.RollupSubject, jsapi.RollupAll:
			ph.rollup = r
		default:
			return fail(jsapi.JSStreamRollupFailedF, "err", "rollup value invalid: "+strconv.Quote(string(v)))
		}
	}
	return ph, pubResult{}
}

// errTTL is a Nats-TTL value that does not parse or is below one second.
var errTTL = errors.New("jetstream: invalid per-message TTL")

// parseTTL reads a Nats-TTL value: "never", whole seconds, or a Go
// duration of at least one second. "0" means no TTL.
func parseTTL(v string) (int64, error) {
	if strings.EqualFold(v, jsapi.TTLNever) {
		return -1, nil
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > math.MaxInt64/int64(time.Second) {
			return 0, errTTL
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, errTTL
	}
	switch {
	case d == 0:
		return 0, nil
	case d < time.Second:
		return 0, errTTL
	}
	return int64(d), nil
}

// checkDiscardNewLocked enforces discard-new limits before the append
// (RETENTION.md §2). A message whose subject is already at its per-subject
// limit replaces that subject's oldest and so does not count against
// max_msgs; rollups bypass discard_new_per_subject.
func (st *stream) checkDiscardNewLocked(subj string, hdrLen, dataLen int, rollup bool) *jsapi.ApiError {
	cfg := &st.mu.cfg
	if cfg.Discard != jsapi.DiscardNew {
		return nil
	}
	perSubj := cfg.MaxMsgsPerSubject > 0
	if !perSubj && cfg.MaxMsgs <= 0 && cfg.MaxBytes <= 0 {
		return nil
	}
	var subjMsgs uint64
	if perSubj {
		subjMsgs = st.store.FilteredState(subj, 0).Msgs
		if cfg.DiscardNewPerSubject && !rollup && subjMsgs >= uint64(cfg.MaxMsgsPerSubject) {
			return jsapi.NewError(jsapi.JSStreamStoreFailedF, "err", "maximum messages per subject exceeded")
		}
	}
	atSubjLimit := perSubj && subjMsgs >= uint64(cfg.MaxMsgsPerSubject)
	if cfg.MaxMsgs <= 0 && cfg.MaxBytes <= 0 {
		return nil
	}
	ss := st.store.State()
	if cfg.MaxMsgs > 0 && ss.Msgs >= uint64(cfg.MaxMsgs) && !atSubjLimit {
		return jsapi.NewError(jsapi.JSStreamStoreFailedF, "err", "maximum messages exceeded")
	}
	if cfg.MaxBytes > 0 {
		size := store.MsgSize(len(subj), hdrLen, dataLen)
		if ss.Bytes+size > uint64(cfg.MaxBytes) {
			freed := uint64(0)
			if atSubjLimit {
				if m, err := st.store.LoadNext(subj, 0); err == nil {
					freed = m.Size()
				}
			}
			if ss.Bytes+size-freed > uint64(cfg.MaxBytes) {
				return jsapi.NewError(jsapi.JSStreamStoreFailedF, "err", "maximum bytes exceeded")
			}
		}
	}
	return nil
}

// republishMsg builds the copy of a stored message for republish
// (JETSTREAM-MESSAGING.md §7): the stored headers, then Nats-Stream,
// -Subject, -Sequence, -Time-Stamp, -Last-Sequence, and with headers_only
// Nats-Msg-Size instead of the payload.
func (st *stream) republishMsg(dest, subj string, hdr, payload []byte, seq, last uint64, now int64) *republished {
	var h []byte
	if len(hdr) >= 4 && bytes.HasSuffix(hdr, []byte("\r\n\r\n")) {
		h = append(h, hdr[:len(hdr)-2]...)
	} else {
		h = proto.AppendHeaderStart(h, 0, "")
	}
	h = proto.AppendHeaderField(h, jsapi.StreamHeader, st.name)
	h = proto.AppendHeaderField(h, jsapi.SubjectHeader, subj)
	h = proto.AppendHeaderField(h, jsapi.SequenceHeader, strconv.FormatUint(seq, 10))
	h = proto.AppendHeaderField(h, jsapi.TimeStampHeader, unixTime(now).Format(time.RFC3339Nano))
	h = proto.AppendHeaderField(h, jsapi.LastSequenceHeader, strconv.FormatUint(last, 10))
	data := bytes.Clone(payload)
	if st.mu.cfg.RePublish.HeadersOnly {
		h = proto.AppendHeaderField(h, jsapi.MsgSizeHeader, strconv.Itoa(len(payload)))
		data = nil
	}
	return &republished{subject: dest, hdr: proto.AppendHeaderEnd(h), data: data}
}

// hasInterestLocked reports whether a consumer of an interest stream would
// want a message on subj (retention.go).
func (st *stream) hasInterestLocked(subj string) bool { return st.anyConsumerWants(subj) }

// rollupLocked purges what a Nats-Rollup message replaces: the subject's
// other messages ("sub") or the whole stream's ("all").
func (st *stream) rollupLocked(subj, kind string, seq uint64) {
	opts := store.PurgeOpts{Seq: seq}
	if kind == jsapi.RollupSubject {
		opts.Subject = subj
	}
	if _, err := st.store.Purge(opts); err != nil {
		st.log.Error("rollup purge failed", "subject", subj, "seq", seq, "error", err)
	}
}

// replyAck publishes a PubAck or its error to reply.
func (st *stream) replyAck(reply string, resp *jsapi.PubAckResponse) {
	resp.PubAck.Domain = st.js.opts.Domain
	var data []byte
	if resp.Error == nil {
		data = resp.PubAck.AppendJSON(nil)
	} else {
		data, _ = json.Marshal(pubAckError{Error: resp.Error, Stream: resp.PubAck.Stream, Domain: resp.PubAck.Domain})
	}
	st.js.broker.Publish(nil, []byte(reply), nil, nil, data)
}

// sendAck answers a publish once its fate is known.
func (st *stream) sendAck(reply string, seq uint64, dup bool, err error) {
	resp := &jsapi.PubAckResponse{PubAck: &jsapi.PubAck{Stream: st.name}}
	if err != nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamStoreFailedF, "err", err.Error())
	} else {
		resp.PubAck.Sequence, resp.PubAck.Duplicate = seq, dup
	}
	st.replyAck(reply, resp)
}

// pubAckError is an error PubAck in nats-server's field order:
// {"error":{...},"stream":"S","seq":0}.
type pubAckError struct {
	Error  *jsapi.ApiError `json:"error"`
	Stream string          `json:"stream"`
	Domain string          `json:"domain,omitempty"`
	Seq    uint64          `json:"seq"`
}
