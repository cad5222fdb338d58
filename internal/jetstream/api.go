package jetstream

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// apiRequest is one API (or direct get) request, copied out of the
// publisher's buffers so a worker can serve it later.
type apiRequest struct {
	subject string
	reply   string
	hdr     []byte
	payload []byte
	direct  *stream // set for direct gets: the stream they address
}

// apiSubscriber receives $JS.API requests on the publisher's goroutine and
// queues them for the workers; it never blocks.
type apiSubscriber struct{ js *JetStream }

func (a apiSubscriber) Deliver(_ *broker.Subscription, subj, reply, hdr, payload []byte) {
	js := a.js
	if len(reply) == 0 {
		return // a request nobody waits for is ignored, as nats-server does
	}
	if rest, ok := bytes.CutPrefix(subj, []byte(js.domainPrefix()+".$KV.")); ok && js.opts.Domain != "" {
		// $JS.<domain>.API.$KV.> is mapped onto $KV.> (KV puts through a domain).
		mapped := append([]byte(jsapi.KVSubjectPrefix), rest...)
		js.broker.Publish(nil, mapped, reply, hdr, payload)
		return
	}
	js.enqueue(&apiRequest{subject: string(subj), reply: string(reply),
		hdr: bytes.Clone(hdr), payload: bytes.Clone(payload)})
}

func (js *JetStream) domainPrefix() string {
	if js.opts.Domain == "" {
		return ""
	}
	return "$JS." + js.opts.Domain + ".API"
}

// enqueue hands r to the workers. When the queue is full the request is
// refused at once with 429/10167 "too many requests": nats-server drops its
// whole queue silently at 10 000 pending requests (the client times out);
// an immediate error is kinder and keeps the publisher from blocking.
func (js *JetStream) enqueue(r *apiRequest) {
	select {
	case js.queue <- r:
	default:
		js.apiErrors.Add(1)
		if r.direct != nil {
			js.replyStatus(r.reply, 503, "")
			return
		}
		resp := jsapi.ApiResponse{Type: jsapi.SystemResponseType, Error: jsapi.NewError(jsapi.JSStreamTooManyRequests)}
		js.replyJSON(r.reply, &resp)
	}
}

// worker serves queued requests until Shutdown.
func (js *JetStream) worker() {
	for {
		select {
		case <-js.stop:
			return
		case r := <-js.queue:
			if r.direct != nil {
				r.direct.serveDirect(r)
				continue
			}
			js.serveAPI(r)
		}
	}
}

// endpoint is one JSON API handler; typ is its response type, used for the
// errors raised before the handler runs.
type endpoint struct {
	typ string
	fn  func(js *JetStream, r *apiRequest, name string) any
}

// route finds the endpoint for the part of the subject after "$JS.API.";
// name is the stream token. Unknown subjects get no reply.
func route(rest string) (ep endpoint, name string, ok bool) {
	toks := strings.Split(rest, ".")
	switch {
	case len(toks) == 1 && toks[0] == "INFO":
		return endpoint{jsapi.AccountInfoResponseType, (*JetStream).apiAccountInfo}, "", true
	case len(toks) >= 2 && toks[0] == "CONSUMER":
		return routeConsumer(toks[1:])
	case len(toks) < 2 || toks[0] != "STREAM":
		return endpoint{}, "", false
	case len(toks) == 2 && toks[1] == "NAMES":
		return endpoint{jsapi.StreamNamesResponseType, (*JetStream).apiStreamNames}, "", true
	case len(toks) == 2 && toks[1] == "LIST":
		return endpoint{jsapi.StreamListResponseType, (*JetStream).apiStreamList}, "", true
	case len(toks) == 3:
		eps := map[string]endpoint{
			"CREATE": {jsapi.StreamCreateResponseType, (*JetStream).apiStreamCreate},
			"UPDATE": {jsapi.StreamUpdateResponseType, (*JetStream).apiStreamUpdate},
			"INFO":   {jsapi.StreamInfoResponseType, (*JetStream).apiStreamInfo},
			"DELETE": {jsapi.StreamDeleteResponseType, (*JetStream).apiStreamDelete},
			"PURGE":  {jsapi.StreamPurgeResponseType, (*JetStream).apiStreamPurge},
			// Snapshots and restores are not implemented: answer at once
			// rather than let the client time out.
			"SNAPSHOT": {jsapi.StreamSnapshotResponseType, (*JetStream).apiSnapshot},
			"RESTORE":  {jsapi.StreamRestoreResponseType, (*JetStream).apiRestore},
		}
		ep, ok := eps[toks[1]]
		return ep, toks[2], ok
	case len(toks) == 4 && toks[1] == "LEADER" && toks[2] == "STEPDOWN":
		return endpoint{jsapi.StreamLeaderStepDownResponseType, (*JetStream).apiStepDown}, toks[3], true
	case len(toks) == 4 && toks[1] == "PEER" && toks[2] == "REMOVE":
		return endpoint{jsapi.StreamRemovePeerResponseType, (*JetStream).apiRemovePeer}, toks[3], true
	case len(toks) == 4 && toks[1] == "MSG" && toks[2] == "GET":
		return endpoint{jsapi.MsgGetResponseType, (*JetStream).apiMsgGet}, toks[3], true
	case len(toks) == 4 && toks[1] == "MSG" && toks[2] == "DELETE":
		return endpoint{jsapi.MsgDeleteResponseType, (*JetStream).apiMsgDelete}, toks[3], true
	}
	return endpoint{}, "", false
}

func (js *JetStream) serveAPI(r *apiRequest) {
	if rest, ok := strings.CutPrefix(r.subject, hfAPIPrefix+"."); ok {
		js.serveHF(r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.subject, jsapi.APIPrefix+".")
	if !ok && js.opts.Domain != "" {
		rest, ok = strings.CutPrefix(r.subject, js.domainPrefix()+".")
	}
	if !ok {
		return
	}
	ep, name, ok := route(rest)
	if !ok {
		return
	}
	js.apiTotal.Add(1)
	count := js.apiByType.get(apiType(rest, name))
	count.requests.Add(1)
	var resp any
	if apiErr := checkAPILevel(r.hdr); apiErr != nil {
		resp = &jsapi.ApiResponse{Type: ep.typ, Error: apiErr}
	} else {
		resp = ep.fn(js, r, name)
	}
	if resp == nil {
		return
	}
	if e, ok := resp.(interface{ Err() error }); ok && e.Err() != nil {
		js.apiErrors.Add(1)
		count.errors.Add(1)
	}
	js.replyJSON(r.reply, resp)
}

// checkAPILevel enforces Nats-Required-Api-Level (412/10185).
func checkAPILevel(hdr []byte) *jsapi.ApiError {
	if len(hdr) == 0 {
		return nil
	}
	v := proto.HeaderGet(hdr, jsapi.RequiredAPILevelHeader)
	if v == nil {
		return nil
	}
	if n, err := strconv.Atoi(string(v)); err != nil || n > APILevel {
		return jsapi.NewError(jsapi.JSRequiredApiLevelErr)
	}
	return nil
}

func (js *JetStream) replyJSON(reply string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		js.log.Error("api response not encodable", "error", err)
		return
	}
	js.broker.Publish(nil, []byte(reply), nil, nil, data)
}

// replyStatus sends a header-only status message ("NATS/1.0 404 Message Not Found").
func (js *JetStream) replyStatus(reply string, code int, desc string) {
	js.broker.Publish(nil, []byte(reply), nil, proto.AppendStatusHeader(nil, code, desc), nil)
}

// decodeOptional decodes an "optional" body: anything that does not start
// with '{' or '[' means no request.
func decodeOptional(data []byte, v any) *jsapi.ApiError {
	if !jsapi.HasBody(data) {
		return nil
	}
	return jsapi.Decode(data, v)
}

// apiStepDown and apiRemovePeer answer the clustered-only endpoints as a
// standalone nats-server does: 503/10010 "JetStream clustering support required".
func (js *JetStream) apiStepDown(_ *apiRequest, _ string) any {
	return &jsapi.ApiResponse{Type: jsapi.StreamLeaderStepDownResponseType, Error: jsapi.NewError(jsapi.JSClusterRequiredErr)}
}

func (js *JetStream) apiRemovePeer(_ *apiRequest, _ string) any {
	return &jsapi.ApiResponse{Type: jsapi.StreamRemovePeerResponseType, Error: jsapi.NewError(jsapi.JSClusterRequiredErr)}
}

// apiSnapshot rejects STREAM.SNAPSHOT: not implemented in holdfast.
func (js *JetStream) apiSnapshot(_ *apiRequest, name string) any {
	resp := &jsapi.StreamSnapshotResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamSnapshotResponseType}}
	if js.lookup(name) == nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
	} else {
		resp.Error = jsapi.NewError(jsapi.JSStreamSnapshotErrF, "err", "snapshots are not supported by holdfast")
	}
	return resp
}

// apiRestore rejects STREAM.RESTORE: not implemented in holdfast.
func (js *JetStream) apiRestore(_ *apiRequest, _ string) any {
	return &jsapi.StreamRestoreResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.StreamRestoreResponseType,
		Error: jsapi.NewError(jsapi.JSStreamRestoreErrF, "err", "restores are not supported by holdfast")}}
}
