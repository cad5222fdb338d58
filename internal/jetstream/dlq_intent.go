package jetstream

import (
	"encoding/json"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
)

// dlqIntent is the durable form of a recorded dead letter: the value of
// store.ConsumerState.DeadLetters (docs/storage.md). JSON, because dead
// letters are few and short-lived and the format should stay readable.
type dlqIntent struct {
	Reason     string       `json:"reason"`
	Deliveries uint64       `json:"deliveries,omitempty"`
	Consumer   uint64       `json:"dseq,omitempty"`
	At         int64        `json:"at"`
	Error      string       `json:"error,omitempty"`
	History    []dlqAttempt `json:"history,omitempty"`
	// Undelivered: never delivered, so never to be delivered; Done: its copy
	// is durable and the entry only keeps the delivery cursor off it.
	Undelivered bool `json:"undelivered,omitempty"`
	Done        bool `json:"done,omitempty"`
}

// dlqAttempt is one delivery attempt, in an intent and in the
// Holdfast-Dlq-History header.
type dlqAttempt struct {
	At     int64  `json:"at"`
	End    string `json:"end,omitempty"`
	EndAt  int64  `json:"end_at,omitempty"`
	Delay  int64  `json:"delay,omitempty"`
	Client string `json:"client,omitempty"`
	Error  string `json:"error,omitempty"`
}

func attemptsOf(h []ackstate.Attempt) []dlqAttempt {
	if len(h) == 0 {
		return nil
	}
	out := make([]dlqAttempt, len(h))
	for i, a := range h {
		out[i] = dlqAttempt{At: a.At, End: a.End.String(), EndAt: a.EndAt, Delay: a.Delay, Client: a.Client, Error: a.Error}
	}
	return out
}

func encodeIntent(dl ackstate.DeadLetter) []byte {
	b, _ := json.Marshal(dlqIntent{Reason: dl.Reason.String(), Deliveries: dl.Deliveries, Consumer: dl.Consumer,
		At: dl.At, Error: dl.Error, History: attemptsOf(dl.History), Undelivered: dl.Undelivered, Done: dl.Done})
	return b
}

// decodeIntent reads an intent; a damaged one still yields a dead letter
// (reason unknown becomes manual), so that a recorded move is never lost.
func decodeIntent(b []byte) ackstate.DeadLetter {
	var in dlqIntent
	_ = json.Unmarshal(b, &in)
	r, ok := ackstate.ParseDLReason(in.Reason)
	if !ok {
		r = ackstate.DLManual
	}
	dl := ackstate.DeadLetter{Reason: r, Deliveries: in.Deliveries, Consumer: in.Consumer, At: in.At, Error: in.Error,
		Undelivered: in.Undelivered, Done: in.Done}
	for _, a := range in.History {
		var end ackstate.End
		switch a.End {
		case "ack_wait":
			end = ackstate.EndAckWait
		case "nak":
			end = ackstate.EndNak
		case "term":
			end = ackstate.EndTerm
		}
		dl.History = append(dl.History, ackstate.Attempt{At: a.At, Client: a.Client, End: end, EndAt: a.EndAt, Delay: a.Delay, Error: a.Error})
	}
	return dl
}
