package jsapi

import "time"

// MsgGetRequest is the body of STREAM.MSG.GET and of the general form of
// DIRECT.GET (JETSTREAM-API.md §3.7, §5.1). Batch, MaxBytes, MultiLastFor,
// UpToSeq and UpToTime are for DIRECT.GET only.
type MsgGetRequest struct {
	Seq     uint64 `json:"seq,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`

	Batch     int        `json:"batch,omitempty"`
	MaxBytes  int        `json:"max_bytes,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`

	MultiLastFor []string   `json:"multi_last,omitempty"`
	UpToSeq      uint64     `json:"up_to_seq,omitempty"`
	UpToTime     *time.Time `json:"up_to_time,omitempty"`

	NoHeaders bool `json:"no_hdr,omitempty"`
}

// MsgGetResponse answers STREAM.MSG.GET.
type MsgGetResponse struct {
	ApiResponse
	Message *StoredMsg `json:"message,omitempty"`
}

// StoredMsg is one stored message as returned by STREAM.MSG.GET. Header is
// the full header block including the "NATS/1.0" line; Header and Data are
// base64 in JSON and omitted when empty.
type StoredMsg struct {
	Subject  string    `json:"subject"`
	Sequence uint64    `json:"seq"`
	Header   []byte    `json:"hdrs,omitempty"`
	Data     []byte    `json:"data,omitempty"`
	Time     time.Time `json:"time"`
}

// MsgDeleteRequest is the body of STREAM.MSG.DELETE. NoErase false (the
// default) overwrites the stored bytes.
type MsgDeleteRequest struct {
	Seq     uint64 `json:"seq"`
	NoErase bool   `json:"no_erase,omitempty"`
}

// MsgDeleteResponse answers STREAM.MSG.DELETE.
type MsgDeleteResponse struct {
	ApiResponse
	Success bool `json:"success,omitempty"`
}
