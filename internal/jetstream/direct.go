package jetstream

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// Direct get (JETSTREAM-API.md §5, JETSTREAM-MESSAGING.md §9): raw
// messages with Nats-Stream/-Subject/-Sequence/-Time-Stamp headers, or
// header-only status replies. Served by the API workers like JSON requests.

const defaultDirectMaxBytes = 64 << 20

// directSubscriber queues direct gets for one stream.
type directSubscriber struct{ st *stream }

func (d directSubscriber) Deliver(_ *broker.Subscription, subj, reply, hdr, payload []byte) {
	if len(reply) == 0 {
		return
	}
	d.st.js.enqueue(&apiRequest{subject: string(subj), reply: string(reply),
		hdr: bytes.Clone(hdr), payload: bytes.Clone(payload), direct: d.st})
}

// directKey returns the subject-form key of a direct get ("" for the
// general form) and whether the subject belongs to this stream.
func (st *stream) directKey(subj string) (string, bool) {
	for _, p := range []string{jsapi.APIPrefix, st.js.domainPrefix()} {
		if p == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(subj, p+".DIRECT.GET."+st.name); ok {
			if rest == "" {
				return "", true
			}
			if key, ok := strings.CutPrefix(rest, "."); ok {
				return key, true
			}
		}
	}
	return "", false
}

func (st *stream) serveDirect(r *apiRequest) {
	js := st.js
	if checkAPILevel(r.hdr) != nil {
		js.replyStatus(r.reply, 412, jsapi.StatusRequiredAPILevel)
		return
	}
	key, ok := st.directKey(r.subject)
	if !ok {
		return
	}
	req, code, desc := parseDirect(key, r.payload)
	if code != 0 {
		js.replyStatus(r.reply, code, desc)
		return
	}
	switch {
	case len(req.MultiLastFor) > 0:
		st.directMultiLast(r.reply, &req)
	case req.Batch > 0:
		st.directBatch(r.reply, &req)
	default:
		m, err := st.get(&req)
		if err != nil {
			st.directError(r.reply, err)
			return
		}
		st.sendDirect(r.reply, m, req.NoHeaders, nil)
	}
}

// parseDirect decodes and checks a direct get request; a non-zero code is
// the 408 status to answer with.
func parseDirect(key string, payload []byte) (jsapi.MsgGetRequest, int, string) {
	var req jsapi.MsgGetRequest
	empty := len(bytes.TrimSpace(payload)) == 0
	if key != "" {
		if !empty {
			if e := jsapi.DecodeLenient(payload, &req); e != nil {
				return req, 408, jsapi.StatusMalformedRequest
			}
			if !onlyHdrAndSize(req) {
				return req, 408, jsapi.StatusBadRequest
			}
		}
		req.LastFor = key
		return req, 0, ""
	}
	if empty {
		return req, 408, jsapi.StatusEmptyRequest
	}
	if e := jsapi.DecodeLenient(payload, &req); e != nil {
		return req, 408, jsapi.StatusMalformedRequest
	}
	if req.Seq == 0 && req.LastFor == "" && req.NextFor == "" && len(req.MultiLastFor) == 0 && req.StartTime == nil {
		return req, 408, jsapi.StatusEmptyRequest
	}
	switch {
	case !validMsgGet(&req),
		req.LastFor != "" && (req.Batch > 0 || len(req.MultiLastFor) > 0),
		req.NextFor != "" && len(req.MultiLastFor) > 0,
		req.UpToSeq > 0 && req.UpToTime != nil:
		return req, 408, jsapi.StatusBadRequest
	}
	return req, 0, ""
}

// onlyHdrAndSize reports whether req sets nothing but no_hdr and max_bytes,
// all a subject-form direct get may carry.
func onlyHdrAndSize(req jsapi.MsgGetRequest) bool {
	return req.Seq == 0 && req.LastFor == "" && req.NextFor == "" && req.Batch == 0 &&
		req.StartTime == nil && len(req.MultiLastFor) == 0 && req.UpToSeq == 0 && req.UpToTime == nil
}

func (st *stream) directError(reply string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		st.js.replyStatus(reply, 404, jsapi.StatusMessageNotFound)
		return
	}
	st.js.replyStatus(reply, 500, err.Error())
}

// directField is an extra header appended to a direct-get reply.
type directField struct{ key, value string }

// sendDirect publishes one stored message to reply with the direct-get headers.
func (st *stream) sendDirect(reply string, m *store.Msg, noHdr bool, extra []directField) {
	var hdr []byte
	if !noHdr {
		if len(m.Header) >= 4 && bytes.HasSuffix(m.Header, []byte("\r\n\r\n")) {
			hdr = append(hdr, m.Header[:len(m.Header)-2]...)
		} else {
			hdr = proto.AppendHeaderStart(hdr, 0, "")
		}
		hdr = proto.AppendHeaderField(hdr, jsapi.StreamHeader, st.name)
		hdr = proto.AppendHeaderField(hdr, jsapi.SubjectHeader, m.Subject)
		hdr = proto.AppendHeaderField(hdr, jsapi.SequenceHeader, strconv.FormatUint(m.Seq, 10))
		hdr = proto.AppendHeaderField(hdr, jsapi.TimeStampHeader, unixTime(m.Time).Format(time.RFC3339Nano))
		for _, f := range extra {
			hdr = proto.AppendHeaderField(hdr, f.key, f.value)
		}
		hdr = proto.AppendHeaderEnd(hdr)
	}
	st.js.broker.Publish(nil, []byte(reply), nil, hdr, m.Data)
}

// sendEOB ends a batch: "NATS/1.0 204 EOB" with the pending count and the
// last sequence sent (and the ceiling for multi_last).
func (st *stream) sendEOB(reply string, pending, last uint64, upTo uint64) {
	hdr := proto.AppendHeaderStart(nil, 204, jsapi.StatusEOB)
	hdr = proto.AppendHeaderField(hdr, jsapi.NumPendingHeader, strconv.FormatUint(pending, 10))
	hdr = proto.AppendHeaderField(hdr, jsapi.LastSequenceHeader, strconv.FormatUint(last, 10))
	if upTo > 0 {
		hdr = proto.AppendHeaderField(hdr, jsapi.UpToSequenceHeader, strconv.FormatUint(upTo, 10))
	}
	hdr = proto.AppendHeaderEnd(hdr)
	st.js.broker.Publish(nil, []byte(reply), nil, hdr, nil)
}

// directBatch sends up to batch messages from seq (or start_time) that
// match next_by_subj, stopping early at max_bytes. Like nats-server it
// ignores up_to_seq / up_to_time, which bound multi_last only.
func (st *stream) directBatch(reply string, req *jsapi.MsgGetRequest) {
	start := max(req.Seq, 1)
	if req.StartTime != nil {
		start = st.seqAtTime(*req.StartTime)
	}
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = defaultDirectMaxBytes
	}
	var last, pending uint64
	sent, size := 0, 0
	for sent < req.Batch && size < maxBytes {
		m, err := st.store.LoadNext(req.NextFor, start)
		if err != nil {
			if sent == 0 {
				st.directError(reply, store.ErrNotFound)
				return
			}
			break
		}
		// Count what is left once, then count down: each next message is the
		// next match, so recounting per message made a batch O(n^2).
		if sent == 0 {
			pending = st.store.FilteredState(req.NextFor, m.Seq+1).Msgs
		} else if pending > 0 {
			pending--
		}
		st.sendDirect(reply, m, req.NoHeaders, []directField{
			{jsapi.NumPendingHeader, strconv.FormatUint(pending, 10)},
			{jsapi.LastSequenceHeader, strconv.FormatUint(last, 10)},
		})
		last, start = m.Seq, m.Seq+1
		sent++
		size += len(m.Subject) + len(m.Header) + len(m.Data)
	}
	st.sendEOB(reply, pending, last, 0)
}

// directMultiLast sends the last message of every subject matching the
// multi_last filters, in sequence order, up to up_to_seq / up_to_time.
func (st *stream) directMultiLast(reply string, req *jsapi.MsgGetRequest) {
	upTo := st.store.State().LastSeq
	if req.UpToSeq > 0 {
		upTo = min(upTo, req.UpToSeq)
	}
	if req.UpToTime != nil {
		upTo = min(upTo, st.seqAtTime(*req.UpToTime)-1)
	}
	seen := make(map[uint64]bool)
	var seqs []uint64
	for _, f := range req.MultiLastFor {
		for subj, ss := range st.store.SubjectsState(f) {
			seq := ss.Last
			if seq > upTo {
				m, err := st.store.LoadPrev(subj, upTo)
				if err != nil {
					continue
				}
				seq = m.Seq
			}
			if !seen[seq] {
				seen[seq] = true
				seqs = append(seqs, seq)
			}
		}
	}
	switch {
	case len(seqs) == 0:
		st.js.replyStatus(reply, 404, jsapi.StatusNoResults)
		return
	case len(seqs) > jsapi.MultiLastLimit:
		st.js.replyStatus(reply, 413, jsapi.StatusTooManyResults)
		return
	}
	slices.Sort(seqs)
	if req.Batch > 0 && len(seqs) > req.Batch {
		seqs = seqs[:req.Batch]
	}
	var last uint64
	for i, seq := range seqs {
		m, err := st.store.Load(seq)
		if err != nil {
			continue
		}
		st.sendDirect(reply, m, req.NoHeaders, []directField{
			{jsapi.NumPendingHeader, strconv.Itoa(len(seqs) - i - 1)},
			{jsapi.LastSequenceHeader, strconv.FormatUint(last, 10)},
		})
		last = seq
	}
	st.sendEOB(reply, 0, last, upTo)
}
