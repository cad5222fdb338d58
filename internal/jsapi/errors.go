package jsapi

//go:generate go run ./internal/generr -in errors.json,errors_holdfast.json -out errors_gen.go

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// ApiError is the "error" object of a JetStream API response or PubAck:
//
//	{"code":404,"err_code":10059,"description":"stream not found"}
//
// Code is an HTTP-like class, ErrCode the stable identifier clients match on
// (nats.go maps err_code to its sentinel errors), Description the text with
// placeholders filled in. The name follows the wire type of nats-server.
type ApiError struct {
	Code        int    `json:"code"`
	ErrCode     uint16 `json:"err_code,omitempty"`
	Description string `json:"description,omitempty"`
}

// Error returns the description, the text a client would show.
func (e *ApiError) Error() string { return e.Description }

// Is reports whether target names the same err_code: another *ApiError or
// an ErrorID. errors.Is(err, JSStreamNotFoundErr) therefore matches any
// ApiError with err_code 10059, whatever its description.
func (e *ApiError) Is(target error) bool {
	if e == nil {
		return false
	}
	switch t := target.(type) {
	case ErrorID:
		return e.ErrCode == uint16(t)
	case *ApiError:
		return t != nil && e.ErrCode == t.ErrCode
	}
	return false
}

// ErrorID identifies one entry of the error table generated from errors.json;
// its value is the entry's err_code. The constants (JSStreamNotFoundErr, ...)
// are in errors_gen.go.
//
// An ErrorID is itself an error (its template text), so it can be the target
// of errors.Is; to send an error to a client, build an *ApiError with
// NewError or FromError.
type ErrorID uint16

// errorInfo is one row of the generated errorTable.
type errorInfo struct {
	id          ErrorID
	name        string
	code        int
	description string
}

func (id ErrorID) info() (errorInfo, bool) {
	i := sort.Search(len(errorTable), func(i int) bool { return errorTable[i].id >= id })
	if i < len(errorTable) && errorTable[i].id == id {
		return errorTable[i], true
	}
	return errorInfo{}, false
}

// Known reports whether id is in the table.
func (id ErrorID) Known() bool {
	_, ok := id.info()
	return ok
}

// Code returns the HTTP-like status class (400, 404, 500, ...), or 500 for
// an unknown id.
func (id ErrorID) Code() int {
	if e, ok := id.info(); ok {
		return e.code
	}
	return 500
}

// Template returns the description with its {placeholders} unfilled.
func (id ErrorID) Template() string {
	e, _ := id.info()
	return e.description
}

// String returns the constant name from errors.json, e.g. "JSStreamNotFoundErr".
func (id ErrorID) String() string {
	if e, ok := id.info(); ok {
		return e.name
	}
	return "ErrorID(" + strconv.FormatUint(uint64(id), 10) + ")"
}

// Error returns the template text, so an ErrorID can be an errors.Is target.
func (id ErrorID) Error() string { return id.Template() }

// Is lets errors.Is(JSStreamNotFoundErr, apiErr) work in either direction.
func (id ErrorID) Is(target error) bool {
	var ae *ApiError
	if errors.As(target, &ae) {
		return ae.ErrCode == uint16(id)
	}
	return false
}

// ErrorIDs returns every id in the table in err_code order.
func ErrorIDs() []ErrorID {
	ids := make([]ErrorID, len(errorTable))
	for i, e := range errorTable {
		ids[i] = e.id
	}
	return ids
}

// NewError builds the ApiError for id, filling the description template from
// key/value pairs. Keys are placeholder names without braces:
//
//	NewError(JSStreamWrongLastSequenceErrF, "seq", "5")
//	// &ApiError{Code: 400, ErrCode: 10071, Description: "wrong last sequence: 5"}
//
// Placeholders without a value stay as written ("{seq}"); a trailing key
// without a value is ignored. An id that is not in the table yields code 500
// with description "unknown error".
func NewError(id ErrorID, kv ...string) *ApiError {
	e, ok := id.info()
	if !ok {
		return &ApiError{Code: 500, ErrCode: uint16(id), Description: "unknown error"}
	}
	desc := e.description
	if len(kv) >= 2 && strings.IndexByte(desc, '{') >= 0 {
		desc = fillTemplate(desc, kv)
	}
	return &ApiError{Code: e.code, ErrCode: uint16(id), Description: desc}
}

// FromError wraps err in id's template through its {err} placeholder, the
// usual form of the generic "…ErrF" entries:
//
//	FromError(JSStreamInvalidConfigF, errors.New("max age needs to be >= 100ms"))
//	// 500 / 10052 "max age needs to be >= 100ms"
//
// If err already is (or wraps) an *ApiError, that error is returned
// unchanged instead, as nats-server does, so the more specific code reaches
// the client. A nil err yields nil.
func FromError(id ErrorID, err error) *ApiError {
	if err == nil {
		return nil
	}
	if ae, ok := errors.AsType[*ApiError](err); ok && ae != nil {
		return ae
	}
	return NewError(id, "err", err.Error())
}

// fillTemplate replaces each {key} of tmpl that has a value in kv. It is a
// single pass, so values containing braces are not expanded again.
func fillTemplate(tmpl string, kv []string) string {
	var b strings.Builder
	b.Grow(len(tmpl) + 16)
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		end += open
		b.WriteString(tmpl[:open])
		key, val, found := tmpl[open+1:end], "", false
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == key {
				val, found = kv[i+1], true
				break
			}
		}
		if found {
			b.WriteString(val)
		} else {
			b.WriteString(tmpl[open : end+1])
		}
		tmpl = tmpl[end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}
