package jetstream

import (
	"encoding/json"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// resetSubscriber serves CONSUMER.RESET.<stream>.<consumer> (2.14,
// JETSTREAM-API.md §4.8). It is subscribed per consumer, so a reset of a
// consumer that does not exist gets no reply, as on nats-server.
type resetSubscriber struct{ c *consumer }

func (r resetSubscriber) Deliver(_ *broker.Subscription, _, reply, _, payload []byte) {
	if len(reply) == 0 {
		return
	}
	resp := r.c.reset(payload)
	data, err := json.Marshal(resp)
	if err != nil {
		return
	}
	r.c.js.broker.Publish(nil, reply, nil, nil, data)
}

// reset moves the consumer to a new start and forgets its pending,
// redelivery and parked state.
func (c *consumer) reset(payload []byte) *jsapi.ConsumerResetResponse {
	resp := &jsapi.ConsumerResetResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerResetResponseType}}
	var req jsapi.ConsumerResetRequest
	if jsapi.HasBody(payload) {
		if e := jsapi.DecodeLenient(payload, &req); e != nil {
			resp.Error = e
			return resp
		}
	}
	c.mu.Lock()
	cfg := &c.mu.cfg
	seq := req.Seq
	if !jsapi.HasBody(payload) || seq == 0 {
		seq = c.mu.ack.AckFloor().Stream + 1
	}
	seq = max(seq, 1)
	var reason string
	switch cfg.DeliverPolicy {
	case jsapi.DeliverAll:
	case jsapi.DeliverByStartSequence:
		if seq < cfg.OptStartSeq {
			reason = "below start seq"
		}
	case jsapi.DeliverByStartTime:
		if seq < c.st.seqAtTime(*cfg.OptStartTime) {
			reason = "below start time"
		}
	default:
		reason = "not allowed"
	}
	if reason != "" {
		c.mu.Unlock()
		resp.Error = jsapi.NewError(jsapi.JSConsumerInvalidResetErr, "err", reason)
		return resp
	}
	from := c.mu.ack.AckFloor().Stream + 1
	parked := c.mu.ack.ParkedSeqs()
	c.mu.ack.Reset(seq - 1)
	c.mu.lps, c.mu.lpsEnd = nil, 0
	c.deliveredHW.Store(seq - 1)
	c.dirtyLocked()
	c.mu.Unlock()
	// What it held before the new start may now be unwanted.
	c.st.releaseExcept(parked, nil, store.ReasonAcked)
	c.st.releaseFrom(from, c.matches, nil, store.ReasonAcked)
	c.poke()
	resp.ConsumerInfo = c.info()
	resp.ResetSeq = seq
	return resp
}
