package test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// jsServer starts a JetStream-enabled server.
func jsServer(t *testing.T, configure ...func(*server.Options)) *servertest.Server {
	t.Helper()
	return servertest.New(t, append([]func(*server.Options){func(o *server.Options) { o.JetStream = true }}, configure...)...)
}

// jsConnect connects and returns the jetstream-package context.
func jsConnect(t *testing.T, s *servertest.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc := connect(t, s)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// ctx bounds one client call; the deadline only limits a failing test.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// apiError is the "error" object of an API response or PubAck.
type apiError struct {
	Code        int    `json:"code"`
	ErrCode     int    `json:"err_code"`
	Description string `json:"description"`
}

// apiReply is the part of every JSON reply the tests look at.
type apiReply struct {
	Type  string    `json:"type"`
	Error *apiError `json:"error"`
	raw   []byte
}

// request sends a raw request and decodes the JSON reply.
func request(t *testing.T, nc *nats.Conn, subj, body string) apiReply {
	t.Helper()
	m, err := nc.Request(subj, []byte(body), 5*time.Second)
	if err != nil {
		t.Fatalf("request %s: %v", subj, err)
	}
	var r apiReply
	if err := json.Unmarshal(m.Data, &r); err != nil {
		t.Fatalf("reply to %s is not JSON: %v: %q", subj, err, m.Data)
	}
	r.raw = m.Data
	return r
}

// wantAPIError checks the err_code (and description when given) of a reply.
func wantAPIError(t *testing.T, r apiReply, code int, desc string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("want error %d, got success: %s", code, r.raw)
	}
	if r.Error.ErrCode != code || (desc != "" && r.Error.Description != desc) {
		t.Fatalf("want error %d %q, got %d %q", code, desc, r.Error.ErrCode, r.Error.Description)
	}
}

// wantOK fails on an error reply.
func wantOK(t *testing.T, r apiReply) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("unexpected error %d %q", r.Error.ErrCode, r.Error.Description)
	}
}

// wantJSErr checks that err is a nats.go JetStream API error with err_code.
func wantJSErr(t *testing.T, err error, code int) {
	t.Helper()
	var apiErr *jetstream.APIError
	var legacy *nats.APIError
	switch {
	case err == nil:
		t.Fatalf("want error %d, got nil", code)
	case asErr(err, &apiErr):
		if int(apiErr.ErrorCode) != code {
			t.Fatalf("want err_code %d, got %d %q", code, apiErr.ErrorCode, apiErr.Description)
		}
	case asErr(err, &legacy):
		if int(legacy.ErrorCode) != code {
			t.Fatalf("want err_code %d, got %d %q", code, legacy.ErrorCode, legacy.Description)
		}
	default:
		t.Fatalf("want API error %d, got %T %v", code, err, err)
	}
}

// createStream creates a stream with the jetstream package or fails.
func createStream(t *testing.T, js jetstream.JetStream, cfg jetstream.StreamConfig) jetstream.Stream {
	t.Helper()
	st, err := js.CreateStream(ctx(t), cfg)
	if err != nil {
		t.Fatalf("create stream %s: %v", cfg.Name, err)
	}
	return st
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
