package jetstream

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// The headers of a dead letter (docs/dead-letter.md). The source message's
// own headers are copied, except that every Nats-* header (all of them are
// the server's to act on: Nats-Msg-Id, Nats-Rollup, Nats-Expected-*,
// Nats-TTL, ...) is renamed Holdfast-Dlq-Orig-<Name>, so that storing the
// copy does not deduplicate, roll up, expire or reject it.
const (
	dlqHdrPrefix     = "Holdfast-Dlq-"
	dlqHdrOrigPrefix = "Holdfast-Dlq-Orig-"
	dlqHdrOrigin     = "Holdfast-Dlq-Origin"
	dlqHdrReason     = "Holdfast-Dlq-Reason"
	dlqHdrStream     = "Holdfast-Dlq-Stream"
	dlqHdrConsumer   = "Holdfast-Dlq-Consumer"
	dlqHdrSubject    = "Holdfast-Dlq-Subject"
	dlqHdrSequence   = "Holdfast-Dlq-Sequence"
	dlqHdrPublished  = "Holdfast-Dlq-Published"
	dlqHdrTime       = "Holdfast-Dlq-Time"
	dlqHdrDeliveries = "Holdfast-Dlq-Deliveries"
	dlqHdrFirst      = "Holdfast-Dlq-First-Delivery"
	dlqHdrLast       = "Holdfast-Dlq-Last-Delivery"
	dlqHdrError      = "Holdfast-Dlq-Error"
	dlqHdrHistory    = "Holdfast-Dlq-History"
	dlqHdrCount      = "Holdfast-Dlq-Count"
)

// deadLetterMsg is the copy appended to the dead-letter stream.
type deadLetterMsg struct {
	subject string
	hdr     []byte
	data    []byte
}

// buildDeadLetter makes the copy of source message m; count is how many
// dead letters this message has had from this consumer, this one included.
func buildDeadLetter(c *consumer, m *store.Msg, j dlqJob, count int) deadLetterMsg {
	h := proto.AppendHeaderStart(nil, 0, "")
	h = appendRenamedHeaders(h, m.Header)
	field := func(k, v string) { h = proto.AppendHeaderField(h, k, headerSafe(v)) }
	rfc := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
	key := originKey{stream: c.st.name, seq: m.Seq, consumer: c.name, created: c.created.UnixNano(), epoch: j.dl.At}
	field(dlqHdrOrigin, key.String())
	field(dlqHdrReason, j.dl.Reason.String())
	field(dlqHdrStream, c.st.name)
	field(dlqHdrConsumer, c.name)
	field(dlqHdrSubject, m.Subject)
	field(dlqHdrSequence, strconv.FormatUint(m.Seq, 10))
	field(dlqHdrPublished, rfc(m.Time))
	field(dlqHdrTime, rfc(j.dl.At))
	field(dlqHdrDeliveries, strconv.FormatUint(j.dl.Deliveries, 10))
	if hist := j.dl.History; len(hist) > 0 {
		field(dlqHdrFirst, rfc(hist[0].At))
		field(dlqHdrLast, rfc(hist[len(hist)-1].At))
		b, _ := json.Marshal(attemptsOf(hist))
		field(dlqHdrHistory, string(b))
	}
	if j.dl.Error != "" {
		field(dlqHdrError, j.dl.Error)
	}
	field(dlqHdrCount, strconv.Itoa(count))
	return deadLetterMsg{subject: j.cfg.SubjectPrefix + "." + m.Subject, hdr: proto.AppendHeaderEnd(h), data: m.Data}
}

// appendRenamedHeaders copies the fields of a header block, renaming the
// server's Nats-* fields and dropping a previous dead letter's own
// Holdfast-Dlq-* fields except the renamed originals (a dead letter of a
// dead letter describes the new move).
func appendRenamedHeaders(dst, hdr []byte) []byte {
	headerFields(hdr, func(n string, value []byte) {
		switch {
		case len(n) >= 5 && strings.EqualFold(n[:5], "Nats-"):
			n = dlqHdrOrigPrefix + n
		case strings.HasPrefix(n, dlqHdrPrefix) && !strings.HasPrefix(n, dlqHdrOrigPrefix):
			return
		}
		dst = proto.AppendHeaderField(dst, n, value)
	})
	return dst
}

// headerFields calls fn with the name and value (leading blanks trimmed) of
// every field of a NATS/1.0 header block, in order; lines without a colon
// are skipped and the block ends at the first empty line.
func headerFields(hdr []byte, fn func(name string, value []byte)) {
	if len(hdr) == 0 {
		return
	}
	_, rest, ok := bytes.Cut(hdr, []byte("\n")) // the NATS/1.0 line
	for ok {
		var line []byte
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return
		}
		if name, value, found := bytes.Cut(line, []byte(":")); found {
			fn(string(name), bytes.TrimLeft(value, " \t"))
		}
	}
}

// headerSafe keeps a value on one header line.
func headerSafe(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
}
