package jetstream

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// Handlers of $JS.API.STREAM.{PURGE,MSG.GET,MSG.DELETE} (JETSTREAM-API.md
// §3.5, §3.7, §3.8).

func (js *JetStream) apiStreamPurge(r *apiRequest, name string) any {
	resp := &jsapi.StreamPurgeResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamPurgeResponseType}}
	var req jsapi.StreamPurgeRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	st := js.lookup(name)
	cfg := jsapi.StreamConfig{}
	if st != nil {
		cfg = st.config()
	}
	switch {
	case st == nil:
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
	case cfg.Sealed:
		resp.Error = jsapi.NewError(jsapi.JSStreamSealedErr)
	case cfg.DenyPurge:
		resp.Error = jsapi.NewError(jsapi.JSStreamPurgeFailedF, "err", "stream purge not permitted")
	case req.Sequence > 0 && req.Keep > 0:
		resp.Error = jsapi.NewError(jsapi.JSBadRequestErr)
	}
	if resp.Error != nil {
		return resp
	}
	n, err := st.store.Purge(store.PurgeOpts{Subject: req.Subject, Seq: req.Sequence, Keep: req.Keep})
	if err != nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamGeneralErrorF, "err", err.Error())
		return resp
	}
	if req.Subject != "" {
		st.purgedFilter(req.Subject)
	}
	resp.Success, resp.Purged = true, n
	return resp
}

func (js *JetStream) apiMsgGet(r *apiRequest, name string) any {
	resp := &jsapi.MsgGetResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.MsgGetResponseType}}
	var req jsapi.MsgGetRequest
	st, e := js.streamAndBody(r, name, &req)
	if e != nil {
		resp.Error = e
		return resp
	}
	if !validMsgGet(&req) || req.Batch != 0 || req.MaxBytes != 0 || len(req.MultiLastFor) > 0 ||
		req.UpToSeq != 0 || req.UpToTime != nil {
		resp.Error = jsapi.NewError(jsapi.JSBadRequestErr)
		return resp
	}
	m, err := st.get(&req)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			resp.Error = jsapi.NewError(jsapi.JSNoMessageFoundErr)
		} else {
			resp.Error = jsapi.NewError(jsapi.JSStreamGeneralErrorF, "err", err.Error())
		}
		return resp
	}
	resp.Message = &jsapi.StoredMsg{Subject: m.Subject, Sequence: m.Seq, Data: m.Data, Time: unixTime(m.Time)}
	if !req.NoHeaders {
		resp.Message.Header = m.Header
	}
	return resp
}

// validMsgGet rejects the field combinations nats-server calls a bad
// request (shared by MSG.GET and DIRECT.GET).
func validMsgGet(req *jsapi.MsgGetRequest) bool {
	switch {
	case req.Seq == 0 && req.LastFor == "" && req.NextFor == "" && req.StartTime == nil && len(req.MultiLastFor) == 0:
		return false
	case req.Seq > 0 && req.LastFor != "",
		req.Seq > 0 && req.StartTime != nil,
		req.StartTime != nil && req.LastFor != "",
		req.LastFor != "" && req.NextFor != "":
		return false
	}
	return true
}

// get loads the message a single-message get request selects.
func (st *stream) get(req *jsapi.MsgGetRequest) (*store.Msg, error) {
	switch {
	case req.LastFor != "":
		return st.store.LoadLast(req.LastFor)
	case req.NextFor != "" || req.StartTime != nil:
		start := req.Seq
		if req.StartTime != nil {
			start = st.seqAtTime(*req.StartTime)
		}
		return st.store.LoadNext(req.NextFor, start)
	}
	return st.store.Load(req.Seq)
}

// seqAtTime returns the first sequence whose message is not older than t,
// by binary search (stored times never decrease with the sequence).
func (st *stream) seqAtTime(t time.Time) uint64 {
	ns := t.UnixNano()
	ss := st.store.State()
	lo, hi := ss.FirstSeq, ss.LastSeq+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		m, err := st.store.LoadNext("", mid)
		if err != nil {
			hi = mid
			continue
		}
		if m.Time >= ns {
			hi = mid
		} else {
			lo = m.Seq + 1
		}
	}
	return lo
}

func (js *JetStream) apiMsgDelete(r *apiRequest, name string) any {
	resp := &jsapi.MsgDeleteResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.MsgDeleteResponseType}}
	var req jsapi.MsgDeleteRequest
	st, e := js.streamAndBody(r, name, &req)
	if e != nil {
		resp.Error = e
		return resp
	}
	cfg := st.config()
	switch {
	case cfg.Sealed:
		resp.Error = jsapi.NewError(jsapi.JSStreamSealedErr)
		return resp
	case cfg.DenyDelete:
		resp.Error = jsapi.NewError(jsapi.JSStreamMsgDeleteFailedF, "err", "message delete not permitted")
		return resp
	}
	if e := checkDeleteSeq(st, cfg.Storage, req.Seq); e != nil {
		resp.Error = e
		return resp
	}
	ok, err := st.store.Delete(req.Seq, !req.NoErase, store.ReasonDelete)
	switch {
	case err != nil && !errors.Is(err, store.ErrNotFound):
		resp.Error = jsapi.NewError(jsapi.JSStreamMsgDeleteFailedF, "err", err.Error())
	case err != nil || !ok:
		resp.Error = jsapi.NewError(jsapi.JSSequenceNotFoundErrF, "seq", strconv.FormatUint(req.Seq, 10))
	default:
		resp.Success = true
	}
	return resp
}

// checkDeleteSeq answers the sequences nats-server rejects before looking:
// 0 ("no message found") and, on file streams, beyond the last sequence
// (the file store's "stream store EOF").
func checkDeleteSeq(st *stream, storage jsapi.StorageType, seq uint64) *jsapi.ApiError {
	switch {
	case seq == 0:
		return jsapi.NewError(jsapi.JSStreamMsgDeleteFailedF, "err", "no message found")
	case storage == jsapi.FileStorage && seq > st.store.State().LastSeq:
		return jsapi.NewError(jsapi.JSStreamMsgDeleteFailedF, "err", "stream store EOF")
	}
	return nil
}

// streamAndBody finds the named stream and decodes the request's required
// JSON body into req, with the errors nats-server gives for each failure.
func (js *JetStream) streamAndBody(r *apiRequest, name string, req any) (*stream, *jsapi.ApiError) {
	st := js.lookup(name)
	if st == nil {
		return nil, jsapi.NewError(jsapi.JSStreamNotFoundErr)
	}
	if len(bytes.TrimSpace(r.payload)) == 0 {
		return nil, jsapi.NewError(jsapi.JSBadRequestErr)
	}
	if e := jsapi.Decode(r.payload, req); e != nil {
		return nil, e
	}
	return st, nil
}
