package ackstate

// EventKind names what happened.
type EventKind uint8

// Event kinds.
const (
	// EventMaxDeliveries: a message reached max_deliver and was parked (or,
	// when Dead is set, recorded as a dead letter); the consumer publishes
	// the MAX_DELIVERIES advisory.
	EventMaxDeliveries EventKind = iota + 1
	// EventDeadLetter: a message was recorded as a dead letter for another
	// reason (Dead says which).
	EventDeadLetter
)

// ParkReason tells how the last delivery ended.
type ParkReason uint8

// Park reasons.
const (
	ReasonAckWait ParkReason = iota + 1 // the ack wait (or backoff step) passed
	ReasonNak                           // the client NAKed its last allowed delivery
)

func (r ParkReason) String() string {
	switch r {
	case ReasonAckWait:
		return "ack_wait"
	case ReasonNak:
		return "nak"
	}
	return "unknown"
}

// Event is something the owner reports (advisories) and persists.
type Event struct {
	Kind       EventKind
	Seq        uint64 // stream sequence
	Deliveries uint64
	Reason     ParkReason
	Dead       DLReason // the message became a dead letter (0: parked)
}
