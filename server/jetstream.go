package server

import "context"

// enableJetStream starts the JetStream subsystem when Options.JetStream is set.
// It runs in Start before the listener accepts clients, so it may still
// change the INFO template (jetstream, api_lvl, domain).
func (s *Server) enableJetStream() error {
	if s.opts.JetStream {
		s.log.Warn("jetstream requested but not available in this build yet", "store_dir", s.opts.StoreDir)
	}
	return nil
}

// disableJetStream stops JetStream after every client connection has closed.
func (s *Server) disableJetStream(ctx context.Context) error { return ctx.Err() }
