package servertest

import "github.com/holdfast-mq/holdfast/server"

// Restart shuts the server down and starts a new one with the same options,
// and so on the same store directory, as a process restart would. The new
// server may listen on another port: reconnect with the returned URL.
func (s *Server) Restart() *Server {
	s.t.Helper()
	s.Shutdown()
	opts := s.Opts
	return New(s.t, func(o *server.Options) { *o = opts })
}
