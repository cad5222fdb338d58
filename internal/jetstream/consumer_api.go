package jetstream

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// routeConsumer finds the endpoint of a $JS.API.CONSUMER.* subject; toks
// starts after "CONSUMER". The name passed on is the rest of the subject
// after the operation ("<stream>[.<consumer>[.<filter>]]").
func routeConsumer(toks []string) (endpoint, string, bool) {
	if len(toks) < 2 {
		return endpoint{}, "", false
	}
	rest := func(i int) string { return strings.Join(toks[i:], ".") }
	switch toks[0] {
	case "CREATE":
		return endpoint{jsapi.ConsumerCreateResponseType, (*JetStream).apiConsumerCreate}, rest(1), true
	case "DURABLE":
		if len(toks) == 4 && toks[1] == "CREATE" {
			return endpoint{jsapi.ConsumerCreateResponseType, (*JetStream).apiDurableCreate}, rest(2), true
		}
	case "NAMES", "LIST":
		if len(toks) != 2 {
			return endpoint{}, "", false
		}
		if toks[0] == "NAMES" {
			return endpoint{jsapi.ConsumerNamesResponseType, (*JetStream).apiConsumerNames}, toks[1], true
		}
		return endpoint{jsapi.ConsumerListResponseType, (*JetStream).apiConsumerList}, toks[1], true
	case "INFO", "DELETE", "PAUSE", "UNPIN":
		if len(toks) != 3 {
			return endpoint{}, "", false
		}
		eps := map[string]endpoint{
			"UNPIN":  {jsapi.ConsumerUnpinResponseType, (*JetStream).apiConsumerUnpin},
			"INFO":   {jsapi.ConsumerInfoResponseType, (*JetStream).apiConsumerInfo},
			"DELETE": {jsapi.ConsumerDeleteResponseType, (*JetStream).apiConsumerDelete},
			"PAUSE":  {jsapi.ConsumerPauseResponseType, (*JetStream).apiConsumerPause},
		}
		return eps[toks[0]], rest(1), true
	case "LEADER":
		if len(toks) == 4 && toks[1] == "STEPDOWN" {
			return endpoint{jsapi.ConsumerLeaderStepDownResponseType, (*JetStream).apiConsumerStepDown}, rest(2), true
		}
	}
	return endpoint{}, "", false
}

// createForm says which create subject a request came in on.
type createForm int

const (
	formEphemeral createForm = iota // CONSUMER.CREATE.<stream>
	formNamed                       // CONSUMER.CREATE.<stream>.<consumer>
	formFiltered                    // CONSUMER.CREATE.<stream>.<consumer>.<filter>
	formDurable                     // CONSUMER.DURABLE.CREATE.<stream>.<durable>
)

func (js *JetStream) apiConsumerCreate(r *apiRequest, rest string) any {
	streamName, after, _ := strings.Cut(rest, ".")
	name, filter, _ := strings.Cut(after, ".")
	form := formEphemeral
	switch {
	case filter != "":
		form = formFiltered
	case name != "":
		form = formNamed
	}
	return js.createConsumer(r, streamName, name, filter, form)
}

func (js *JetStream) apiDurableCreate(r *apiRequest, rest string) any {
	streamName, name, _ := strings.Cut(rest, ".")
	return js.createConsumer(r, streamName, name, "", formDurable)
}

func (js *JetStream) createConsumer(r *apiRequest, streamName, name, filter string, form createForm) any {
	resp := &jsapi.ConsumerCreateResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerCreateResponseType}}
	ci, e := js.addConsumer(r.payload, streamName, name, filter, form)
	if e != nil {
		resp.Error = e
		return resp
	}
	resp.ConsumerInfo = ci
	return resp
}

// checkForm applies the subject-form rules (JETSTREAM-API.md §4.2).
func checkForm(cfg *jsapi.ConsumerConfig, name, filter string, form createForm) *jsapi.ApiError {
	switch form {
	case formEphemeral:
		if cfg.Durable != "" {
			return jsapi.NewError(jsapi.JSConsumerEphemeralWithDurableNameErr)
		}
	case formDurable:
		if cfg.Durable == "" {
			return jsapi.NewError(jsapi.JSConsumerDurableNameNotSetErr)
		}
		if cfg.Durable != name {
			return jsapi.NewError(jsapi.JSConsumerDurableNameNotMatchSubjectErr)
		}
	case formNamed, formFiltered:
		if cfg.Durable != "" && cfg.Durable != name {
			return jsapi.NewError(jsapi.JSConsumerDurableNameNotMatchSubjectErr)
		}
		if cfg.Name != "" && cfg.Name != name {
			return jsapi.NewError(jsapi.JSConsumerCreateDurableAndNameMismatch)
		}
		cfg.Name = name
		if form == formFiltered {
			if len(cfg.FilterSubjects) > 0 {
				return jsapi.NewError(jsapi.JSConsumerMultipleFiltersNotAllowed)
			}
			if cfg.FilterSubject != "" && cfg.FilterSubject != filter {
				return jsapi.NewError(jsapi.JSConsumerCreateFilterSubjectMismatchErr)
			}
			cfg.FilterSubject = filter
		}
	}
	return nil
}

// addConsumer creates or updates a consumer.
func (js *JetStream) addConsumer(payload []byte, streamName, name, filter string, form createForm) (*jsapi.ConsumerInfo, *jsapi.ApiError) {
	var req jsapi.ConsumerCreateRequest
	if !jsapi.HasBody(payload) {
		return nil, jsapi.NewError(jsapi.JSInvalidJSONErr)
	}
	if e := jsapi.Decode(payload, &req); e != nil {
		return nil, e
	}
	if req.Stream != streamName {
		return nil, jsapi.NewError(jsapi.JSStreamMismatchErr)
	}
	cfg := req.Config
	if e := checkForm(&cfg, name, filter, form); e != nil {
		return nil, e
	}
	js.admin.Lock()
	defer js.admin.Unlock()
	st := js.lookup(streamName)
	if st == nil {
		return nil, jsapi.NewError(jsapi.JSStreamNotFoundErr)
	}
	scfg := st.config()
	if e := consumerDefaults(&cfg, &scfg, req.Pedantic); e != nil {
		return nil, e
	}
	if e := validateConsumer(&cfg, &scfg); e != nil {
		return nil, e
	}
	setConsumerServerMetadata(&cfg)
	var old *consumer
	var oldCfg *jsapi.ConsumerConfig
	if cfg.Name != "" {
		if old = st.cons.get(cfg.Name); old != nil {
			oc := old.config()
			oldCfg = &oc
		}
	}
	if e := resolveDeadLetter(&cfg, oldCfg); e != nil {
		return nil, e
	}
	if cfg.Name == "" {
		cfg.Name = newID()[:8]
	}
	deadLetterDefaults(&cfg, st.name)
	if e := js.validateDeadLetter(&cfg, &scfg); e != nil {
		return nil, e
	}
	if old != nil {
		return js.updateConsumer(old, cfg, req.Action)
	}
	if req.Action == jsapi.ActionUpdate {
		return nil, jsapi.NewError(jsapi.JSConsumerDoesNotExist)
	}
	if scfg.MaxConsumers > 0 && st.cons.len() >= scfg.MaxConsumers {
		return nil, jsapi.NewError(jsapi.JSMaximumConsumersLimitErr)
	}
	if scfg.Retention == jsapi.WorkQueuePolicy {
		if e := checkWorkQueueFilters(st, &cfg, ""); e != nil {
			return nil, e
		}
	}
	created := time.Now().UTC()
	if cfg.Durable != "" && st.storage != jsapi.MemoryStorage {
		if err := writeConsumerMeta(consumerDir(st.dir, cfg.Name), consumerMetaFile{Config: cfg, Created: created}); err != nil {
			return nil, jsapi.NewError(jsapi.JSConsumerStoreFailedErrF, "err", err.Error())
		}
	}
	c, err := st.newConsumer(cfg, created, nil)
	if err != nil {
		return nil, jsapi.NewError(jsapi.JSConsumerStoreFailedErrF, "err", err.Error())
	}
	st.cons.add(c)
	if err := c.start(); err != nil {
		st.cons.remove(c)
		return nil, jsapi.NewError(jsapi.JSConsumerCreateErrF, "err", err.Error())
	}
	st.refreshDeadLetterLimits()
	js.log.Info("consumer created", "stream", st.name, "consumer", cfg.Name, "durable", cfg.Durable != "")
	js.adviseConsumer(jsapi.AdvisoryConsumerCreatedT, jsapi.ActionCreated, st.name, cfg.Name)
	return c.info(), nil
}

// setConsumerServerMetadata drops client-supplied server keys and records
// the API level the config needs.
func setConsumerServerMetadata(cfg *jsapi.ConsumerConfig) {
	md := make(map[string]string, len(cfg.Metadata)+1)
	for k, v := range cfg.Metadata {
		if k != jsapi.MetaServerVersion && k != jsapi.MetaServerLevel {
			md[k] = v
		}
	}
	level := "0"
	if cfg.PauseUntil != nil || len(cfg.PriorityGroups) > 0 {
		level = "1"
	}
	md[jsapi.MetaRequiredLevel] = level
	cfg.Metadata = md
}

// checkWorkQueueFilters enforces one consumer per subject on a work queue.
func checkWorkQueueFilters(st *stream, cfg *jsapi.ConsumerConfig, self string) *jsapi.ApiError {
	mine := filtersOf(cfg)
	for _, o := range st.cons.list() {
		if o.name == self {
			continue
		}
		theirs := *o.filters.Load()
		if len(mine) == 0 || len(theirs) == 0 {
			return jsapi.NewError(jsapi.JSConsumerWQMultipleUnfilteredErr)
		}
		for _, a := range mine {
			for _, b := range theirs {
				if subject.Overlap(a, b) {
					return jsapi.NewError(jsapi.JSConsumerWQConsumerNotUniqueErr)
				}
			}
		}
	}
	return nil
}

// updateConsumer applies a create request to an existing consumer.
func (js *JetStream) updateConsumer(c *consumer, cfg jsapi.ConsumerConfig, action jsapi.ConsumerAction) (*jsapi.ConsumerInfo, *jsapi.ApiError) {
	old := c.config()
	cfg.PauseUntil = old.PauseUntil // pause changes go through CONSUMER.PAUSE
	if cfg.Durable == "" && old.Durable != "" {
		cfg.Durable = old.Durable
	}
	if sameConsumerConfig(old, cfg) {
		return c.info(), nil
	}
	if action == jsapi.ActionCreate {
		return nil, jsapi.NewError(jsapi.JSConsumerAlreadyExists)
	}
	if e := checkConsumerUpdate(&old, &cfg); e != nil {
		return nil, e
	}
	if c.st.config().Retention == jsapi.WorkQueuePolicy && !slices.Equal(filtersOf(&old), filtersOf(&cfg)) {
		if e := checkWorkQueueFilters(c.st, &cfg, c.name); e != nil {
			return nil, e
		}
	}
	if old.DeliverSubject != cfg.DeliverSubject && js.broker.HasInterest(old.DeliverSubject) {
		return nil, jsapi.NewError(jsapi.JSConsumerNameExistErr)
	}
	if c.dir != "" {
		if err := writeConsumerMeta(c.dir, consumerMetaFile{Config: cfg, Created: c.created}); err != nil {
			return nil, jsapi.NewError(jsapi.JSConsumerStoreFailedErrF, "err", err.Error())
		}
	}
	c.mu.Lock()
	if old := c.mu.cfg.DeadLetter; old != nil && cfg.DeadLetter == nil {
		c.mu.dlq.removed = old // dead letters already recorded still move there
	}
	c.mu.cfg = cfg
	c.mu.ack.SetConfig(ackConfig(&cfg))
	c.setFilters(&cfg)
	from := c.mu.ack.AckFloor().Stream + 1
	c.mu.Unlock()
	c.st.refreshDeadLetterLimits()
	c.poke()
	if c.st.config().Retention == jsapi.InterestPolicy && !slices.Equal(filtersOf(&old), filtersOf(&cfg)) {
		// Messages only the old filter wanted lose their interest.
		c.st.releaseFrom(from, func(string) bool { return true }, nil, store.ReasonAcked)
	}
	return c.info(), nil
}

// lookupConsumer resolves "<stream>.<consumer>".
func (js *JetStream) lookupConsumer(rest string) (*stream, *consumer, *jsapi.ApiError) {
	streamName, name, _ := strings.Cut(rest, ".")
	st := js.lookup(streamName)
	if st == nil {
		return nil, nil, jsapi.NewError(jsapi.JSStreamNotFoundErr)
	}
	c := st.cons.get(name)
	if c == nil {
		return st, nil, jsapi.NewError(jsapi.JSConsumerNotFoundErr)
	}
	return st, c, nil
}

func (js *JetStream) apiConsumerInfo(r *apiRequest, rest string) any {
	resp := &jsapi.ConsumerInfoResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerInfoResponseType}}
	if !jsapi.IsEmptyRequest(r.payload) {
		resp.Error = jsapi.NewError(jsapi.JSNotEmptyRequestErr)
		return resp
	}
	_, c, e := js.lookupConsumer(rest)
	if e != nil {
		resp.Error = e
		return resp
	}
	resp.ConsumerInfo = c.info()
	return resp
}

func (js *JetStream) apiConsumerDelete(r *apiRequest, rest string) any {
	resp := &jsapi.ConsumerDeleteResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerDeleteResponseType}}
	if !jsapi.IsEmptyRequest(r.payload) {
		resp.Error = jsapi.NewError(jsapi.JSNotEmptyRequestErr)
		return resp
	}
	js.admin.Lock()
	st, c, e := js.lookupConsumer(rest)
	if e == nil && !st.cons.remove(c) {
		e = jsapi.NewError(jsapi.JSConsumerNotFoundErr)
	}
	js.admin.Unlock()
	if e != nil {
		resp.Error = e
		return resp
	}
	c.endWaiting(c.halt(), statusDeleted)
	c.wait()
	js.dropConsumer(st, c)
	resp.Success = true
	return resp
}

// expireConsumer deletes a consumer whose inactive_threshold passed; it
// runs on the consumer's own goroutine, which returns right after.
func (js *JetStream) expireConsumer(c *consumer) {
	if !c.st.cons.remove(c) {
		return
	}
	c.endWaiting(c.halt(), statusDeleted)
	<-c.persisted // its last write must not race the removal of its state
	js.dropConsumer(c.st, c)
}

// dropConsumer removes a stopped consumer's state and lets go of what it held.
func (js *JetStream) dropConsumer(st *stream, c *consumer) {
	if c.cs != nil {
		if err := c.cs.Destroy(); err != nil {
			c.log.Error("consumer state not removed", "error", err)
		}
	}
	if c.dir != "" {
		if err := os.RemoveAll(c.dir); err != nil {
			c.log.Error("consumer meta not removed", "error", err)
		}
	}
	c.releaseHolds()
	c.forgetDeadLetters()
	st.refreshDeadLetterLimits()
	st.releaseConsumer(c)
	js.log.Info("consumer deleted", "stream", st.name, "consumer", c.name)
	js.adviseConsumer(jsapi.AdvisoryConsumerDeletedT, jsapi.ActionDeleted, st.name, c.name)
}

// stopConsumers stops every consumer of a stream that closes (shutdown)
// or is deleted, and waits for their goroutines.
func (st *stream) stopConsumers(deleted bool) {
	for _, c := range st.cons.list() {
		st.cons.remove(c)
		desc := statusShutdown
		if deleted {
			desc = statusDeleted
		}
		c.endWaiting(c.halt(), desc)
		c.wait()
		if c.cs != nil {
			if err := c.cs.Close(); err != nil {
				c.log.Error("consumer store not closed", "error", err)
			}
		}
		if deleted {
			st.js.adviseConsumer(jsapi.AdvisoryConsumerDeletedT, jsapi.ActionDeleted, st.name, c.name)
		}
	}
}

func (js *JetStream) adviseConsumer(tmpl, action, streamName, name string) {
	subj := fmt.Sprintf(tmpl, streamName, name)
	if !js.broker.HasInterest(subj) {
		return
	}
	js.advise(subj, &jsapi.ConsumerActionAdvisory{TypedEvent: newEvent(jsapi.AdvisoryConsumerActionType),
		Stream: streamName, Consumer: name, Action: action, Domain: js.opts.Domain})
}

func (js *JetStream) apiConsumerNames(r *apiRequest, streamName string) any {
	resp := &jsapi.ConsumerNamesResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerNamesResponseType},
		ApiPaged: jsapi.ApiPaged{Limit: jsapi.NamesLimit}, Consumers: []string{}}
	var req jsapi.ConsumerNamesRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	st := js.lookup(streamName)
	if st == nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
		return resp
	}
	all := st.cons.list()
	var items []*consumer
	resp.Total, resp.Offset, items = page(all, req.Offset, jsapi.NamesLimit)
	for _, c := range items {
		resp.Consumers = append(resp.Consumers, c.name)
	}
	return resp
}

func (js *JetStream) apiConsumerList(r *apiRequest, streamName string) any {
	resp := &jsapi.ConsumerListResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerListResponseType},
		ApiPaged: jsapi.ApiPaged{Limit: jsapi.ListLimit}, Consumers: []*jsapi.ConsumerInfo{}}
	var req jsapi.ConsumerListRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	st := js.lookup(streamName)
	if st == nil {
		resp.Error = jsapi.NewError(jsapi.JSStreamNotFoundErr)
		return resp
	}
	all := st.cons.list()
	var items []*consumer
	resp.Total, resp.Offset, items = page(all, req.Offset, jsapi.ListLimit)
	for _, c := range items {
		resp.Consumers = append(resp.Consumers, c.info())
	}
	return resp
}

func (js *JetStream) apiConsumerPause(r *apiRequest, rest string) any {
	resp := &jsapi.ConsumerPauseResponse{ApiResponse: jsapi.ApiResponse{Type: jsapi.ConsumerPauseResponseType}}
	var req jsapi.ConsumerPauseRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		resp.Error = e
		return resp
	}
	js.admin.Lock()
	defer js.admin.Unlock()
	_, c, e := js.lookupConsumer(rest)
	if e != nil {
		resp.Error = e
		return resp
	}
	c.mu.Lock()
	cfg := c.mu.cfg
	if req.PauseUntil.After(time.Now()) {
		t := req.PauseUntil.UTC()
		cfg.PauseUntil = &t
	} else {
		cfg.PauseUntil = nil
	}
	c.mu.cfg = cfg
	c.mu.Unlock()
	if c.dir != "" {
		if err := writeConsumerMeta(c.dir, consumerMetaFile{Config: cfg, Created: c.created}); err != nil {
			c.log.Error("pause not persisted", "error", err)
		}
	}
	c.poke()
	if cfg.PauseUntil != nil {
		resp.Paused, resp.PauseUntil, resp.PauseRemaining = true, *cfg.PauseUntil, time.Until(*cfg.PauseUntil)
	}
	js.advise(fmt.Sprintf(jsapi.AdvisoryConsumerPauseT, c.st.name, c.name), &jsapi.ConsumerPauseAdvisory{
		TypedEvent: newEvent(jsapi.AdvisoryConsumerPauseType), Stream: c.st.name, Consumer: c.name,
		Paused: resp.Paused, PauseUntil: resp.PauseUntil, Domain: js.opts.Domain})
	return resp
}

func (js *JetStream) apiConsumerStepDown(_ *apiRequest, _ string) any {
	return &jsapi.ConsumerLeaderStepDownResponse{ApiResponse: jsapi.ApiResponse{
		Type: jsapi.ConsumerLeaderStepDownResponseType, Error: jsapi.NewError(jsapi.JSClusterRequiredErr)}}
}

// nextSubscriber receives CONSUMER.MSG.NEXT requests for one consumer. The
// subject is subscribed per consumer, as nats-server does, so a request to
// a consumer that does not exist gets core no-responders (ordered
// consumers reset on it).
type nextSubscriber struct{ c *consumer }

func (n nextSubscriber) Deliver(_ *broker.Subscription, _, reply, _, payload []byte) {
	if len(reply) == 0 {
		return
	}
	n.c.request(string(reply), payload)
}

// consumerAPISubjects are the consumer endpoints subscribed once per prefix.
func consumerAPISubjects(prefix string) []string {
	var out []string
	for _, op := range []string{"CREATE", "DURABLE", "INFO", "DELETE", "NAMES", "LIST", "PAUSE", "LEADER", "UNPIN"} {
		out = append(out, prefix+".CONSUMER."+op+".>")
	}
	return out
}
