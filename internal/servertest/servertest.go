// Package servertest starts a server for black-box tests, in the way
// net/http/httptest does: in process on 127.0.0.1 with a random port and a
// temporary store directory.
//
// When the environment variable HOLDFAST_TEST_SERVER names a nats-server
// binary, New starts that binary instead, with a configuration file written
// from the same Options, so that the same test can be run against nats-server
// to check that holdfast behaves the same way (make test-compat).
package servertest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/server"
)

// Server is a running server under test.
type Server struct {
	URL string
	// Srv is the in-process server, nil when the test runs against nats-server.
	Srv  *server.Server
	Opts server.Options

	t        testing.TB
	external *external
}

// External reports whether tests run against an external nats-server binary.
func External() bool { return os.Getenv("HOLDFAST_TEST_SERVER") != "" }

// New starts a server with default options changed by the given functions,
// and shuts it down when the test ends.
func New(t testing.TB, configure ...func(*server.Options)) *Server {
	t.Helper()
	opts := server.Options{
		Host:     "127.0.0.1",
		Port:     server.RandomPort,
		StoreDir: t.TempDir(),
	}
	for _, f := range configure {
		f(&opts)
	}
	s := &Server{Opts: opts, t: t}
	if bin := os.Getenv("HOLDFAST_TEST_SERVER"); bin != "" {
		s.external = startExternal(t, bin, opts)
		s.URL = s.external.url
		return s
	}
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(&opts)
	if err != nil {
		t.Fatalf("servertest: new: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("servertest: start: %v", err)
	}
	s.Srv, s.URL = srv, srv.ClientURL()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil && err != server.ErrServerClosed {
			t.Errorf("servertest: shutdown: %v", err)
		}
	})
	return s
}

// Addr is host:port of the client listener.
func (s *Server) Addr() string { return s.URL[len("nats://"):] }

// Shutdown stops the server now (tests of server shutdown call it).
func (s *Server) Shutdown() {
	s.t.Helper()
	if s.external != nil {
		s.external.stop()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Srv.Shutdown(ctx); err != nil {
		s.t.Fatalf("servertest: shutdown: %v", err)
	}
}
