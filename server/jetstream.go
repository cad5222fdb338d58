package server

import (
	"context"
	"errors"

	"github.com/holdfast-mq/holdfast/internal/jetstream"
)

// jsSubsystem is the type of Server.js: the JetStream subsystem, nil
// unless Options.JetStream is set.
type jsSubsystem = jetstream.JetStream

// enableJetStream starts the JetStream subsystem when Options.JetStream is set.
// It runs in Start before the listener accepts clients, so it may still
// change the INFO template (jetstream, api_lvl, domain); it publishes the
// subsystem in s.js only once its streams are recovered.
func (s *Server) enableJetStream() error {
	if !s.opts.JetStream {
		return nil
	}
	js, err := jetstream.New(jetstream.Options{
		Broker:       s.broker,
		StoreDir:     s.opts.StoreDir,
		Limits:       jetstream.Limits{MaxMemory: s.opts.MaxMemoryStore, MaxStore: s.opts.MaxFileStore},
		SyncInterval: s.opts.SyncInterval,
		Domain:       s.opts.Domain,
		ServerName:   s.connOpts.Info.ServerName,
		Version:      CompatVersion,
		Logger:       s.log.With("component", "jetstream"),
		Failpoint:    s.opts.Failpoint,
	})
	if err != nil {
		return err
	}
	if err := js.Start(); err != nil {
		return err
	}
	s.mu.Lock() // monitoring reads the INFO template under s.mu
	s.connOpts.Info.JetStream = true
	s.connOpts.Info.APILevel = jetstream.APILevel
	s.connOpts.Info.Domain = s.opts.Domain
	s.mu.Unlock()
	s.js.Store(js)
	return nil
}

// disableJetStream stops JetStream after every client connection has closed.
func (s *Server) disableJetStream(ctx context.Context) error {
	js := s.js.Load()
	if js == nil {
		return ctx.Err()
	}
	if err := js.Shutdown(ctx); err != nil && !errors.Is(err, jetstream.ErrClosed) {
		return err
	}
	return nil
}
