package jetstream

import (
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Config limits and defaults (JETSTREAM-API.md §7).
const (
	defaultDuplicates = 2 * time.Minute
	minMaxAge         = 100 * time.Millisecond
	minDuplicates     = 100 * time.Millisecond
	minMarkerTTL      = time.Second
	maxReplicas       = 5
)

// configError is a 10052 "invalid stream config" error with the given text.
func configError(format string, args ...any) *jsapi.ApiError {
	return jsapi.NewError(jsapi.JSStreamInvalidConfigF, "err", fmt.Sprintf(format, args...))
}

// pedanticError is 10157 "pedantic mode: <text>": a pedantic request
// (2.11) is refused where the server would otherwise adjust it.
func pedanticError(text string) *jsapi.ApiError {
	return jsapi.NewError(jsapi.JSPedanticErrF, "err", text)
}

// setConfigDefaults normalises a requested config the way nats-server
// does before validating and storing it. With pedantic set, an adjustment
// of a value the client did set is an error instead.
func setConfigDefaults(cfg *jsapi.StreamConfig, pedantic bool) *jsapi.ApiError {
	limits := []struct {
		name string
		v    *int64
	}{{"max_msgs", &cfg.MaxMsgs}, {"max_bytes", &cfg.MaxBytes}, {"max_msgs_per_subject", &cfg.MaxMsgsPerSubject}}
	for _, l := range limits {
		if *l.v < -1 && pedantic {
			return pedanticError(l.name + " must be set to -1")
		}
		if *l.v == 0 || *l.v < -1 {
			*l.v = -1
		}
	}
	if cfg.MaxConsumers < -1 && pedantic {
		return pedanticError("max_consumers must be set to -1")
	}
	if cfg.MaxConsumers == 0 || cfg.MaxConsumers < -1 {
		cfg.MaxConsumers = -1
	}
	if cfg.MaxMsgSize < -1 && pedantic {
		return pedanticError("max_msg_size must be set to -1")
	}
	if cfg.MaxMsgSize == 0 || cfg.MaxMsgSize < -1 {
		cfg.MaxMsgSize = -1
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	if cfg.Duplicates == 0 && cfg.Mirror == nil {
		cfg.Duplicates = defaultDuplicates
		if cfg.MaxAge != 0 && cfg.MaxAge < defaultDuplicates {
			if pedantic {
				return pedanticError("duplicate window cannot be bigger than max age")
			}
			cfg.Duplicates = cfg.MaxAge
		}
	}
	if len(cfg.Subjects) == 0 && cfg.Mirror == nil && len(cfg.Sources) == 0 {
		cfg.Subjects = []string{cfg.Name}
	}
	if cfg.SubjectDeleteMarkerTTL > 0 && !pedantic {
		cfg.AllowMsgTTL = true
		cfg.AllowRollup = true
		cfg.DenyPurge = false
	}
	if cfg.Placement != nil && reflect.ValueOf(*cfg.Placement).IsZero() {
		cfg.Placement = nil
	}
	setServerMetadata(cfg)
	return nil
}

// setServerMetadata drops client-supplied server keys and records the API
// level the config needs (ADR-44).
func setServerMetadata(cfg *jsapi.StreamConfig) {
	md := make(map[string]string, len(cfg.Metadata)+1)
	for k, v := range cfg.Metadata {
		if k != jsapi.MetaServerVersion && k != jsapi.MetaServerLevel {
			md[k] = v
		}
	}
	level := 0
	if cfg.AllowMsgTTL || cfg.SubjectDeleteMarkerTTL > 0 {
		level = 1
	}
	md[jsapi.MetaRequiredLevel] = strconv.Itoa(level)
	cfg.Metadata = md
}

// withServerMetadata returns cfg as it is shown to clients, with the
// server's version and level added to the metadata.
func (js *JetStream) withServerMetadata(cfg jsapi.StreamConfig) jsapi.StreamConfig {
	md := maps.Clone(cfg.Metadata)
	if md == nil {
		md = make(map[string]string, 3)
	}
	md[jsapi.MetaServerVersion] = js.opts.Version
	md[jsapi.MetaServerLevel] = strconv.Itoa(APILevel)
	cfg.Metadata = md
	cfg.Subjects = append([]string(nil), cfg.Subjects...)
	return cfg
}

// validName reports whether s is a valid stream name (nats-server isValidName).
func validName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n\f.*>\\/")
}

// checkConfig validates a config after setConfigDefaults, in nats-server's
// order, returning the first violation.
func checkConfig(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	if !validName(cfg.Name) {
		return configError("stream name is required and can not contain '.', '*', '>', '\\', '/'")
	}
	if len(cfg.Name) > jsapi.MaxNameLen {
		return configError("stream name is too long, maximum allowed is %d", jsapi.MaxNameLen)
	}
	if len(cfg.Description) > jsapi.MaxDescriptionLen {
		return configError("stream description is too long, maximum allowed is %d", jsapi.MaxDescriptionLen)
	}
	if n := metadataLen(cfg.Metadata); n > jsapi.MaxMetadataLen {
		return configError("stream metadata exceeds maximum size of %d bytes", jsapi.MaxMetadataLen)
	}
	if e := checkLimits(cfg); e != nil {
		return e
	}
	if e := checkUnsupported(cfg); e != nil {
		return e
	}
	if e := checkSubjects(cfg); e != nil {
		return e
	}
	if e := checkSubjectTransform(cfg); e != nil {
		return e
	}
	return checkRePublish(cfg)
}

// transformSource is the subject transform source, ">" when empty.
func transformSource(st *jsapi.SubjectTransformConfig) string {
	if st.Source == "" {
		return ">"
	}
	return st.Source
}

// checkSubjectTransform validates the stream's subject transform
// (10155 for the source, 10156 for the destination).
func checkSubjectTransform(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	st := cfg.SubjectTransform
	if st == nil {
		return nil
	}
	_, err := newTransform(transformSource(st), st.Destination)
	if te, ok := err.(*transformError); ok {
		if te.Source {
			return jsapi.NewError(jsapi.JSStreamTransformInvalidSource, "err", te.Detail)
		}
		return jsapi.NewError(jsapi.JSStreamTransformInvalidDestination, "err", te.Detail)
	}
	return nil
}

// republishSource is the republish source, ">" when empty.
func republishSource(rp *jsapi.RePublish) string {
	if rp.Source == "" {
		return ">"
	}
	return rp.Source
}

// checkRePublish validates the republish transform and refuses a
// destination that the stream would capture again.
func checkRePublish(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	rp := cfg.RePublish
	if rp == nil {
		return nil
	}
	if _, err := newTransform(republishSource(rp), rp.Destination); err != nil {
		return configError("stream configuration for republish with transform from '%s' to '%s' not valid",
			republishSource(rp), rp.Destination)
	}
	for _, s := range cfg.Subjects {
		if subject.Overlap(s, rp.Destination) {
			return configError("stream configuration for republish destination forms a cycle")
		}
	}
	return nil
}

func metadataLen(md map[string]string) int {
	n := 0
	for k, v := range md {
		n += len(k) + len(v)
	}
	return n
}

func checkLimits(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	switch {
	case cfg.MaxAge < 0:
		return configError("max age can not be negative")
	case cfg.MaxAge != 0 && cfg.MaxAge < minMaxAge:
		return configError("max age needs to be >= 100ms")
	case cfg.Duplicates < 0:
		return configError("duplicates window can not be negative")
	case cfg.Duplicates != 0 && cfg.Duplicates < minDuplicates:
		return configError("duplicates window needs to be >= 100ms")
	case cfg.MaxAge != 0 && cfg.Duplicates > cfg.MaxAge:
		return configError("duplicates window can not be larger then max age")
	case cfg.Replicas < 0:
		return jsapi.NewError(jsapi.JSReplicasCountCannotBeNegative)
	case cfg.Replicas > maxReplicas:
		return configError("maximum replicas is %d", maxReplicas)
	case cfg.DiscardNewPerSubject && cfg.Discard != jsapi.DiscardNew:
		return configError("discard new per subject requires discard new policy to be set")
	case cfg.DiscardNewPerSubject && cfg.MaxMsgsPerSubject <= 0:
		return configError("discard new per subject requires max msgs per subject > 0")
	case cfg.SubjectDeleteMarkerTTL < 0:
		return configError("subject delete marker TTL must not be negative")
	case cfg.SubjectDeleteMarkerTTL > 0 && cfg.SubjectDeleteMarkerTTL < minMarkerTTL:
		return configError("subject delete marker TTL must be at least 1 second")
	case cfg.SubjectDeleteMarkerTTL > 0 && !cfg.AllowMsgTTL:
		return configError("subject delete marker cannot be set if message TTLs are disabled")
	case cfg.SubjectDeleteMarkerTTL > 0 && !cfg.AllowRollup:
		return configError("subject delete marker cannot be set if roll-ups are disabled")
	case cfg.DenyPurge && cfg.AllowRollup:
		return configError("roll-ups require the purge permission")
	case cfg.MirrorDirect && cfg.Mirror == nil:
		return configError("stream has no mirror but does have mirror direct")
	case cfg.Placement != nil && cfg.Placement.Preferred != "":
		return configError("preferred server not permitted in placement")
	}
	return nil
}

// checkUnsupported rejects the features holdfast does not implement, with a
// clear message rather than silently ignoring them.
func checkUnsupported(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	var what string
	switch {
	case cfg.Mirror != nil:
		what = "stream mirrors"
	case len(cfg.Sources) > 0:
		what = "stream sources"
	case cfg.AllowMsgCounter:
		what = "message counters"
	case cfg.AllowAtomicPublish:
		what = "atomic publish"
	case cfg.AllowBatchPublish:
		what = "batch publish"
	case cfg.AllowMsgSchedules:
		what = "message schedules"
	case cfg.PersistMode == jsapi.AsyncPersistMode:
		what = "async persist mode"
	default:
		return nil
	}
	return configError("%s are not supported by holdfast", what)
}

// checkSubjects validates the subject list (not the overlap with other
// streams, which needs the stream map).
func checkSubjects(cfg *jsapi.StreamConfig) *jsapi.ApiError {
	for i, s := range cfg.Subjects {
		if !subject.ValidSubject(s) {
			return configError("invalid subject")
		}
		if s == ">" && !cfg.NoAck {
			return configError("capturing all subjects requires no-ack to be true")
		}
		if !cfg.NoAck && reservedSubject(s) {
			return configError("subjects that overlap with jetstream api require no-ack to be true")
		}
		for _, t := range cfg.Subjects[i+1:] {
			if subject.Overlap(s, t) {
				return configError("subject %q overlaps with %q", s, t)
			}
		}
	}
	return nil
}

// reservedSubject reports whether s collides with the JetStream API or the
// system account's subjects (JETSTREAM-API.md §7, subjects).
func reservedSubject(s string) bool {
	if s == ">" {
		return false
	}
	for _, p := range []string{"$JS.>", "$JSC.>", "$NRG.>", "$SYS.>"} {
		if subject.Overlap(s, p) {
			if p == "$JS.>" && subject.SubsetOf(s, "$JS.EVENT.>") {
				continue
			}
			if p == "$SYS.>" && subject.SubsetOf(s, "$SYS.ACCOUNT.>") {
				continue
			}
			return true
		}
	}
	return false
}

// checkUpdate applies nats-server's update rules to a validated new config
// against the current one; it may adjust cfg (sealing forces some fields).
func checkUpdate(old, cfg *jsapi.StreamConfig) *jsapi.ApiError {
	switch {
	case cfg.Name != old.Name:
		return configError("stream configuration name must match original")
	case cfg.Storage != old.Storage:
		return configError("stream configuration update can not change storage type")
	case cfg.Retention != old.Retention && (cfg.Retention == jsapi.WorkQueuePolicy || old.Retention == jsapi.WorkQueuePolicy):
		return configError("stream configuration update can not change retention policy to/from workqueue")
	case old.Sealed && !cfg.Sealed:
		return configError("stream configuration update can not unseal a sealed stream")
	case old.DenyDelete && !cfg.DenyDelete:
		return configError("stream configuration update can not cancel deny message deletes")
	case old.DenyPurge && !cfg.DenyPurge:
		return configError("stream configuration update can not cancel deny purge")
	case old.AllowMsgTTL && !cfg.AllowMsgTTL:
		return configError("message TTL status can not be disabled")
	}
	if cfg.Sealed {
		cfg.MaxAge = 0
		cfg.Discard = jsapi.DiscardNew
		cfg.DenyDelete, cfg.DenyPurge = true, true
		cfg.AllowRollup = false
	}
	return nil
}

// sameConfig compares two normalised configs, ignoring the server's
// metadata keys, for the idempotent create.
func sameConfig(a, b jsapi.StreamConfig) bool {
	strip := func(c *jsapi.StreamConfig) {
		md := make(map[string]string)
		for k, v := range c.Metadata {
			if !strings.HasPrefix(k, jsapi.MetaReservedPrefix) {
				md[k] = v
			}
		}
		c.Metadata = md
	}
	strip(&a)
	strip(&b)
	return reflect.DeepEqual(a, b)
}
