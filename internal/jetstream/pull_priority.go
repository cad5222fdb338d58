package jetstream

import (
	"fmt"
	"regexp"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// Priority groups of pull consumers (ADR-42, JETSTREAM-MESSAGING.md §4.3):
// overflow serves a request only while the consumer's num_pending or
// num_ack_pending reaches the request's threshold; pinned_client serves one
// client (pin id) until it stops pulling for priority_timeout; prioritized
// serves the lowest priority value first.

const defaultPinnedTTL = 2 * time.Minute

var groupNameRE = regexp.MustCompile(`^[a-zA-Z0-9/_=-]{1,16}$`)

// pinState is the pin of a pinned_client consumer.
type pinState struct {
	id       string
	group    string
	lastPull int64 // unix nanos of the pinned client's last request
}

// priorityDefaults applies the pinned_client timeout default.
func priorityDefaults(cfg *jsapi.ConsumerConfig) {
	if cfg.PriorityPolicy == jsapi.PriorityPinnedClient && cfg.PinnedTTL == 0 {
		cfg.PinnedTTL = defaultPinnedTTL
	}
}

// validatePriority checks the priority-group settings of a config.
func validatePriority(cfg *jsapi.ConsumerConfig) *jsapi.ApiError {
	switch {
	case cfg.PriorityPolicy != jsapi.PriorityNone && len(cfg.PriorityGroups) == 0:
		return jsapi.NewError(jsapi.JSConsumerPriorityPolicyWithoutGroup)
	case cfg.PriorityPolicy == jsapi.PriorityNone && len(cfg.PriorityGroups) > 0:
		return jsapi.NewError(jsapi.JSConsumerPriorityGroupWithPolicyNone)
	case cfg.PriorityPolicy == jsapi.PriorityNone && cfg.PinnedTTL != 0:
		return jsapi.NewError(jsapi.JSConsumerPinnedTTLWithoutPriorityPolicyNone)
	}
	for _, g := range cfg.PriorityGroups {
		if g == "" {
			return jsapi.NewError(jsapi.JSConsumerEmptyGroupName)
		}
		if !groupNameRE.MatchString(g) {
			return jsapi.NewError(jsapi.JSConsumerInvalidGroupNameErr)
		}
	}
	return nil
}

// checkPriorityRequest validates a pull request against the consumer's
// priority policy; a non-empty result is the 400/423 status to answer.
func (c *consumer) checkPriorityRequestLocked(nr *jsapi.NextRequest, now int64) (code int, desc string) {
	cfg := &c.mu.cfg
	pg := &nr.PriorityGroup
	if cfg.PriorityPolicy == jsapi.PriorityNone {
		return 0, ""
	}
	if pg.Group == "" {
		return 400, "Bad Request - Priority Group missing"
	}
	known := false
	for _, g := range cfg.PriorityGroups {
		known = known || g == pg.Group
	}
	if !known {
		return 400, "Bad Request - Invalid Priority Group"
	}
	switch cfg.PriorityPolicy {
	case jsapi.PriorityOverflow:
	case jsapi.PriorityPinnedClient:
		c.expirePinLocked(now)
		if pg.ID != "" && pg.ID != c.mu.pin.id {
			return 423, "Nats-Pin-Id mismatch"
		}
		if pg.ID != "" {
			c.mu.pin.lastPull = now
		}
	case jsapi.PriorityPrioritized:
		if pg.Priority < 0 || pg.Priority > 9 {
			return 400, "Bad Request - Priority must be between 0 and 9"
		}
	}
	if cfg.PriorityPolicy != jsapi.PriorityOverflow && (pg.MinPending > 0 || pg.MinAckPending > 0) {
		return 400, "Bad Request - Not a Overflow Priority consumer"
	}
	if cfg.PriorityPolicy != jsapi.PriorityPinnedClient && pg.ID != "" {
		return 400, "Bad Request - Not a Pinned Client Priority consumer"
	}
	return 0, ""
}

// eligibleLocked reports whether request r may be served now.
func (c *consumer) eligibleLocked(r *pullRequest) bool {
	switch c.mu.cfg.PriorityPolicy {
	case jsapi.PriorityOverflow:
		pg := &r.pg
		if pg.MinPending == 0 && pg.MinAckPending == 0 {
			return true
		}
		if pg.MinPending > 0 && c.numPendingLocked() >= uint64(pg.MinPending) {
			return true
		}
		return pg.MinAckPending > 0 && int64(c.mu.ack.NumAckPending()) >= pg.MinAckPending
	case jsapi.PriorityPinnedClient:
		return c.mu.pin.id == "" || r.pg.ID == c.mu.pin.id
	}
	return true
}

// pinLocked pins request r's client if nobody is pinned, and returns the
// pin id to put on its messages.
func (c *consumer) pinLocked(res *stepResult, r *pullRequest, now int64) string {
	if c.mu.cfg.PriorityPolicy != jsapi.PriorityPinnedClient {
		return ""
	}
	if c.mu.pin.id == "" {
		c.mu.pin = pinState{id: newID(), group: r.pg.Group, lastPull: now}
		r.pg.ID = c.mu.pin.id
		res.adv = append(res.adv, advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerPinnedT, c.st.name, c.name),
			v: &jsapi.ConsumerPinnedAdvisory{TypedEvent: newEvent(jsapi.AdvisoryConsumerPinnedType), Account: "$G",
				Stream: c.st.name, Consumer: c.name, Domain: c.js.opts.Domain, Group: r.pg.Group, PinnedClientID: c.mu.pin.id}})
	}
	return c.mu.pin.id
}

// expirePinLocked drops a pin whose client stopped pulling.
func (c *consumer) expirePinLocked(now int64) {
	p := &c.mu.pin
	if p.id == "" || now-p.lastPull < int64(c.mu.cfg.PinnedTTL) {
		return
	}
	c.unpinLocked(nil, "timeout")
}

// unpinLocked releases the pin; queued requests carrying it end with 423.
func (c *consumer) unpinLocked(res *stepResult, reason string) {
	p := c.mu.pin
	if p.id == "" {
		return
	}
	c.mu.pin = pinState{}
	kept := c.mu.waiting[:0]
	for _, r := range c.mu.waiting {
		if r.pg.ID == p.id && res != nil {
			res.out = append(res.out, statusMsg(r.reply, 423, "Nats-Wrong-Pin-Id", r.pendingHeaders()...))
			continue
		}
		kept = append(kept, r)
	}
	clear(c.mu.waiting[len(kept):])
	c.mu.waiting = kept
	adv := advisory{subj: fmt.Sprintf(jsapi.AdvisoryConsumerUnpinnedT, c.st.name, c.name),
		v: &jsapi.ConsumerUnpinnedAdvisory{TypedEvent: newEvent(jsapi.AdvisoryConsumerUnpinnedType), Account: "$G",
			Stream: c.st.name, Consumer: c.name, Domain: c.js.opts.Domain, Group: p.group, Reason: reason}}
	if res != nil {
		res.adv = append(res.adv, adv)
	} else {
		c.mu.pendingAdv = append(c.mu.pendingAdv, adv)
	}
}

// apiConsumerUnpin releases a pinned client (CONSUMER.UNPIN).
func (js *JetStream) apiConsumerUnpin(r *apiRequest, rest string) any {
	resp := &jsapi.ConsumerUnpinResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerUnpinResponseType}}
	var req jsapi.ConsumerUnpinRequest
	if e := jsapi.DecodeLenient(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	switch {
	case req.Group == "":
		resp.Error = jsapi.NewError(jsapi.JSInvalidJSONErr, "err", "consumer group not specified")
		return resp
	case !groupNameRE.MatchString(req.Group):
		resp.Error = jsapi.NewError(jsapi.JSConsumerInvalidGroupNameErr)
		return resp
	}
	_, c, e := js.lookupConsumer(rest)
	if e != nil {
		resp.Error = e
		return resp
	}
	res := &stepResult{}
	c.mu.Lock()
	known := false
	for _, g := range c.mu.cfg.PriorityGroups {
		known = known || g == req.Group
	}
	if known && c.mu.pin.group == req.Group {
		c.unpinLocked(res, "admin")
	}
	c.mu.Unlock()
	if !known {
		resp.Error = jsapi.NewError(jsapi.JSConsumerInvalidPriorityGroupErr)
		return resp
	}
	res.send(c)
	c.poke()
	return resp
}
