package test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// schemaDir finds jsm.go's JSON schemas (schemas/jetstream/api/v1) in the
// module cache, where `make tools` (natscli) puts jsm.go v0.5.1.
func schemaDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com", "nats-io", "jsm.go@v0.5.1", "schemas", "jetstream", "api", "v1")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("jsm.go schemas not in the module cache: %v", err)
	}
	return dir
}

// validate checks v against the subset of JSON Schema draft 7 that jsm.go's
// API schemas use: type, enum, const, required, properties,
// additionalProperties, patternProperties, items, allOf, anyOf, oneOf, not,
// minimum, maximum, minLength, maxLength and pattern.
func validate(s map[string]any, v any, path string) error {
	if err := validateType(s, v, path); err != nil {
		return err
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return jsonEqual(e, v) }) {
		return fmt.Errorf("%s: %v not in enum %v", path, v, enum)
	}
	if c, ok := s["const"]; ok && !jsonEqual(c, v) {
		return fmt.Errorf("%s: %v is not %v", path, v, c)
	}
	switch x := v.(type) {
	case map[string]any:
		if err := validateObject(s, x, path); err != nil {
			return err
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				if err := validate(items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case float64:
		if m, ok := s["minimum"].(float64); ok && x < m {
			return fmt.Errorf("%s: %v < minimum %v", path, x, m)
		}
		if m, ok := s["maximum"].(float64); ok && x > m {
			return fmt.Errorf("%s: %v > maximum %v", path, x, m)
		}
	case string:
		if m, ok := s["minLength"].(float64); ok && float64(len(x)) < m {
			return fmt.Errorf("%s: %q shorter than %v", path, x, m)
		}
		if m, ok := s["maxLength"].(float64); ok && float64(len(x)) > m {
			return fmt.Errorf("%s: %q longer than %v", path, x, m)
		}
		if p, ok := s["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(x) {
				return fmt.Errorf("%s: %q does not match %s", path, x, p)
			}
		}
	}
	return validateCombinators(s, v, path)
}

func validateType(s map[string]any, v any, path string) error {
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, e := range t {
			types = append(types, e.(string))
		}
	default:
		return nil
	}
	for _, t := range types {
		if jsonType(v, t) {
			return nil
		}
	}
	return fmt.Errorf("%s: %T is not %v", path, v, types)
}

func jsonType(v any, t string) bool {
	switch x := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	case float64:
		return t == "number" || (t == "integer" && x == math.Trunc(x))
	}
	return false
}

func validateObject(s map[string]any, x map[string]any, path string) error {
	if req, ok := s["required"].([]any); ok {
		for _, k := range req {
			if _, ok := x[k.(string)]; !ok {
				return fmt.Errorf("%s: missing required %q", path, k)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	patterns, _ := s["patternProperties"].(map[string]any)
	for k, val := range x {
		known := false
		if ps, ok := props[k].(map[string]any); ok {
			known = true
			if err := validate(ps, val, path+"."+k); err != nil {
				return err
			}
		}
		for p, ps := range patterns {
			if re, err := regexp.Compile(p); err == nil && re.MatchString(k) {
				known = true
				if err := validate(ps.(map[string]any), val, path+"."+k); err != nil {
					return err
				}
			}
		}
		if known {
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				return fmt.Errorf("%s: unexpected property %q", path, k)
			}
		case map[string]any:
			if err := validate(ap, val, path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateCombinators(s map[string]any, v any, path string) error {
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if err := validate(sub.(map[string]any), v, path); err != nil {
				return err
			}
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok && countValid(anyOf, v, path) == 0 {
		return fmt.Errorf("%s: matches none of anyOf", path)
	}
	if oneOf, ok := s["oneOf"].([]any); ok {
		if n := countValid(oneOf, v, path); n != 1 {
			var errs []string
			for _, sub := range oneOf {
				if err := validate(sub.(map[string]any), v, path); err != nil {
					errs = append(errs, err.Error())
				}
			}
			return fmt.Errorf("%s: matches %d of oneOf: %s", path, n, strings.Join(errs, "; "))
		}
	}
	if not, ok := s["not"].(map[string]any); ok && validate(not, v, path) == nil {
		return fmt.Errorf("%s: matches a forbidden schema", path)
	}
	return nil
}

func countValid(subs []any, v any, path string) int {
	n := 0
	for _, sub := range subs {
		if validate(sub.(map[string]any), v, path) == nil {
			n++
		}
	}
	return n
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestJetStreamResponseSchemas validates each stream API response, success
// and error, and the PubAck against jsm.go's schemas.
func TestJetStreamResponseSchemas(t *testing.T) {
	dir := schemaDir(t)
	s := jsServer(t)
	nc := connect(t, s)
	check := func(schema string, data []byte) {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, schema+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var sch map[string]any
		if err := json.Unmarshal(raw, &sch); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", schema, err)
		}
		if err := validate(sch, v, schema); err != nil {
			t.Errorf("%v\n%s", err, data)
		}
	}
	req := func(schema, subj, body string) {
		t.Helper()
		m, err := nc.Request(subj, []byte(body), 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", subj, err)
		}
		check(schema, m.Data)
	}
	req("stream_create_response", "$JS.API.STREAM.CREATE.S",
		`{"name":"S","subjects":["s.*"],"allow_direct":true,"metadata":{"a":"b"},"allow_msg_ttl":true}`)
	req("stream_create_response", "$JS.API.STREAM.CREATE.S", `{"name":"S","subjects":["s.*"],"max_age":1}`)
	for i := range 3 {
		m := nats.NewMsg(fmt.Sprintf("s.%d", i))
		m.Header.Set("Nats-Msg-Id", "id")
		reply, err := nc.RequestMsg(m, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		check("pub_ack_response", reply.Data)
	}
	m := nats.NewMsg("s.x")
	m.Header.Set("Nats-Expected-Last-Sequence", "9")
	reply, err := nc.RequestMsg(m, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	check("pub_ack_response", reply.Data)
	req("stream_update_response", "$JS.API.STREAM.UPDATE.S", `{"name":"S","subjects":["s.*"],"allow_msg_ttl":true,"description":"d"}`)
	req("stream_update_response", "$JS.API.STREAM.UPDATE.S", `{"name":"S","subjects":["s.*"],"storage":"memory"}`)
	req("stream_info_response", "$JS.API.STREAM.INFO.S", `{"subjects_filter":">","deleted_details":true}`)
	req("stream_info_response", "$JS.API.STREAM.INFO.NOPE", ``)
	req("stream_names_response", "$JS.API.STREAM.NAMES", ``)
	req("stream_names_response", "$JS.API.STREAM.NAMES", `{"subject":"zz"}`)
	req("stream_list_response", "$JS.API.STREAM.LIST", ``)
	req("stream_msg_get_response", "$JS.API.STREAM.MSG.GET.S", `{"seq":1}`)
	req("stream_msg_get_response", "$JS.API.STREAM.MSG.GET.S", `{"seq":99}`)
	req("stream_msg_delete_response", "$JS.API.STREAM.MSG.DELETE.S", `{"seq":1}`)
	req("stream_msg_delete_response", "$JS.API.STREAM.MSG.DELETE.S", `{"seq":1}`)
	req("stream_purge_response", "$JS.API.STREAM.PURGE.S", `{"filter":"s.1"}`)
	req("stream_purge_response", "$JS.API.STREAM.PURGE.S", `{"seq":1,"keep":1}`)
	req("account_info_response", "$JS.API.INFO", ``)
	req("stream_delete_response", "$JS.API.STREAM.DELETE.S", ``)
	req("stream_delete_response", "$JS.API.STREAM.DELETE.S", ``)
}

// TestSchemaValidatorRejects guards the validator itself: responses that
// break the schemas must fail.
func TestSchemaValidatorRejects(t *testing.T) {
	dir := schemaDir(t)
	for _, tt := range []struct{ schema, data string }{
		{"pub_ack_response", `{"stream":"S","seq":1,"bogus":true}`},
		{"pub_ack_response", `{"seq":1}`},
		{"stream_names_response", `{"type":"io.nats.jetstream.api.v1.stream_names_response","total":1,"offset":0}`},
		{"stream_info_response", `{"type":"io.nats.jetstream.api.v1.stream_info_response","total":0,"offset":0,"limit":0,"config":{"name":"S","retention":"forever","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"storage":"file","num_replicas":1},"created":"2026-01-01T00:00:00Z","state":{"messages":0,"bytes":0,"first_seq":0,"last_seq":0,"consumer_count":0}}`},
	} {
		raw, err := os.ReadFile(filepath.Join(dir, tt.schema+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var sch map[string]any
		var v any
		if json.Unmarshal(raw, &sch) != nil || json.Unmarshal([]byte(tt.data), &v) != nil {
			t.Fatal("bad fixture")
		}
		if err := validate(sch, v, tt.schema); err == nil {
			t.Errorf("%s accepted %s", tt.schema, tt.data)
		}
	}
}
