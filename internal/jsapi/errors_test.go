package jsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestErrorTableMatchesJSON checks that every entry of errors.json and
// errors_holdfast.json is in the generated table with the same code,
// err_code, name and template.
func TestErrorTableMatchesJSON(t *testing.T) {
	type row struct {
		Constant    string `json:"constant"`
		Code        int    `json:"code"`
		ErrCode     uint16 `json:"error_code"`
		Description string `json:"description"`
	}
	var entries []row
	for _, name := range []string{"errors.json", "errors_holdfast.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var part []row
		if err := json.Unmarshal(data, &part); err != nil {
			t.Fatal(err)
		}
		for _, e := range part {
			if holdfast := name == "errors_holdfast.json"; holdfast != (e.ErrCode >= 19000) {
				t.Errorf("%s: %s has err_code %d, outside its range", name, e.Constant, e.ErrCode)
			}
		}
		entries = append(entries, part...)
	}
	if len(entries) != len(errorTable) {
		t.Errorf("error tables have %d entries, generated table has %d", len(entries), len(errorTable))
	}
	for _, e := range entries {
		id := ErrorID(e.ErrCode)
		if !id.Known() {
			t.Errorf("%s (%d) missing from table", e.Constant, e.ErrCode)
			continue
		}
		if id.String() != e.Constant || id.Code() != e.Code || id.Template() != e.Description {
			t.Errorf("%d: got %s %d %q, want %s %d %q", e.ErrCode,
				id.String(), id.Code(), id.Template(), e.Constant, e.Code, e.Description)
		}
	}
	for i := 1; i < len(errorTable); i++ {
		if errorTable[i-1].id >= errorTable[i].id {
			t.Fatalf("table not sorted at %d", i)
		}
	}
}

// TestGeneratedFileUpToDate regenerates errors_gen.go into a temporary
// directory and compares it with the committed file.
func TestGeneratedFileUpToDate(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), "errors_gen.go")
	cmd := exec.CommandContext(t.Context(), goTool, "run", "./internal/generr", "-in", "errors.json,errors_holdfast.json", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generr: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("errors_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("errors_gen.go is stale: run go generate ./internal/jsapi")
	}
}

func TestNewError(t *testing.T) {
	tests := []struct {
		name string
		got  *ApiError
		want ApiError
	}{
		{"plain", NewError(JSStreamNotFoundErr), ApiError{404, 10059, "stream not found"}},
		{"seq", NewError(JSStreamWrongLastSequenceErrF, "seq", "7"), ApiError{400, 10071, "wrong last sequence: 7"}},
		{"empty value", NewError(JSStreamWrongLastMsgIDErrF, "id", ""), ApiError{400, 10070, "wrong last msg ID: "}},
		{"two keys", NewError(JSStreamExternalApiOverlapErrF, "prefix", "$JS.hub.API", "subject", "$JS.API.>"),
			ApiError{400, 10021, "stream external api prefix $JS.hub.API must not overlap with $JS.API.>"}},
		{"missing value", NewError(JSStreamWrongLastSequenceErrF), ApiError{400, 10071, "wrong last sequence: {seq}"}},
		{"odd args", NewError(JSStreamWrongLastSequenceErrF, "seq", "3", "extra"), ApiError{400, 10071, "wrong last sequence: 3"}},
		{"unused key", NewError(JSStreamNotFoundErr, "seq", "3"), ApiError{404, 10059, "stream not found"}},
		{"value with braces", NewError(JSInvalidJSONErr, "err", "{seq}"), ApiError{400, 10025, "invalid JSON: {seq}"}},
		{"unknown id", NewError(ErrorID(1)), ApiError{500, 1, "unknown error"}},
		{"from error", FromError(JSStreamInvalidConfigF, errors.New("max age needs to be >= 100ms")),
			ApiError{500, 10052, "max age needs to be >= 100ms"}},
		{"from api error", FromError(JSStreamCreateErrF, fmt.Errorf("create: %w", NewError(JSStreamSubjectOverlapErr))),
			ApiError{400, 10065, "subjects overlap with an existing stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if *tt.got != tt.want {
				t.Errorf("got %+v, want %+v", *tt.got, tt.want)
			}
		})
	}
	if FromError(JSStreamCreateErrF, nil) != nil {
		t.Error("FromError(nil) != nil")
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("lookup ORDERS: %w", NewError(JSStreamNotFoundErr))
	if !errors.Is(err, JSStreamNotFoundErr) {
		t.Error("errors.Is(err, ErrorID) = false")
	}
	if !errors.Is(err, &ApiError{Code: 1, ErrCode: 10059, Description: "other text"}) {
		t.Error("errors.Is(err, *ApiError with same err_code) = false")
	}
	if errors.Is(err, JSConsumerNotFoundErr) {
		t.Error("errors.Is matched a different err_code")
	}
	if !errors.Is(JSStreamNotFoundErr, NewError(JSStreamNotFoundErr)) {
		t.Error("errors.Is(ErrorID, *ApiError) = false")
	}
	if errors.Is(errors.New("stream not found"), JSStreamNotFoundErr) {
		t.Error("plain error matched")
	}
	var nilErr *ApiError
	if nilErr.Is(JSStreamNotFoundErr) {
		t.Error("nil ApiError matched")
	}
}

func TestApiErrorJSON(t *testing.T) {
	b, err := json.Marshal(NewError(JSStreamWrongLastSequenceErrF, "seq", "2"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"code":400,"err_code":10071,"description":"wrong last sequence: 2"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	if got := NewError(JSStreamNotFoundErr).Error(); got != "stream not found" {
		t.Errorf("Error() = %q", got)
	}
	if got := ErrorID(42).String(); got != "ErrorID(42)" {
		t.Errorf("String() = %q", got)
	}
	if got := len(ErrorIDs()); got != len(errorTable) {
		t.Errorf("ErrorIDs() has %d ids", got)
	}
}
