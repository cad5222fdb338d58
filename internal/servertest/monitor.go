package servertest

import (
	"fmt"
	"net"
)

// MonitorURL is the http:// base URL of the server's monitoring endpoints
// (start the server with HTTPPort: server.RandomPort), or "" when monitoring
// is off. In comparison mode it points at nats-server's monitor.
func (s *Server) MonitorURL() string {
	if s.external != nil {
		if s.external.httpPort == 0 {
			return ""
		}
		return fmt.Sprintf("http://127.0.0.1:%d", s.external.httpPort)
	}
	addr, ok := s.Srv.MonitorAddr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	return "http://" + net.JoinHostPort("127.0.0.1", fmt.Sprint(addr.Port))
}
