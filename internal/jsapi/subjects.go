package jsapi

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// API subjects (JETSTREAM-API.md §2). A name ending in T is a fmt template
// for building a subject; the same name without T is the wildcard pattern the
// server subscribes to. Stream names sit at token 5 and consumer names at
// token 6 (1-based), except under STREAM.MSG.* and CONSUMER.DURABLE.CREATE,
// which shift them by one.
const (
	APIPrefix = "$JS.API"
	// APIDomainPrefixT is the prefix clients use for a JetStream domain;
	// the server maps "$JS.<domain>.API.>" subjects onto APIPrefix.
	APIDomainPrefixT = "$JS.%s.API"

	APIAccountInfo = "$JS.API.INFO"

	APIStreamCreate          = "$JS.API.STREAM.CREATE.*"
	APIStreamCreateT         = "$JS.API.STREAM.CREATE.%s"
	APIStreamUpdate          = "$JS.API.STREAM.UPDATE.*"
	APIStreamUpdateT         = "$JS.API.STREAM.UPDATE.%s"
	APIStreamNames           = "$JS.API.STREAM.NAMES"
	APIStreamList            = "$JS.API.STREAM.LIST"
	APIStreamInfo            = "$JS.API.STREAM.INFO.*"
	APIStreamInfoT           = "$JS.API.STREAM.INFO.%s"
	APIStreamDelete          = "$JS.API.STREAM.DELETE.*"
	APIStreamDeleteT         = "$JS.API.STREAM.DELETE.%s"
	APIStreamPurge           = "$JS.API.STREAM.PURGE.*"
	APIStreamPurgeT          = "$JS.API.STREAM.PURGE.%s"
	APIStreamSnapshot        = "$JS.API.STREAM.SNAPSHOT.*"
	APIStreamSnapshotT       = "$JS.API.STREAM.SNAPSHOT.%s"
	APIStreamRestore         = "$JS.API.STREAM.RESTORE.*"
	APIStreamRestoreT        = "$JS.API.STREAM.RESTORE.%s"
	APIMsgGet                = "$JS.API.STREAM.MSG.GET.*"
	APIMsgGetT               = "$JS.API.STREAM.MSG.GET.%s"
	APIMsgDelete             = "$JS.API.STREAM.MSG.DELETE.*"
	APIMsgDeleteT            = "$JS.API.STREAM.MSG.DELETE.%s"
	APIStreamLeaderStepDown  = "$JS.API.STREAM.LEADER.STEPDOWN.*"
	APIStreamLeaderStepDownT = "$JS.API.STREAM.LEADER.STEPDOWN.%s"
	APIStreamRemovePeer      = "$JS.API.STREAM.PEER.REMOVE.*"
	APIStreamRemovePeerT     = "$JS.API.STREAM.PEER.REMOVE.%s"

	// DIRECT.GET answers with raw messages, never JSON.
	APIDirectGet              = "$JS.API.DIRECT.GET.*"
	APIDirectGetT             = "$JS.API.DIRECT.GET.%s"
	APIDirectGetLastBySubject = "$JS.API.DIRECT.GET.*.>"
	// APIDirectGetLastBySubjectT takes the stream and the subject.
	APIDirectGetLastBySubjectT = "$JS.API.DIRECT.GET.%s.%s"

	// APIConsumerCreate is the legacy ephemeral form (5 tokens).
	APIConsumerCreate  = "$JS.API.CONSUMER.CREATE.*"
	APIConsumerCreateT = "$JS.API.CONSUMER.CREATE.%s"
	// APIConsumerCreateEx matches the named (6 tokens) and filtered (7+)
	// forms; the T templates take stream, consumer and optionally filter.
	APIConsumerCreateEx         = "$JS.API.CONSUMER.CREATE.*.>"
	APIConsumerCreateNamedT     = "$JS.API.CONSUMER.CREATE.%s.%s"
	APIConsumerCreateFilteredT  = "$JS.API.CONSUMER.CREATE.%s.%s.%s"
	APIDurableCreate            = "$JS.API.CONSUMER.DURABLE.CREATE.*.*"
	APIDurableCreateT           = "$JS.API.CONSUMER.DURABLE.CREATE.%s.%s"
	APIConsumerNames            = "$JS.API.CONSUMER.NAMES.*"
	APIConsumerNamesT           = "$JS.API.CONSUMER.NAMES.%s"
	APIConsumerList             = "$JS.API.CONSUMER.LIST.*"
	APIConsumerListT            = "$JS.API.CONSUMER.LIST.%s"
	APIConsumerInfo             = "$JS.API.CONSUMER.INFO.*.*"
	APIConsumerInfoT            = "$JS.API.CONSUMER.INFO.%s.%s"
	APIConsumerDelete           = "$JS.API.CONSUMER.DELETE.*.*"
	APIConsumerDeleteT          = "$JS.API.CONSUMER.DELETE.%s.%s"
	APIConsumerPause            = "$JS.API.CONSUMER.PAUSE.*.*"
	APIConsumerPauseT           = "$JS.API.CONSUMER.PAUSE.%s.%s"
	APIConsumerUnpin            = "$JS.API.CONSUMER.UNPIN.*.*"
	APIConsumerUnpinT           = "$JS.API.CONSUMER.UNPIN.%s.%s"
	APIConsumerReset            = "$JS.API.CONSUMER.RESET.*.*"
	APIConsumerResetT           = "$JS.API.CONSUMER.RESET.%s.%s"
	APIConsumerLeaderStepDown   = "$JS.API.CONSUMER.LEADER.STEPDOWN.*.*"
	APIConsumerLeaderStepDownT  = "$JS.API.CONSUMER.LEADER.STEPDOWN.%s.%s"
	APIRequestNext              = "$JS.API.CONSUMER.MSG.NEXT.*.*"
	APIRequestNextT             = "$JS.API.CONSUMER.MSG.NEXT.%s.%s"
	APIMetaLeaderStepDown       = "$JS.API.META.LEADER.STEPDOWN"
	APIServerRemove             = "$JS.API.SERVER.REMOVE"
	APIAccountPurge             = "$JS.API.ACCOUNT.PURGE.*"
	APIAccountPurgeT            = "$JS.API.ACCOUNT.PURGE.%s"
	APIAccountStreamMove        = "$JS.API.ACCOUNT.STREAM.MOVE.*.*"
	APIAccountStreamMoveT       = "$JS.API.ACCOUNT.STREAM.MOVE.%s.%s"
	APIAccountStreamCancelMove  = "$JS.API.ACCOUNT.STREAM.CANCEL_MOVE.*.*"
	APIAccountStreamCancelMoveT = "$JS.API.ACCOUNT.STREAM.CANCEL_MOVE.%s.%s"
)

// Token positions (1-based) of names in API subjects.
const (
	APIStreamToken   = 5 // stream name, e.g. in STREAM.INFO.<stream>
	APIConsumerToken = 6 // consumer name, e.g. in CONSUMER.INFO.<stream>.<consumer>
)

// Other JetStream subjects.
const (
	// FlowControlPrefix starts push flow-control replies:
	// "$JS.FC.<stream>.<consumer>.<4 random chars>".
	FlowControlPrefix = "$JS.FC."
	// SnapshotAckT is the reply subject of a snapshot chunk:
	// stream, nuid, chunk length, chunk index.
	SnapshotAckT = "$JS.SNAPSHOT.ACK.%s.%s.%d.%d"
	// SnapshotRestoreT is where restore chunks are published: stream, nuid.
	SnapshotRestoreT = "$JS.SNAPSHOT.RESTORE.%s.%s"

	// KVSubjectPrefix and ObjSubjectPrefix start key-value and object-store
	// subjects; streams are named "KV_<bucket>" and "OBJ_<bucket>".
	KVSubjectPrefix  = "$KV."
	ObjSubjectPrefix = "$O."
)

// AckPrefix starts every ack reply subject. Two layouts exist
// (JETSTREAM-MESSAGING.md §3.2):
//
//	v1, 9 tokens (what nats-server 2.14/2.15 emit by default):
//	  $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>
//	v2, 11 or more tokens:
//	  $JS.ACK.<domain or _>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>[...]
//
// delivered is the delivery count (1 on first delivery), consumer seq grows
// on every delivery including redeliveries, timestamp is the stored time in
// Unix nanoseconds, and pending is the consumer's num_pending after this
// delivery. Clients reject 10 tokens.
const AckPrefix = "$JS.ACK."

// AckSubjectT builds a v1 ack subject from stream, consumer, delivered,
// stream seq, consumer seq, timestamp (ns) and pending.
const AckSubjectT = "$JS.ACK.%s.%s.%d.%d.%d.%d.%d"

// AckMeta is what an ack reply subject carries.
type AckMeta struct {
	Domain      string // v2 only; "" for "_" and for v1
	AccountHash string // v2 only
	Stream      string
	Consumer    string
	Delivered   uint64
	StreamSeq   uint64
	ConsumerSeq uint64
	Timestamp   int64 // Unix nanoseconds of the stored message
	Pending     uint64
}

// ErrBadAckSubject reports a subject that is not a well-formed ack reply.
var ErrBadAckSubject = errors.New("jsapi: malformed ack subject")

// AppendAckSubject appends the v1 ack subject for m; Domain and AccountHash
// are ignored.
func (m *AckMeta) AppendAckSubject(dst []byte) []byte {
	dst = append(dst, AckPrefix...)
	dst = append(dst, m.Stream...)
	dst = append(dst, '.')
	dst = append(dst, m.Consumer...)
	for _, n := range [...]uint64{m.Delivered, m.StreamSeq, m.ConsumerSeq, uint64(m.Timestamp), m.Pending} {
		dst = append(dst, '.')
		dst = strconv.AppendUint(dst, n, 10)
	}
	return dst
}

// ParseAckSubject parses a v1 or v2 ack reply subject, accepting the same
// token counts as nats.go: exactly 9, or 11 and more.
func ParseAckSubject(subject string) (AckMeta, error) {
	rest, ok := strings.CutPrefix(subject, AckPrefix)
	if !ok {
		return AckMeta{}, ErrBadAckSubject
	}
	var m AckMeta
	switch n := strings.Count(rest, ".") + 3; {
	case n == 9:
	case n >= 11:
		var dom string
		dom, rest, _ = strings.Cut(rest, ".")
		if dom != "_" {
			m.Domain = dom
		}
		m.AccountHash, rest, _ = strings.Cut(rest, ".")
	default:
		return AckMeta{}, ErrBadAckSubject
	}
	m.Stream, rest, _ = strings.Cut(rest, ".")
	m.Consumer, rest, _ = strings.Cut(rest, ".")
	if m.Stream == "" || m.Consumer == "" {
		return AckMeta{}, ErrBadAckSubject
	}
	var nums [5]uint64
	for i := range nums {
		var tok string
		tok, rest, _ = strings.Cut(rest, ".")
		n, err := strconv.ParseUint(tok, 10, 64)
		if err != nil {
			return AckMeta{}, ErrBadAckSubject
		}
		nums[i] = n
	}
	if nums[3] > math.MaxInt64 {
		return AckMeta{}, ErrBadAckSubject
	}
	m.Delivered, m.StreamSeq, m.ConsumerSeq, m.Pending = nums[0], nums[1], nums[2], nums[4]
	m.Timestamp = int64(nums[3])
	return m, nil
}
