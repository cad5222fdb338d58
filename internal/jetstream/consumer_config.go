package jetstream

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Consumer config defaults (nats-server setConsumerConfigDefaults,
// JETSTREAM-API.md §10).
const (
	defaultAckWait           = 30 * time.Second
	defaultMaxAckPending     = 1000
	defaultMaxWaiting        = 512
	defaultInactiveThreshold = 5 * time.Second
	maxConsumerDescription   = 4096
	maxConsumerNameLen       = 255
	minHeartbeat             = 100 * time.Millisecond
)

// consumerDefaults fills in what nats-server fills in before validation.
// With pedantic set (the request's "pedantic": true, 2.11), an adjustment
// it would make silently is refused with 10157 instead, in nats-server's
// order: max_deliver, max_ack_pending below -1, a first backoff step other
// than ack_wait, and the stream's consumer limits left for it to apply.
func consumerDefaults(cfg *jsapi.ConsumerConfig, scfg *jsapi.StreamConfig, pedantic bool) *jsapi.ApiError {
	if cfg.Name == "" {
		cfg.Name = cfg.Durable
	}
	if cfg.MaxDeliver < -1 && pedantic {
		return pedanticError("max_deliver must be set to -1")
	}
	if cfg.MaxDeliver == 0 || cfg.MaxDeliver < -1 {
		cfg.MaxDeliver = -1
	}
	if cfg.MaxAckPending < -1 {
		if pedantic {
			return pedanticError("max_ack_pending must be set to -1")
		}
		cfg.MaxAckPending = -1
	}
	if cfg.AckPolicy != jsapi.AckNone && cfg.AckWait == 0 {
		cfg.AckWait = defaultAckWait
	}
	if len(cfg.BackOff) > 0 {
		if pedantic && cfg.AckWait != cfg.BackOff[0] {
			return pedanticError("first backoff value has to equal batch AckWait")
		}
		cfg.AckWait = cfg.BackOff[0]
	}
	lim := scfg.ConsumerLimits
	// The stream's limit is every consumer's default, whatever its ack
	// policy (nats-server shows it on an AckNone consumer too).
	if cfg.MaxAckPending == 0 && lim.MaxAckPending > 0 {
		if pedantic {
			return pedanticError("max_ack_pending must be set if it's configured in stream limits")
		}
		cfg.MaxAckPending = lim.MaxAckPending
	}
	if cfg.MaxAckPending == 0 && cfg.AckPolicy != jsapi.AckNone && cfg.AckPolicy != jsapi.AckFlowControl {
		cfg.MaxAckPending = defaultMaxAckPending
	}
	if cfg.InactiveThreshold == 0 && lim.InactiveThreshold > 0 {
		if pedantic {
			return pedanticError("inactive_threshold must be set if it's configured in stream limits")
		}
		cfg.InactiveThreshold = lim.InactiveThreshold
	}
	if cfg.DeliverSubject == "" && cfg.MaxWaiting == 0 {
		cfg.MaxWaiting = defaultMaxWaiting
	}
	priorityDefaults(cfg)
	if cfg.Durable == "" && cfg.InactiveThreshold == 0 {
		cfg.InactiveThreshold = defaultInactiveThreshold
	}
	return nil
}

func policyErr(text string) *jsapi.ApiError {
	return jsapi.NewError(jsapi.JSConsumerInvalidPolicyErrF, "err", text)
}

// validateConsumer checks a defaulted config against its stream, in
// nats-server's order as far as clients can tell.
func validateConsumer(cfg *jsapi.ConsumerConfig, scfg *jsapi.StreamConfig) *jsapi.ApiError {
	if cfg.Durable != "" && cfg.Name != "" && cfg.Durable != cfg.Name {
		return jsapi.NewError(jsapi.JSConsumerCreateDurableAndNameMismatch)
	}
	for _, n := range []string{cfg.Durable, cfg.Name} {
		if n == "" {
			continue
		}
		if strings.ContainsAny(n, "\\/") {
			return jsapi.NewError(jsapi.JSConsumerNameContainsPathSeparatorsErr)
		}
		if !validName(n) {
			return jsapi.NewError(jsapi.JSConsumerBadDurableNameErr)
		}
		if len(n) > maxConsumerNameLen {
			return jsapi.NewError(jsapi.JSConsumerNameTooLongErrF, "max", strconv.Itoa(maxConsumerNameLen))
		}
	}
	if len(cfg.Description) > maxConsumerDescription {
		return jsapi.NewError(jsapi.JSConsumerDescriptionTooLongErrF, "max", strconv.Itoa(maxConsumerDescription))
	}
	if e := validateDeliverPolicy(cfg); e != nil {
		return e
	}
	if cfg.AckWait < 0 {
		return jsapi.NewError(jsapi.JSConsumerAckWaitNegativeErr)
	}
	for _, b := range cfg.BackOff {
		if b < 0 {
			return jsapi.NewError(jsapi.JSConsumerBackOffNegativeErr)
		}
	}
	if len(cfg.BackOff) > 0 && cfg.MaxDeliver != -1 && len(cfg.BackOff) > cfg.MaxDeliver {
		return jsapi.NewError(jsapi.JSConsumerMaxDeliverBackoffErr)
	}
	if e := validateSampling(cfg.SampleFrequency); e != nil {
		return e
	}
	if e := validateDelivery(cfg, scfg); e != nil {
		return e
	}
	if e := validateFilters(cfg, scfg); e != nil {
		return e
	}
	if e := validatePriority(cfg); e != nil {
		return e
	}
	if cfg.Replicas > 1 {
		return jsapi.NewError(jsapi.JSConsumerReplicasExceedsStream)
	}
	if cfg.Replicas < 0 {
		return jsapi.NewError(jsapi.JSReplicasCountCannotBeNegative)
	}
	if l := scfg.ConsumerLimits.InactiveThreshold; l > 0 && cfg.InactiveThreshold > l {
		return jsapi.NewError(jsapi.JSConsumerInactiveThresholdExcess, "limit", l.String())
	}
	if l := scfg.ConsumerLimits.MaxAckPending; l > 0 && cfg.MaxAckPending > l {
		return jsapi.NewError(jsapi.JSConsumerMaxPendingAckExcessErrF, "limit", strconv.Itoa(l))
	}
	if scfg.Retention == jsapi.WorkQueuePolicy {
		if cfg.AckPolicy != jsapi.AckExplicit {
			if cfg.DeliverSubject == "" {
				return jsapi.NewError(jsapi.JSConsumerPullRequiresAckErr)
			}
			return jsapi.NewError(jsapi.JSConsumerWQRequiresExplicitAckErr)
		}
		if cfg.DeliverPolicy != jsapi.DeliverAll {
			return jsapi.NewError(jsapi.JSConsumerWQConsumerNotDeliverAllErr)
		}
	}
	return nil
}

func validateDeliverPolicy(cfg *jsapi.ConsumerConfig) *jsapi.ApiError {
	name := map[jsapi.DeliverPolicy]string{
		jsapi.DeliverAll: "deliver all", jsapi.DeliverLast: "deliver last", jsapi.DeliverNew: "deliver new",
		jsapi.DeliverLastPerSubject: "deliver last per subject",
	}[cfg.DeliverPolicy]
	switch cfg.DeliverPolicy {
	case jsapi.DeliverByStartSequence:
		if cfg.OptStartSeq == 0 {
			return policyErr("consumer delivery policy is deliver by start sequence, but optional start sequence is not set")
		}
		if cfg.OptStartTime != nil {
			return policyErr("consumer delivery policy is deliver by start sequence, but optional start time is also set")
		}
	case jsapi.DeliverByStartTime:
		if cfg.OptStartTime == nil {
			return policyErr("consumer delivery policy is deliver by start time, but optional start time is not set")
		}
		if cfg.OptStartSeq != 0 {
			return policyErr("consumer delivery policy is deliver by start time, but optional start sequence is also set")
		}
	default:
		if cfg.OptStartSeq != 0 {
			return policyErr("consumer delivery policy is " + name + ", but optional start sequence is also set")
		}
		if cfg.OptStartTime != nil {
			return policyErr("consumer delivery policy is " + name + ", but optional start time is also set")
		}
		if cfg.DeliverPolicy == jsapi.DeliverLastPerSubject && cfg.FilterSubject == "" && len(cfg.FilterSubjects) == 0 {
			// nats-server 2.15.2 refuses it (a filter of ">" is fine).
			return policyErr("consumer delivery policy is deliver last per subject, but optional filter subject is not set")
		}
	}
	return nil
}

func validateSampling(s string) *jsapi.ApiError {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || n < 0 || n > 100 {
		msg := "sampling value must be between 0 and 100"
		if err != nil {
			msg = err.Error()
		}
		return jsapi.NewError(jsapi.JSConsumerInvalidSamplingErrF, "err", msg)
	}
	return nil
}

// validateDelivery checks the pull-only and push-only options.
func validateDelivery(cfg *jsapi.ConsumerConfig, scfg *jsapi.StreamConfig) *jsapi.ApiError {
	if cfg.DeliverSubject == "" {
		switch {
		case cfg.RateLimit > 0:
			return jsapi.NewError(jsapi.JSConsumerPullWithRateLimitErr)
		case cfg.Heartbeat > 0:
			return jsapi.NewError(jsapi.JSConsumerHBRequiresPushErr)
		case cfg.FlowControl:
			return jsapi.NewError(jsapi.JSConsumerFCRequiresPushErr)
		case cfg.MaxWaiting < 0:
			return jsapi.NewError(jsapi.JSConsumerMaxWaitingNegativeErr)
		case cfg.MaxRequestBatch < 0:
			return jsapi.NewError(jsapi.JSConsumerMaxRequestBatchNegativeErr)
		case cfg.MaxRequestExpires != 0 && cfg.MaxRequestExpires < time.Millisecond:
			return jsapi.NewError(jsapi.JSConsumerMaxRequestExpiresTooSmall)
		}
		return nil
	}
	switch {
	case cfg.MaxWaiting != 0:
		return jsapi.NewError(jsapi.JSConsumerPushMaxWaitingErr)
	case subject.HasWildcard(cfg.DeliverSubject):
		return jsapi.NewError(jsapi.JSConsumerDeliverToWildcardsErr)
	case !subject.ValidLiteral(cfg.DeliverSubject):
		return jsapi.NewError(jsapi.JSConsumerInvalidDeliverSubject)
	case cfg.FlowControl && cfg.Heartbeat <= 0:
		return jsapi.NewError(jsapi.JSConsumerWithFlowControlNeedsHeartbeats)
	case cfg.Heartbeat > 0 && cfg.Heartbeat < minHeartbeat:
		return jsapi.NewError(jsapi.JSConsumerSmallHeartbeatErr)
	case cfg.AckPolicy == jsapi.AckNone && cfg.MaxAckPending > 0:
		return jsapi.NewError(jsapi.JSConsumerMaxPendingAckPolicyRequiredErr)
	case len(cfg.PriorityGroups) > 0:
		return jsapi.NewError(jsapi.JSConsumerPushWithPriorityGroupErr)
	}
	for _, s := range scfg.Subjects {
		if subject.Match(s, cfg.DeliverSubject) {
			return jsapi.NewError(jsapi.JSConsumerDeliverCycleErr)
		}
	}
	return nil
}

// validateFilters checks filter_subject / filter_subjects.
func validateFilters(cfg *jsapi.ConsumerConfig, scfg *jsapi.StreamConfig) *jsapi.ApiError {
	if cfg.FilterSubject != "" && len(cfg.FilterSubjects) > 0 {
		return jsapi.NewError(jsapi.JSConsumerMultipleFiltersNotAllowed)
	}
	for i, f := range cfg.FilterSubjects {
		if f == "" {
			return jsapi.NewError(jsapi.JSConsumerEmptyFilter)
		}
		for _, g := range cfg.FilterSubjects[i+1:] {
			if subject.Overlap(f, g) {
				return jsapi.NewError(jsapi.JSConsumerOverlappingSubjectFilters)
			}
		}
	}
	for _, f := range filtersOf(cfg) {
		if !subject.ValidSubject(f) {
			return jsapi.NewError(jsapi.JSStreamInvalidConfigF, "err", "invalid subject")
		}
	}
	return nil
}

// filtersOf lists a config's filters; nil means every subject.
func filtersOf(cfg *jsapi.ConsumerConfig) []string {
	if cfg.FilterSubject != "" {
		if cfg.FilterSubject == ">" {
			return nil
		}
		return []string{cfg.FilterSubject}
	}
	return cfg.FilterSubjects
}

// checkConsumerUpdate rejects changes nats-server does not allow on an existing
// consumer (JETSTREAM-API.md §4.3), answered with 500/10012.
func checkConsumerUpdate(old, cfg *jsapi.ConsumerConfig) *jsapi.ApiError {
	fail := func(text string) *jsapi.ApiError { return jsapi.NewError(jsapi.JSConsumerCreateErrF, "err", text) }
	switch {
	case old.DeliverPolicy != cfg.DeliverPolicy:
		return fail("deliver policy can not be updated")
	case old.MemoryStorage != cfg.MemoryStorage:
		return fail("storage type can not be updated")
	case old.OptStartSeq != cfg.OptStartSeq:
		return fail("start sequence can not be updated")
	case !reflect.DeepEqual(old.OptStartTime, cfg.OptStartTime):
		return fail("start time can not be updated")
	case old.AckPolicy != cfg.AckPolicy:
		return fail("ack policy can not be updated")
	case old.ReplayPolicy != cfg.ReplayPolicy:
		return fail("replay policy can not be updated")
	case old.Heartbeat != cfg.Heartbeat:
		return fail("heart beats can not be updated")
	case old.FlowControl != cfg.FlowControl:
		return fail("flow control can not be updated")
	case old.DeliverSubject == "" && cfg.DeliverSubject != "":
		return fail("can not update pull consumer to push based")
	case old.DeliverSubject != "" && cfg.DeliverSubject == "":
		return fail("can not update push consumer to pull based")
	case old.MaxWaiting != cfg.MaxWaiting:
		return fail("max waiting can not be updated")
	}
	return nil
}

// sameConsumerConfig compares two defaulted configs as "action":"create" does,
// ignoring the server's metadata.
func sameConsumerConfig(a, b jsapi.ConsumerConfig) bool {
	a.Metadata, b.Metadata = stripServerMeta(a.Metadata), stripServerMeta(b.Metadata)
	a.PauseUntil, b.PauseUntil = nil, nil
	return reflect.DeepEqual(a, b)
}

func stripServerMeta(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if strings.HasPrefix(k, "_nats.") {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}
