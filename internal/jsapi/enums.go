package jsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Every enum is an integer whose zero value is the server default, so an
// omitted JSON field decodes to what nats-server assumes when it is absent
// (storage file, retention limits, ack none, ...). Each type marshals to the
// exact strings nats-server writes and rejects anything else on input.

// enumName is one JSON spelling of an enum value.
type enumName struct {
	v    int
	name string
}

// marshalEnum returns the quoted name of v, or an error for a value outside
// the table (a programming error, but never a panic).
func marshalEnum(kind string, table []enumName, v int) ([]byte, error) {
	for _, e := range table {
		if e.v == v {
			return strconv.AppendQuote(nil, e.name), nil
		}
	}
	return nil, fmt.Errorf("jsapi: can not marshal %s %d", kind, v)
}

// unmarshalEnum decodes a JSON string into a value of table. aliases are
// accepted on input only; fold enables case-insensitive matching.
func unmarshalEnum(kind string, table, aliases []enumName, fold bool, data []byte) (int, error) {
	var s string
	if bytes.Equal(data, []byte("null")) || json.Unmarshal(data, &s) != nil {
		return 0, fmt.Errorf("jsapi: %s must be a string, got %s", kind, data)
	}
	for _, list := range [][]enumName{table, aliases} {
		for _, e := range list {
			if e.name == s || (fold && strings.EqualFold(e.name, s)) {
				return e.v, nil
			}
		}
	}
	return 0, fmt.Errorf("jsapi: unknown %s %q", kind, s)
}

func enumString(table []enumName, v int) string {
	for _, e := range table {
		if e.v == v {
			return e.name
		}
	}
	return "unknown(" + strconv.Itoa(v) + ")"
}

// RetentionPolicy decides when stored messages may be removed (RETENTION.md).
type RetentionPolicy int

const (
	LimitsPolicy    RetentionPolicy = iota // "limits": keep until a limit removes them
	InterestPolicy                         // "interest": keep while some consumer still needs them
	WorkQueuePolicy                        // "workqueue": remove once acknowledged
)

var retentionNames = []enumName{{0, "limits"}, {1, "interest"}, {2, "workqueue"}}

func (p RetentionPolicy) String() string { return enumString(retentionNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p RetentionPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("retention policy", retentionNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (p *RetentionPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("retention policy", retentionNames, nil, false, data)
	if err == nil {
		*p = RetentionPolicy(v)
	}
	return err
}

// DiscardPolicy decides what happens when a stream limit is reached.
type DiscardPolicy int

const (
	DiscardOld DiscardPolicy = iota // "old": remove the oldest messages
	DiscardNew                      // "new": reject the new message
)

var discardNames = []enumName{{0, "old"}, {1, "new"}}

func (p DiscardPolicy) String() string { return enumString(discardNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p DiscardPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("discard policy", discardNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; nats-server accepts any case.
func (p *DiscardPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("discard policy", discardNames, nil, true, data)
	if err == nil {
		*p = DiscardPolicy(v)
	}
	return err
}

// StorageType is where a stream keeps its messages.
type StorageType int

const (
	FileStorage   StorageType = iota // "file", the default
	MemoryStorage                    // "memory"
)

var storageNames = []enumName{{0, "file"}, {1, "memory"}}

func (t StorageType) String() string { return enumString(storageNames, int(t)) }

// MarshalJSON implements json.Marshaler.
func (t StorageType) MarshalJSON() ([]byte, error) {
	return marshalEnum("storage type", storageNames, int(t))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (t *StorageType) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("storage type", storageNames, nil, false, data)
	if err == nil {
		*t = StorageType(v)
	}
	return err
}

// Compression is the storage-level compression of a stream. It is invisible
// to clients apart from this field.
type Compression int

const (
	NoCompression Compression = iota // "none"
	S2Compression                    // "s2"
)

var compressionNames = []enumName{{0, "none"}, {1, "s2"}}

func (c Compression) String() string { return enumString(compressionNames, int(c)) }

// MarshalJSON implements json.Marshaler.
func (c Compression) MarshalJSON() ([]byte, error) {
	return marshalEnum("compression", compressionNames, int(c))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (c *Compression) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("compression", compressionNames, nil, false, data)
	if err == nil {
		*c = Compression(v)
	}
	return err
}

// PersistMode is the write durability of a file-stored stream (2.12).
type PersistMode int

const (
	DefaultPersistMode PersistMode = iota // "default"; "" is accepted on input
	AsyncPersistMode                      // "async"
)

var (
	persistNames   = []enumName{{0, "default"}, {1, "async"}}
	persistAliases = []enumName{{0, ""}}
)

func (m PersistMode) String() string { return enumString(persistNames, int(m)) }

// MarshalJSON implements json.Marshaler.
func (m PersistMode) MarshalJSON() ([]byte, error) {
	return marshalEnum("persist mode", persistNames, int(m))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (m *PersistMode) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("persist mode", persistNames, persistAliases, false, data)
	if err == nil {
		*m = PersistMode(v)
	}
	return err
}

// DeliverPolicy is where a consumer starts in the stream.
type DeliverPolicy int

const (
	DeliverAll             DeliverPolicy = iota // "all"; "undefined" is accepted on input
	DeliverLast                                 // "last"
	DeliverNew                                  // "new"
	DeliverByStartSequence                      // "by_start_sequence", with opt_start_seq
	DeliverByStartTime                          // "by_start_time", with opt_start_time
	DeliverLastPerSubject                       // "last_per_subject"
)

var (
	deliverNames = []enumName{
		{0, "all"}, {1, "last"}, {2, "new"},
		{3, "by_start_sequence"}, {4, "by_start_time"}, {5, "last_per_subject"},
	}
	deliverAliases = []enumName{{0, "undefined"}}
)

func (p DeliverPolicy) String() string { return enumString(deliverNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p DeliverPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("deliver policy", deliverNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (p *DeliverPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("deliver policy", deliverNames, deliverAliases, false, data)
	if err == nil {
		*p = DeliverPolicy(v)
	}
	return err
}

// AckPolicy is how a consumer expects deliveries to be acknowledged. The
// zero value is AckNone because nats-server treats an omitted ack_policy as
// "none".
type AckPolicy int

const (
	AckNone        AckPolicy = iota // "none"
	AckAll                          // "all": an ack covers every earlier delivery
	AckExplicit                     // "explicit"
	AckFlowControl                  // "flow_control" (2.14, push consumers for sourcing)
)

var ackNames = []enumName{{0, "none"}, {1, "all"}, {2, "explicit"}, {3, "flow_control"}}

func (p AckPolicy) String() string { return enumString(ackNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p AckPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("ack policy", ackNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (p *AckPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("ack policy", ackNames, nil, false, data)
	if err == nil {
		*p = AckPolicy(v)
	}
	return err
}

// ReplayPolicy is the pace at which a consumer delivers stored messages.
type ReplayPolicy int

const (
	ReplayInstant  ReplayPolicy = iota // "instant": as fast as possible
	ReplayOriginal                     // "original": with the original publish gaps
)

var replayNames = []enumName{{0, "instant"}, {1, "original"}}

func (p ReplayPolicy) String() string { return enumString(replayNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p ReplayPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("replay policy", replayNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (p *ReplayPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("replay policy", replayNames, nil, false, data)
	if err == nil {
		*p = ReplayPolicy(v)
	}
	return err
}

// PriorityPolicy selects how pull requests of priority groups are served
// (ADR-42). The field is omitempty, so PriorityNone is never written: this
// matters because nats.go decodes "" but not "none".
type PriorityPolicy int

const (
	PriorityNone         PriorityPolicy = iota // "none"; "" is accepted on input
	PriorityOverflow                           // "overflow"
	PriorityPinnedClient                       // "pinned_client"
	PriorityPrioritized                        // "prioritized" (2.12)
)

var (
	priorityNames = []enumName{
		{0, "none"}, {1, "overflow"}, {2, "pinned_client"}, {3, "prioritized"},
	}
	priorityAliases = []enumName{{0, ""}}
)

func (p PriorityPolicy) String() string { return enumString(priorityNames, int(p)) }

// MarshalJSON implements json.Marshaler.
func (p PriorityPolicy) MarshalJSON() ([]byte, error) {
	return marshalEnum("priority policy", priorityNames, int(p))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (p *PriorityPolicy) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("priority policy", priorityNames, priorityAliases, false, data)
	if err == nil {
		*p = PriorityPolicy(v)
	}
	return err
}

// ConsumerAction is the "action" of a consumer create request (2.10).
type ConsumerAction int

const (
	ActionCreateOrUpdate ConsumerAction = iota // "": create, or update if it exists
	ActionCreate                               // "create": fail if it exists with another config
	ActionUpdate                               // "update": fail if it does not exist
)

var actionNames = []enumName{{0, ""}, {1, "create"}, {2, "update"}}

func (a ConsumerAction) String() string { return enumString(actionNames, int(a)) }

// MarshalJSON implements json.Marshaler.
func (a ConsumerAction) MarshalJSON() ([]byte, error) {
	return marshalEnum("consumer action", actionNames, int(a))
}

// UnmarshalJSON implements json.Unmarshaler; matching is case-sensitive.
func (a *ConsumerAction) UnmarshalJSON(data []byte) error {
	v, err := unmarshalEnum("consumer action", actionNames, nil, false, data)
	if err == nil {
		*a = ConsumerAction(v)
	}
	return err
}
