package conn

import (
	"net"
	"slices"
	"time"
)

// Snapshot is a point-in-time view of a connection for monitoring. Taking one
// holds the connection's lock only to copy a few fields.
type Snapshot struct {
	CID          uint64
	IP           string
	Port         int
	Start        time.Time
	LastActivity time.Time
	RTT          time.Duration // measured by the first PING after CONNECT; 0 until then
	PendingBytes int
	InMsgs       uint64
	OutMsgs      uint64
	InBytes      uint64
	OutBytes     uint64
	NumSubs      int
	Subs         []string // subject (and " queue" when grouped), sorted; only when asked for
	Client       ClientInfo
	Reason       CloseReason // "" while open
}

// Snapshot returns the connection's current state; withSubs also lists its
// subscriptions.
func (c *Conn) Snapshot(withSubs bool) Snapshot {
	s := Snapshot{
		CID:          c.id,
		Start:        c.start,
		LastActivity: time.Unix(0, c.lastIn.Load()),
		RTT:          time.Duration(c.rtt.Load()),
		InMsgs:       c.inMsgs.Load(),
		InBytes:      c.inBytes.Load(),
	}
	if addr, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
		s.IP, s.Port = addr.IP.String(), addr.Port
	}
	c.mu.Lock()
	s.PendingBytes = len(c.mu.out)
	s.OutMsgs, s.OutBytes = c.mu.outMsgs, c.mu.outBytes
	s.NumSubs = len(c.mu.subs)
	s.Client = c.mu.client
	s.Reason = c.mu.reason
	if withSubs {
		s.Subs = make([]string, 0, len(c.mu.subs))
		for _, sub := range c.mu.subs {
			if sub.Queue != "" {
				s.Subs = append(s.Subs, sub.Subject+" "+sub.Queue)
			} else {
				s.Subs = append(s.Subs, sub.Subject)
			}
		}
	}
	c.mu.Unlock()
	slices.Sort(s.Subs)
	return s
}
