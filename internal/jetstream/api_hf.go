package jetstream

import (
	"strings"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// The $HF.API subjects are holdfast's own admin endpoints (issue 7,
// docs/dead-letter-api.md). They are served like $JS.API requests: the
// publisher's goroutine only queues them, a worker answers, and errors use
// the ApiError shape and JetStream codes.
const (
	hfAPIPrefix = "$HF.API"

	// ConsumerParkedResponseType is the type of a CONSUMER.PARKED reply.
	ConsumerParkedResponseType = "io.holdfast.api.v1.consumer_parked_response"

	// parkedPageLimit bounds one CONSUMER.PARKED page.
	parkedPageLimit = 1024
)

// hfAPISubjects are the $HF.API subjects subscribed at start.
func hfAPISubjects() []string {
	return []string{
		hfAPIPrefix + ".CONSUMER.PARKED.>",
		hfAPIPrefix + ".CONSUMER.MSG.STATE.>",
		hfAPIPrefix + ".CONSUMER.DLQ.MOVE.>",
		hfAPIPrefix + ".DLQ.REDRIVE.>",
	}
}

// routeHF finds the endpoint for rest, the subject after "$HF.API.";
// name is what follows the endpoint's fixed tokens.
func routeHF(rest string) (endpoint, string, bool) {
	consumerEPs := []struct {
		prefix string
		ep     endpoint
	}{
		{"CONSUMER.PARKED.", endpoint{ConsumerParkedResponseType, (*JetStream).apiConsumerParked}},
		{"CONSUMER.MSG.STATE.", endpoint{ConsumerMsgStateResponseType, (*JetStream).apiConsumerMsgState}},
		{"CONSUMER.DLQ.MOVE.", endpoint{ConsumerDLQMoveResponseType, (*JetStream).apiConsumerDLQMove}},
	}
	for _, e := range consumerEPs {
		if name, ok := strings.CutPrefix(rest, e.prefix); ok {
			return e.ep, name, strings.Count(name, ".") == 1 // <stream>.<consumer>
		}
	}
	if r, ok := strings.CutPrefix(rest, "DLQ.REDRIVE."); ok {
		return routeRedrive(r)
	}
	return endpoint{}, "", false
}

// serveHF answers a request on rest, the subject after "$HF.API.".
// Unknown subjects get no reply, as on $JS.API.
func (js *JetStream) serveHF(r *apiRequest, rest string) {
	ep, name, ok := routeHF(rest)
	if !ok {
		return
	}
	js.apiTotal.Add(1)
	var resp any
	if apiErr := checkAPILevel(r.hdr); apiErr != nil {
		resp = &jsapi.ApiResponse{Type: ep.typ, Error: apiErr}
	} else {
		resp = ep.fn(js, r, name)
	}
	if e, ok := resp.(interface{ Err() error }); ok && e.Err() != nil {
		js.apiErrors.Add(1)
	}
	js.replyJSON(r.reply, resp)
}

// consumerParkedRequest is the optional body of CONSUMER.PARKED.
type consumerParkedRequest struct {
	Offset int `json:"offset"`
}

// consumerParkedResponse lists one page of a consumer's parked sequences:
// messages that reached max_deliver without an ack or TERM and that still
// hold interest in the stream. Total counts all of them.
type consumerParkedResponse struct {
	jsapi.ApiResponse
	Stream   string   `json:"stream"`
	Consumer string   `json:"consumer"`
	Parked   []uint64 `json:"parked"`
	Total    int      `json:"total"`
	Offset   int      `json:"offset"`
	Limit    int      `json:"limit"`
}

// apiConsumerParked serves $HF.API.CONSUMER.PARKED.<stream>.<consumer>.
func (js *JetStream) apiConsumerParked(r *apiRequest, rest string) any {
	fail := func(e *jsapi.ApiError) any {
		return &jsapi.ApiResponse{Type: ConsumerParkedResponseType, Error: e}
	}
	var req consumerParkedRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		return fail(e)
	}
	if req.Offset < 0 {
		return fail(jsapi.NewError(jsapi.JSInvalidJSONErr, "err", "offset must not be negative"))
	}
	_, c, e := js.lookupConsumer(rest)
	if e != nil {
		return fail(e)
	}
	parked := c.parkedSeqs()
	page := parked[min(req.Offset, len(parked)):]
	page = page[:min(len(page), parkedPageLimit)]
	return &consumerParkedResponse{
		ApiResponse: jsapi.ApiResponse{Type: ConsumerParkedResponseType},
		Stream:      c.st.name, Consumer: c.name,
		Parked: page, Total: len(parked), Offset: req.Offset, Limit: parkedPageLimit,
	}
}

// parkedSeqs lists the consumer's parked sequences after applying pending
// stream removals, so that deleted or purged messages are not listed.
func (c *consumer) parkedSeqs() []uint64 {
	res := &stepResult{}
	defer res.send(c) // advisories of removals applied here
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removedLocked(res)
	return c.mu.ack.ParkedSeqs()
}
