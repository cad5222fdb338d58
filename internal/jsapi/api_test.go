package jsapi

import (
	"errors"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		strict   bool
		wantDesc string // "" means success
	}{
		{"ok", `{"name":"S"}`, true, ""},
		{"unknown field strict", `{"name":"S","bogus":1}`, true, `invalid JSON: json: unknown field "bogus"`},
		{"unknown field lenient", `{"name":"S","bogus":1}`, false, ""},
		{"trailing data", `{"name":"S"} x`, true, "invalid JSON: invalid character after top-level value"},
		{"trailing object", `{"name":"S"}{}`, false, "invalid JSON: invalid character after top-level value"},
		{"trailing space", "{\"name\":\"S\"} \r\n", true, ""},
		{"syntax", `{"name":`, true, "invalid JSON: unexpected EOF"},
		{"empty", ``, true, "invalid JSON: EOF"},
		{"bad enum", `{"name":"S","retention":"forever"}`, true, `invalid JSON: jsapi: unknown retention policy "forever"`},
		{"wrong type", `{"name":1}`, true, "invalid JSON: json: cannot unmarshal number into Go struct field StreamConfig.name of type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sc StreamConfig
			var err *ApiError
			if tt.strict {
				err = Decode([]byte(tt.body), &sc)
			} else {
				err = DecodeLenient([]byte(tt.body), &sc)
			}
			switch {
			case tt.wantDesc == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantDesc != "" && err == nil:
				t.Fatalf("want error %q", tt.wantDesc)
			case err != nil:
				if !errors.Is(err, JSInvalidJSONErr) || err.Code != 400 {
					t.Errorf("error %+v is not 400/10025", err)
				}
				if err.Description != tt.wantDesc {
					t.Errorf("description %q, want %q", err.Description, tt.wantDesc)
				}
			}
		})
	}
}

func TestBodyRules(t *testing.T) {
	tests := []struct {
		body         string
		hasBody      bool
		emptyRequest bool
	}{
		{"", false, true},
		{"  \r\n", false, true},
		{"{}", true, true},
		{" { } ", true, true},
		{`{"a":1}`, true, false},
		{"[]", true, false},
		{"null", false, false},
		{"2", false, false},
		{"x", false, false},
		{"{", true, false},
	}
	for _, tt := range tests {
		if got := HasBody([]byte(tt.body)); got != tt.hasBody {
			t.Errorf("HasBody(%q) = %v", tt.body, got)
		}
		if got := IsEmptyRequest([]byte(tt.body)); got != tt.emptyRequest {
			t.Errorf("IsEmptyRequest(%q) = %v", tt.body, got)
		}
	}
}

func TestApiResponseErr(t *testing.T) {
	var r ApiResponse
	if r.Err() != nil {
		t.Error("Err() of empty response is not a nil interface")
	}
	r.Error = NewError(JSStreamNotFoundErr)
	if !errors.Is(r.Err(), JSStreamNotFoundErr) {
		t.Errorf("Err() = %v", r.Err())
	}
}
