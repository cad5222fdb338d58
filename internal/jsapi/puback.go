package jsapi

import (
	"encoding/json"
	"strconv"
)

// PubAck is the reply to a publish stored by a stream (JETSTREAM-MESSAGING.md
// §1.1). It has no "type" field. Sequence is always written; on a duplicate
// it is the original message's sequence.
type PubAck struct {
	Stream    string `json:"stream"`
	Sequence  uint64 `json:"seq"`
	Domain    string `json:"domain,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Value     string `json:"val,omitempty"`   // counter streams (2.12)
	BatchID   string `json:"batch,omitempty"` // batch commit (2.12)
	BatchSize uint64 `json:"count,omitempty"` // messages in the batch
}

// PubAckResponse is the reply to a publish that failed:
//
//	{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"ORDERS","seq":0}
//
// It also decodes successful acks (Error nil).
type PubAckResponse struct {
	Error *ApiError `json:"error,omitempty"`
	*PubAck
}

// AppendJSON appends the PubAck exactly as nats-server writes it on the fast
// path, which differs from encoding/json in key order and spacing:
//
//	{"stream":"S","domain":"hub","seq":1,"duplicate": true}
//
// ("domain" precedes "seq", and "duplicate" has a space after the colon).
// Clients parse either form; matching the bytes keeps captures comparable.
func (a *PubAck) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"stream":`...)
	dst = appendJSONString(dst, a.Stream)
	if a.Domain != "" {
		dst = append(dst, `,"domain":`...)
		dst = appendJSONString(dst, a.Domain)
	}
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, a.Sequence, 10)
	if a.Duplicate {
		dst = append(dst, `,"duplicate": true`...)
	}
	if a.Value != "" {
		dst = append(dst, `,"val":`...)
		dst = appendJSONString(dst, a.Value)
	}
	if a.BatchID != "" {
		dst = append(dst, `,"batch":`...)
		dst = appendJSONString(dst, a.BatchID)
		dst = append(dst, `,"count":`...)
		dst = strconv.AppendUint(dst, a.BatchSize, 10)
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string. Names and ids are printable
// ASCII in practice, so the common case avoids encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
