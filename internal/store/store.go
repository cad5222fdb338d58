// Package store defines the message-store contract that JetStream streams live in,
// and the conformance suite every implementation must pass.
//
// Two implementations sit underneath: memstore (in memory) and filestore (durable
// segment files with group commit). A Store holds one stream's messages; consumer
// state lives in a ConsumerStore obtained from the same Store.
//
// The store enforces the limits that discard old messages (max msgs, bytes, age,
// per-subject). Discard-new is the stream's decision and is taken before Append.
// Every removal is reported through Config.OnRemove with its reason, so that the
// caller can account for every message that leaves a stream.
package store

import (
	"errors"
	"time"
)

// Sentinel errors.
var (
	// ErrNotFound means no message matched (sequence absent, deleted, or no match for a filter).
	ErrNotFound = errors.New("store: message not found")
	// ErrClosed means the store was closed or deleted.
	ErrClosed = errors.New("store: closed")
	// ErrSyncFailed means a write or fsync failed; the store stops acknowledging appends
	// until it is reopened, and the stream reports the error.
	ErrSyncFailed = errors.New("store: sync failed")
	// ErrNoSpace means the device is full; the store stays consistent and writable once space returns.
	ErrNoSpace = errors.New("store: no space left on device")
	// ErrCorrupt marks data whose checksum failed; it is never served.
	ErrCorrupt = errors.New("store: corrupt record")
	// ErrInvalidFilter means a subject filter is not a valid subject.
	ErrInvalidFilter = errors.New("store: invalid subject filter")
)

// Reason says why a message left the store.
type Reason uint8

// Removal reasons. Limits enforced by the store report MaxMsgs, MaxBytes, MaxAge,
// TTL and MaxPerSubject; calls made by the stream report the reason the stream passes.
const (
	ReasonDelete          Reason = iota // explicit MSG.DELETE
	ReasonPurge                         // purge / compact / truncate
	ReasonMaxMsgs                       // max_msgs, discard old
	ReasonMaxBytes                      // max_bytes, discard old
	ReasonMaxAge                        // max_age
	ReasonTTL                           // per-message TTL (Nats-TTL)
	ReasonMaxPerSubject                 // max_msgs_per_subject
	ReasonAcked                         // interest / work-queue retention released it
	ReasonRollup                        // Nats-Rollup replaced it
	ReasonConsumerDeleted               // interest released by consumer deletion
	ReasonDeadLettered                  // moved to a dead-letter stream
)

// NumReasons is the number of removal reasons, for arrays indexed by Reason.
const NumReasons = int(ReasonDeadLettered) + 1

var reasonNames = [NumReasons]string{"delete_api", "purge", "max_msgs", "max_bytes", "max_age", "ttl",
	"max_per_subject", "acked", "rollup", "consumer_deleted", "dead_lettered"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// Config holds what a store needs to know about its stream.
type Config struct {
	Name              string
	MaxMsgs           int64         // <= 0: unlimited
	MaxBytes          int64         // <= 0: unlimited
	MaxAge            time.Duration // 0: unlimited
	MaxMsgsPerSubject int64         // <= 0: unlimited
	FirstSeq          uint64        // first sequence of an empty store (0 means 1)
	// SyncInterval 0 means sync before acknowledging every append (group commit).
	// A positive value acknowledges after the buffered write and syncs on that period.
	SyncInterval time.Duration
	// Compress selects s2 compression of payloads on disk (filestore only).
	Compress bool
	// OnRemove, when set, is called for every message removed. It may be called with
	// the store's lock held: it must be cheap and must not call back into the store.
	OnRemove func(reason Reason, seq uint64, subject string)
	// Hold, when set, is asked before a limit (max_msgs, max_bytes,
	// max_msgs_per_subject, max_age, a TTL) removes a message. Like
	// OnRemove it may be called with the store's lock held, must be cheap
	// and must not call back into the store. When it returns true the
	// message stays: max_age and TTL expiry skip it (it does not count
	// towards Expire's next deadline) and go on with other messages; the
	// count and size limits stop there, leaving the store over its limit.
	// Expire asks again about every expired message it meets, UpdateConfig
	// re-applies the count and size limits. A nil Hold in UpdateConfig
	// keeps the current one.
	Hold func(reason Reason, seq uint64, subject string) bool
}

// Msg is a stored message. Loaded messages are owned by the caller.
type Msg struct {
	Seq     uint64
	Subject string
	Header  []byte // raw NATS/1.0 header block, nil if none
	Data    []byte
	Time    int64 // unix nanoseconds, set by Append
	TTL     int64 // per-message TTL in nanoseconds, 0 none, -1 never expires
}

// Size is the accounting size of a message: subject, header and data plus a fixed
// overhead. Every implementation reports Bytes with this measure.
func (m *Msg) Size() uint64 { return MsgSize(len(m.Subject), len(m.Header), len(m.Data)) }

// MsgSize is the accounting size of a message with the given lengths.
func MsgSize(subj, hdr, data int) uint64 { return uint64(subj+hdr+data) + 16 }

// Waiter is told when an appended message became durable, or why it cannot.
// Done is called exactly once per Append that returned no error, in sequence order,
// from the store's own goroutine; it must not block.
type Waiter interface {
	Done(seq uint64, err error)
}

// SubjectState is the per-subject summary.
type SubjectState struct {
	Msgs  uint64
	First uint64
	Last  uint64
}

// FilteredState counts messages matching a filter from a start sequence.
type FilteredState struct {
	Msgs  uint64
	First uint64
	Last  uint64
}

// LostData lists sequences that were found corrupt and are not served.
type LostData struct {
	Msgs  []uint64
	Bytes uint64
}

// State is a snapshot of the store.
type State struct {
	Msgs        uint64
	Bytes       uint64
	FirstSeq    uint64
	FirstTime   int64 // unix nanos, 0 if empty
	LastSeq     uint64
	LastTime    int64
	NumDeleted  uint64 // interior gaps between FirstSeq and LastSeq
	NumSubjects uint64
	Lost        *LostData
}

// PurgeOpts selects what Purge removes. The zero value removes everything.
type PurgeOpts struct {
	Subject string // filter, may contain wildcards; "" means all
	Seq     uint64 // remove messages with sequence < Seq (0: no bound)
	Keep    uint64 // keep the newest Keep messages (of the filter)
}

// Store holds one stream's messages. All methods are safe for concurrent use.
// The storetest package doc lists the edge cases every implementation shares
// (empty-store sequences, purge and compact bounds, expiry order).
type Store interface {
	// Append assigns the next sequence and the time now (unix nanos) to a message and
	// records it. The message is visible to loads when Append returns. w, if non-nil,
	// is told once the record is durable (or cannot be). ttl: see Msg.TTL.
	Append(subject string, hdr, data []byte, now int64, ttl int64, w Waiter) (seq uint64, err error)
	// Load returns the message with the given sequence.
	Load(seq uint64) (*Msg, error)
	// LoadNext returns the first message with sequence >= start whose subject matches
	// filter ("" or ">" match all). It skips using per-subject state, never by reading
	// every record. start 0 is treated as 1.
	LoadNext(filter string, start uint64) (*Msg, error)
	// LoadPrev returns the last message with sequence <= start matching filter
	// (start above LastSeq is treated as LastSeq).
	LoadPrev(filter string, start uint64) (*Msg, error)
	// LoadLast returns the last message whose subject matches filter.
	LoadLast(filter string) (*Msg, error)
	// SubjectsState returns per-subject state for subjects matching filter.
	SubjectsState(filter string) map[string]SubjectState
	// SubjectsTotals returns message counts per subject matching filter.
	SubjectsTotals(filter string) map[string]uint64
	// FilteredState counts messages matching filter with sequence >= start; First
	// and Last are the first and last such sequences, all zero if none.
	FilteredState(filter string, start uint64) FilteredState
	// Delete removes one message; erase overwrites its payload on disk first.
	// It reports whether the message existed.
	Delete(seq uint64, erase bool, reason Reason) (bool, error)
	// Purge removes messages as opts selects and returns how many. A message goes
	// when it matches Subject, lies below Seq (if set) and is not among the newest
	// Keep matching messages (if set). Without Subject, Seq alone is Compact(Seq).
	Purge(opts PurgeOpts) (uint64, error)
	// Compact removes every message with sequence < seq; an empty store then starts at seq
	// (compacting past LastSeq+1 sets LastSeq to seq-1).
	Compact(seq uint64) (uint64, error)
	// Truncate removes every message with sequence > seq and makes seq the LastSeq.
	Truncate(seq uint64) error
	// Expire removes messages past MaxAge or their TTL as of now (unix nanos) and
	// returns when the next one is due (0 if none). A due TTL is checked first
	// (ReasonTTL); MaxAge never removes a message with TTL -1.
	Expire(now int64) (next int64, err error)
	// UpdateConfig applies new limits at once (removing what they exceed); a lower
	// MaxAge takes effect at the next Expire. A nil OnRemove keeps the current one.
	UpdateConfig(cfg Config) error
	// State returns a snapshot.
	State() State
	// Deleted lists the interior deleted sequences (on demand; may be large).
	Deleted() []uint64
	// Sync forces everything appended so far to stable storage.
	Sync() error
	// ConsumerStore opens (or creates) the durable state of a named consumer.
	ConsumerStore(name string) (ConsumerStore, error)
	// Close flushes, syncs and releases resources. Further calls return ErrClosed.
	Close() error
	// Destroy removes the store and its files.
	Destroy() error
}

// SeqPair is a consumer sequence together with the stream sequence it delivered.
type SeqPair struct {
	Consumer uint64
	Stream   uint64
}

// Pending is one delivered, unacknowledged message of a consumer, keyed by stream sequence.
type Pending struct {
	Consumer uint64 // consumer sequence of the last delivery
	Time     int64  // unix nanos of the last delivery
}

// ConsumerState is a consumer's durable state.
type ConsumerState struct {
	Delivered   SeqPair
	AckFloor    SeqPair
	Pending     map[uint64]Pending  // by stream sequence
	Redelivered map[uint64]uint64   // stream sequence -> delivery count (when > 1)
	Parked      map[uint64]struct{} // reached max deliveries without an ack: kept, not redelivered
	// DeadLetters are messages whose move to a dead-letter stream is recorded
	// and not yet done, by stream sequence; the value is the caller's own
	// encoding of the intent, stored as given. Acks (UpdateAcked, even with
	// all) never remove an entry: only SetState does.
	DeadLetters map[uint64][]byte
}

// ConsumerStore persists one consumer's state with the same sync guarantees as messages.
// Updates are recorded compactly (not a full rewrite per ack when the pending set is large).
type ConsumerStore interface {
	// UpdateDelivered records a delivery of stream seq sseq as consumer seq dseq, the
	// dc-th delivery of that message, at time ts.
	UpdateDelivered(dseq, sseq, dc uint64, ts int64) error
	// UpdateAcked records an ack of sseq (and, for AckAll, everything up to it: all=true).
	// An ack at or below the ack floor, or of a sequence not pending, is not an error.
	UpdateAcked(dseq, sseq uint64, all bool) error
	// UpdateParked records that sseq reached max deliveries without an ack.
	UpdateParked(sseq uint64) error
	// SetState replaces the whole state (used on config changes and compaction).
	SetState(st *ConsumerState) error
	// State returns a copy of the current state.
	State() (*ConsumerState, error)
	// Sync makes every update so far durable.
	Sync() error
	// Close stops the consumer store, keeping its state.
	Close() error
	// Destroy removes the consumer's state.
	Destroy() error
}
