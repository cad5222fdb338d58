package jetstream

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Dead-letter configuration (issue 7, docs/dead-letter.md). A consumer's
// dead-letter settings arrive as the dead_letter field or as holdfast.*
// metadata keys; the server keeps both in step, so that a tool which
// round-trips a config without the extra field keeps the setting.

const (
	dlqDefaultHistory = 16
	dlqMaxHistory     = 1000
	dlqPrefixRoot     = "$DLQ"
	// dlqHeaderRoom is what a dead letter's added headers may need beyond
	// the source message, for the max_msg_size check.
	dlqHeaderRoom = 4096
)

// dlqSupported are the reasons a consumer may name in dead_letter.on.
var dlqSupported = []string{jsapi.DLQReasonMaxDeliveries, jsapi.DLQReasonTerminated, jsapi.DLQReasonExpired, jsapi.DLQReasonMaxLen}

// resolveDeadLetter settles the dead-letter settings of a create or update
// request: the explicit field wins, then the metadata keys, then what the
// existing consumer (old, nil for a new one) has. An object without stream,
// or the metadata key holdfast.dlq.stream set to "" or "none", removes it.
// The metadata keys are rewritten from the result.
func resolveDeadLetter(cfg, old *jsapi.ConsumerConfig) *jsapi.ApiError {
	md := cfg.Metadata
	switch v, ok := md[jsapi.MetaDLQStream]; {
	case cfg.DeadLetter != nil:
		if cfg.DeadLetter.Stream == "" {
			cfg.DeadLetter = nil
		}
	case ok:
		if v == "" || v == "none" {
			break
		}
		dl := &jsapi.DeadLetterConfig{Stream: v, SubjectPrefix: md[jsapi.MetaDLQSubjectPrefix]}
		if on := md[jsapi.MetaDLQOn]; on != "" {
			for _, r := range strings.Split(on, ",") {
				dl.On = append(dl.On, strings.TrimSpace(r))
			}
		}
		if h := md[jsapi.MetaDLQHistory]; h != "" {
			n, err := strconv.Atoi(h)
			if err != nil {
				return jsapi.NewError(jsapi.HFDeadLetterConfigInvalidErrF, "err", jsapi.MetaDLQHistory+" is not a number")
			}
			dl.History = n
		}
		cfg.DeadLetter = dl
	case old != nil && old.DeadLetter != nil:
		dl := *old.DeadLetter
		dl.On = slices.Clone(dl.On)
		cfg.DeadLetter = &dl
	}
	switch v, ok := md[jsapi.MetaNakBackoff]; {
	case cfg.NakBackoff != nil:
	case ok:
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			d, err := time.ParseDuration(part)
			if err != nil {
				return jsapi.NewError(jsapi.HFDeadLetterConfigInvalidErrF, "err", jsapi.MetaNakBackoff+": "+err.Error())
			}
			cfg.NakBackoff = append(cfg.NakBackoff, d)
		}
	case old != nil:
		cfg.NakBackoff = slices.Clone(old.NakBackoff)
	}
	if len(cfg.NakBackoff) == 0 {
		cfg.NakBackoff = nil
	}
	return nil
}

// deadLetterDefaults fills in the defaults once the consumer's name is known
// and writes the metadata keys from the settings.
func deadLetterDefaults(cfg *jsapi.ConsumerConfig, streamName string) {
	if dl := cfg.DeadLetter; dl != nil {
		if dl.SubjectPrefix == "" {
			dl.SubjectPrefix = dlqPrefixRoot + "." + streamName + "." + cfg.Name
		}
		if len(dl.On) == 0 {
			dl.On = []string{jsapi.DLQReasonMaxDeliveries}
		}
		if dl.History == 0 {
			dl.History = dlqDefaultHistory
		}
	}
	md := cfg.Metadata
	if md == nil {
		md = map[string]string{}
	}
	for _, k := range []string{jsapi.MetaDLQStream, jsapi.MetaDLQSubjectPrefix, jsapi.MetaDLQOn, jsapi.MetaDLQHistory, jsapi.MetaNakBackoff} {
		delete(md, k)
	}
	if dl := cfg.DeadLetter; dl != nil {
		md[jsapi.MetaDLQStream] = dl.Stream
		md[jsapi.MetaDLQSubjectPrefix] = dl.SubjectPrefix
		md[jsapi.MetaDLQOn] = strings.Join(dl.On, ",")
		md[jsapi.MetaDLQHistory] = strconv.Itoa(dl.History)
	}
	if len(cfg.NakBackoff) > 0 {
		parts := make([]string, len(cfg.NakBackoff))
		for i, d := range cfg.NakBackoff {
			parts[i] = d.String()
		}
		md[jsapi.MetaNakBackoff] = strings.Join(parts, ",")
	}
	cfg.Metadata = md
}

// validateDeadLetter checks a consumer's dead-letter settings against its
// stream (src) and the dead-letter stream.
func (js *JetStream) validateDeadLetter(cfg *jsapi.ConsumerConfig, src *jsapi.StreamConfig) *jsapi.ApiError {
	for _, d := range cfg.NakBackoff {
		if d <= 0 {
			return jsapi.NewError(jsapi.HFNakBackoffInvalidErr)
		}
	}
	dl := cfg.DeadLetter
	if dl == nil {
		return nil
	}
	invalid := func(text string) *jsapi.ApiError {
		return jsapi.NewError(jsapi.HFDeadLetterConfigInvalidErrF, "err", text)
	}
	for _, r := range dl.On {
		if !slices.Contains(dlqSupported, r) {
			return invalid("reason " + strconv.Quote(r) + " is not one of " + strings.Join(dlqSupported, ", "))
		}
	}
	if dl.History < 0 || dl.History > dlqMaxHistory {
		return invalid("history must be between 1 and " + strconv.Itoa(dlqMaxHistory))
	}
	if !subject.ValidLiteral(dl.SubjectPrefix) {
		return invalid("subject_prefix " + strconv.Quote(dl.SubjectPrefix) + " is not a literal subject")
	}
	if cfg.AckPolicy == jsapi.AckNone {
		return jsapi.NewError(jsapi.HFDeadLetterAckNoneErr)
	}
	if dl.Stream == src.Name {
		return jsapi.NewError(jsapi.HFDeadLetterSameStreamErr)
	}
	dst := js.lookup(dl.Stream)
	if dst == nil {
		return jsapi.NewError(jsapi.HFDeadLetterStreamNotFoundErr, "stream", dl.Stream)
	}
	return checkDeadLetterStream(dst.config(), src, dl.SubjectPrefix)
}

// checkDeadLetterStream tells whether dcfg may take dead letters from the
// stream src under the subject prefix: it must opt in, capture the
// prefix, and fit the source's messages.
func checkDeadLetterStream(dcfg jsapi.StreamConfig, src *jsapi.StreamConfig, prefix string) *jsapi.ApiError {
	if !acceptsDeadLetters(dcfg.Metadata[jsapi.MetaDLQAccept], src.Name) {
		return jsapi.NewError(jsapi.HFDeadLetterNotAcceptedErr, "stream", dcfg.Name, "source", src.Name)
	}
	want := prefix + ".>"
	captured := false
	for _, s := range dcfg.Subjects {
		if subject.SubsetOf(want, s) {
			captured = true
			break
		}
	}
	if !captured {
		return jsapi.NewError(jsapi.HFDeadLetterSubjectsErr, "stream", dcfg.Name, "subject", want)
	}
	if dcfg.MaxMsgSize > 0 && (src.MaxMsgSize <= 0 || dcfg.MaxMsgSize < src.MaxMsgSize+dlqHeaderRoom) {
		need := "unlimited"
		if src.MaxMsgSize > 0 {
			need = strconv.Itoa(int(src.MaxMsgSize))
		}
		return jsapi.NewError(jsapi.HFDeadLetterMaxMsgSizeErr, "size", strconv.Itoa(int(dcfg.MaxMsgSize)), "need", need)
	}
	return nil
}

// acceptsDeadLetters reads a holdfast.dlq.accept value: "*" or a
// comma-separated list of source streams.
func acceptsDeadLetters(accept, source string) bool {
	for _, s := range strings.Split(accept, ",") {
		if s = strings.TrimSpace(s); s == "*" || s == source {
			return true
		}
	}
	return false
}

// dlqReasons converts the configured reasons for the ack core.
func dlqReasons(dl *jsapi.DeadLetterConfig) ackstate.DLReasons {
	var rs ackstate.DLReasons
	if dl == nil {
		return rs
	}
	for _, name := range dl.On {
		if r, ok := ackstate.ParseDLReason(name); ok {
			rs = rs.With(r)
		}
	}
	return rs
}
