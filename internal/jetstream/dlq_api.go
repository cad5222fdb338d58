package jetstream

import (
	"strconv"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// Response types of the consumer-side dead-letter endpoints
// (docs/dead-letter-api.md).
const (
	ConsumerMsgStateResponseType = "io.holdfast.api.v1.consumer_msg_state_response"
	ConsumerDLQMoveResponseType  = "io.holdfast.api.v1.consumer_dlq_move_response"
)

// msgStateRequest is the body of CONSUMER.MSG.STATE.
type msgStateRequest struct {
	Seq uint64 `json:"seq"`
}

// msgStateResponse is one stream sequence as a consumer sees it.
type msgStateResponse struct {
	jsapi.ApiResponse
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	Seq      uint64 `json:"seq"`
	// State is undelivered, pending, redelivery_queued, parked,
	// dead_letter_pending or acked (delivered and no longer held).
	State         string       `json:"state"`
	Exists        bool         `json:"exists"`            // the stream still has the message
	Subject       string       `json:"subject,omitempty"` // when it exists
	Deliveries    uint64       `json:"deliveries"`
	ConsumerSeq   uint64       `json:"consumer_seq,omitempty"`
	LastDelivered *time.Time   `json:"last_delivered,omitempty"`
	AckDeadline   *time.Time   `json:"ack_deadline,omitempty"`
	History       []dlqAttempt `json:"history,omitempty"`
	DeadLetter    *msgStateDL  `json:"dead_letter,omitempty"`
}

// msgStateDL is a recorded dead letter whose copy is not durable yet.
type msgStateDL struct {
	Reason string    `json:"reason"`
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
}

// apiConsumerMsgState serves $HF.API.CONSUMER.MSG.STATE.<stream>.<consumer>.
func (js *JetStream) apiConsumerMsgState(r *apiRequest, rest string) any {
	fail := func(e *jsapi.ApiError) any {
		return &jsapi.ApiResponse{Type: ConsumerMsgStateResponseType, Error: e}
	}
	var req msgStateRequest
	if len(r.payload) == 0 {
		return fail(jsapi.NewError(jsapi.JSBadRequestErr))
	}
	if e := jsapi.Decode(r.payload, &req); e != nil {
		return fail(e)
	}
	st, c, e := js.lookupConsumer(rest)
	if e != nil {
		return fail(e)
	}
	if req.Seq == 0 || req.Seq > st.store.State().LastSeq {
		return fail(jsapi.NewError(jsapi.HFMessageStateNotFoundErr, "seq", strconv.FormatUint(req.Seq, 10), "consumer", c.name))
	}
	resp := &msgStateResponse{ApiResponse: jsapi.ApiResponse{Type: ConsumerMsgStateResponseType},
		Stream: st.name, Consumer: c.name, Seq: req.Seq}
	if m, err := st.store.Load(req.Seq); err == nil {
		resp.Exists, resp.Subject = true, m.Subject
	}
	info, hist := c.inspect(req.Seq)
	resp.State = info.Status.String()
	resp.Deliveries, resp.ConsumerSeq = info.Deliveries, info.Consumer
	resp.LastDelivered, resp.AckDeadline = nanosTime(info.Delivered), nanosTime(info.Deadline)
	resp.History = attemptsOf(hist)
	if dl := info.Dead; dl != nil {
		resp.DeadLetter = &msgStateDL{Reason: dl.Reason.String(), Error: dl.Error, At: time.Unix(0, dl.At).UTC()}
	}
	return resp
}

// inspect reports one sequence's status and remembered delivery history,
// after applying pending stream removals.
func (c *consumer) inspect(seq uint64) (ackstate.SeqInfo, []ackstate.Attempt) {
	res := &stepResult{}
	defer res.send(c) // advisories of removals applied here
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removedLocked(res)
	hist := c.mu.ack.History(seq)
	return c.mu.ack.Inspect(seq), append([]ackstate.Attempt(nil), hist...)
}

func nanosTime(ns int64) *time.Time {
	if ns == 0 {
		return nil
	}
	t := time.Unix(0, ns).UTC()
	return &t
}

// dlqMoveRequest is the body of CONSUMER.DLQ.MOVE: the parked sequences to
// move, or all of them.
type dlqMoveRequest struct {
	Seqs []uint64 `json:"seqs,omitempty"`
	All  bool     `json:"all,omitempty"`
}

// dlqMoveResponse lists the sequences recorded as dead letters (reason
// manual) and those that were not parked. The move itself follows, once
// (dlq_move.go); $HF.EVENT.ADVISORY.DLQ.MOVED reports each copy.
type dlqMoveResponse struct {
	jsapi.ApiResponse
	Stream           string   `json:"stream"`
	Consumer         string   `json:"consumer"`
	DeadLetterStream string   `json:"dead_letter_stream"`
	Accepted         []uint64 `json:"accepted"`
	NotParked        []uint64 `json:"not_parked,omitempty"`
}

// apiConsumerDLQMove serves $HF.API.CONSUMER.DLQ.MOVE.<stream>.<consumer>.
func (js *JetStream) apiConsumerDLQMove(r *apiRequest, rest string) any {
	fail := func(e *jsapi.ApiError) any {
		return &jsapi.ApiResponse{Type: ConsumerDLQMoveResponseType, Error: e}
	}
	var req dlqMoveRequest
	if len(r.payload) == 0 {
		return fail(jsapi.NewError(jsapi.JSBadRequestErr))
	}
	if e := jsapi.Decode(r.payload, &req); e != nil {
		return fail(e)
	}
	if req.All == (len(req.Seqs) > 0) {
		return fail(jsapi.NewError(jsapi.HFDeadLetterMoveInvalidErrF, "err", "give either seqs or all"))
	}
	st, c, e := js.lookupConsumer(rest)
	if e != nil {
		return fail(e)
	}
	resp := &dlqMoveResponse{ApiResponse: jsapi.ApiResponse{Type: ConsumerDLQMoveResponseType},
		Stream: st.name, Consumer: c.name}
	resp.DeadLetterStream, resp.Accepted, resp.NotParked, e = c.moveParked(req.Seqs, req.All)
	if e != nil {
		return fail(e)
	}
	return resp
}

// moveParked records parked sequences (all of them with all) as dead
// letters with reason manual; the consumer goroutine then copies them to
// the dead-letter stream exactly once, as any other dead letter.
func (c *consumer) moveParked(seqs []uint64, all bool) (dst string, moved, notParked []uint64, _ *jsapi.ApiError) {
	res := &stepResult{}
	defer res.send(c)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return "", nil, nil, jsapi.NewError(jsapi.JSConsumerNotFoundErr)
	}
	dl := c.mu.cfg.DeadLetter
	if dl == nil {
		return "", nil, nil, jsapi.NewError(jsapi.HFDeadLetterNotConfiguredErr, "consumer", c.name)
	}
	c.removedLocked(res) // do not move what the stream no longer has
	if all {
		seqs = c.mu.ack.ParkedSeqs()
	}
	now := c.js.now()
	moved = []uint64{}
	for _, seq := range seqs {
		if c.mu.ack.DeadLetterParked(seq, now) {
			moved = append(moved, seq)
		} else {
			notParked = append(notParked, seq)
		}
	}
	if len(moved) > 0 {
		c.noteDeadLettersLocked()
		c.dirtyLocked() // the persister records them, then the move starts
		c.poke()
	}
	return dl.Stream, moved, notParked, nil
}
