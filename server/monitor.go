package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/holdfast-mq/holdfast/internal/jetstream"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/conn"
	"github.com/holdfast-mq/holdfast/internal/monitor"
)

// maxClosedConns is how many closed connections /connz?state=closed keeps,
// nats-server's default max_closed_clients.
const maxClosedConns = 10000

// monitorState is the HTTP monitoring listener and the counters only the
// monitor reads. Lock order: Server.mu, then monitorState.mu.
type monitorState struct {
	// handler renders the HTTP endpoints and the $SYS answers (sys.go); New
	// builds it whether or not HTTP monitoring is on.
	handler *monitor.Handler

	slowConsumers atomic.Uint64
	staleConns    atomic.Uint64

	mu struct {
		sync.Mutex
		ln     net.Listener
		http   *http.Server
		closed closedRing // the most recent closed connections
	}
	wg sync.WaitGroup // the HTTP serve goroutine
}

// closedRing keeps the last maxClosedConns closed-connection snapshots.
type closedRing struct {
	buf  []monitor.Conn
	next int
}

func (r *closedRing) add(c monitor.Conn) {
	if len(r.buf) < maxClosedConns {
		r.buf = append(r.buf, c)
		return
	}
	r.buf[r.next] = c
	r.next = (r.next + 1) % maxClosedConns
}

// MonitorAddr is the monitoring listener's address (nil when HTTPPort is 0 or
// before Start).
func (s *Server) MonitorAddr() net.Addr {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	if s.mon.mu.ln == nil {
		return nil
	}
	return s.mon.mu.ln.Addr()
}

// startMonitor opens the monitoring listener when Options.HTTPPort asks for
// one. Start calls it with s.mu held, so it must not take s.mu.
func (s *Server) startMonitor() error {
	if s.opts.HTTPPort == 0 {
		return nil
	}
	port := s.opts.HTTPPort
	if port == RandomPort {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.opts.Host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("server: monitor listen: %w", err)
	}
	hs := &http.Server{Handler: s.mon.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mon.mu.Lock()
	s.mon.mu.ln, s.mon.mu.http = ln, hs
	s.mon.mu.Unlock()
	s.log.Info("starting http monitor", "addr", ln.Addr().String())
	s.mon.wg.Go(func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http monitor stopped", "error", err)
		}
	})
	return nil
}

// stopMonitor closes the monitoring listener and waits for requests in
// flight, until ctx ends. Shutdown calls it before closing connections, so
// probes see the server go away before its clients do.
func (s *Server) stopMonitor(ctx context.Context) {
	s.mon.mu.Lock()
	hs := s.mon.mu.http
	s.mon.mu.http = nil
	s.mon.mu.Unlock()
	if hs == nil {
		return
	}
	if err := hs.Shutdown(ctx); err != nil {
		_ = hs.Close()
	}
	s.mon.wg.Wait()
}

// abortMonitor closes the monitoring listener and its connections without
// waiting for requests in flight: Start calls it with s.mu held when a later
// step fails, and a request may be waiting for s.mu.
func (s *Server) abortMonitor() {
	s.mon.mu.Lock()
	hs := s.mon.mu.http
	s.mon.mu.http = nil
	s.mon.mu.Unlock()
	if hs != nil {
		_ = hs.Close()
		s.mon.wg.Wait() // Serve returns once its listener is closed
	}
}

// monitorJetStream is the JetStream provider the monitor reads for /jsz,
// /varz, /healthz and /metrics: nil when JetStream is off, and also while it
// is still recovering its streams (Start publishes s.js afterwards), so that
// /healthz answers 503 until then.
func (s *Server) monitorJetStream() monitor.JetStream {
	js := s.js.Load()
	if js == nil {
		return nil
	}
	return jsMonitor{s: s, js: js}
}

// jsMonitor adapts the JetStream subsystem's Stats to the monitor's snapshot.
type jsMonitor struct {
	s  *Server
	js *jsSubsystem
}

func (m jsMonitor) Health(bool) error { return nil }

func (m jsMonitor) Snapshot() *monitor.JetStreamSnapshot {
	o := m.s.opts
	st := m.js.Stats()
	stats := monitor.JetStreamStats{
		Memory: st.Memory, Store: st.Store,
		ReservedMemory: st.ReservedMemory, ReservedStore: st.ReservedStore,
		Accounts: 1,
		API:      monitor.APIStats{Level: jetstream.APILevel, Total: st.APITotal, Errors: st.APIErrors},
	}
	for _, a := range st.APIByType {
		stats.APIByType = append(stats.APIByType, monitor.APICounts{Type: a.Type, Requests: a.Requests, Errors: a.Errors})
	}
	acc := monitor.AccountSnapshot{Name: monitor.GlobalAccount, Stats: stats}
	for _, ss := range st.Streams {
		snap := monitor.StreamSnapshot{Info: *ss.Info, Removed: ss.Removed}
		for _, ci := range ss.Consumers {
			var dead uint64
			for _, n := range ci.DeadLettered {
				dead += n
			}
			snap.Consumers = append(snap.Consumers, monitor.ConsumerSnapshot{Info: *ci, Parked: uint64(ci.NumParked), DeadLettered: dead})
		}
		acc.Streams = append(acc.Streams, snap)
	}
	return &monitor.JetStreamSnapshot{
		Config: monitor.JetStreamConfig{
			MaxMemory: o.MaxMemoryStore, MaxStore: o.MaxFileStore, StoreDir: o.StoreDir,
			SyncInterval: o.SyncInterval, SyncAlways: o.SyncInterval == 0, Domain: o.Domain,
		},
		Stats:    stats,
		Accounts: []monitor.AccountSnapshot{acc},
		Store: monitor.StoreStats{
			Fsyncs:       st.IO.Fsyncs,
			BytesWritten: st.IO.BytesWritten,
			FsyncSeconds: monitor.Histogram(st.IO.FsyncSeconds),
			CommitBatch:  monitor.Histogram(st.IO.CommitBatch),
		},
	}
}

// connClosedLocked records a connection that has finished, before it leaves
// s.mu.conns: its snapshot for /connz?state=closed, and the slow-consumer and
// stale-connection counters. Doing both under s.mu lets Stats count a closing
// connection exactly once, in the map or in the counters.
func (s *Server) connClosedLocked(c *conn.Conn) {
	snap := monitorConn(c.Snapshot(false))
	snap.Stop = time.Now()
	switch c.Reason() {
	case conn.ReasonSlowConsumerPending, conn.ReasonSlowConsumerDeadline:
		s.mon.slowConsumers.Add(1)
	case conn.ReasonStale:
		s.mon.staleConns.Add(1)
	}
	s.mon.mu.Lock()
	s.mon.mu.closed.add(snap)
	s.mon.mu.Unlock()
}

// closeCounts returns the slow-consumer and stale-connection counts, including
// connections that are closing but have not left the map yet, so that a client
// that has seen its connection drop also sees it counted.
func (s *Server) closeCounts() (slow, stale uint64, open int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slow, stale = s.mon.slowConsumers.Load(), s.mon.staleConns.Load()
	for _, c := range s.mu.conns {
		switch c.Reason() {
		case conn.ReasonSlowConsumerPending, conn.ReasonSlowConsumerDeadline:
			slow++
		case conn.ReasonStale:
			stale++
		}
	}
	return slow, stale, len(s.mu.conns)
}

// monitorView implements monitor.Server for a Server.
type monitorView struct{ s *Server }

func (v monitorView) Info() monitor.Info {
	s := v.s
	s.mu.Lock() // Start sets the start time and port, and JetStream may amend INFO
	start, ci := s.mu.startTime, s.connOpts.Info
	s.mu.Unlock()
	info := monitor.Info{
		ID:             s.id,
		Name:           ci.ServerName,
		Version:        ci.Version,
		Build:          Version,
		GitCommit:      ci.GitCommit,
		GoVersion:      ci.GoVersion,
		Proto:          ci.Proto,
		Host:           s.opts.Host,
		Port:           ci.Port,
		HTTPHost:       s.opts.Host,
		AuthRequired:   ci.AuthRequired,
		MaxConn:        s.opts.MaxConn,
		MaxPayload:     int(ci.MaxPayload),
		MaxControlLine: s.connOpts.MaxControlLine,
		MaxPending:     int64(s.connOpts.MaxPending),
		PingInterval:   s.connOpts.PingInterval,
		MaxPingsOut:    s.connOpts.MaxPingsOut,
		AuthTimeout:    s.connOpts.AuthTimeout,
		WriteDeadline:  s.connOpts.WriteDeadline,
		Start:          start,
		ConfigLoadTime: start,
		JetStream:      s.opts.JetStream,
	}
	if addr, ok := s.MonitorAddr().(*net.TCPAddr); ok {
		info.HTTPPort = addr.Port
	}
	return info
}

func (v monitorView) Stats() monitor.Stats {
	s := v.s
	slow, stale, open := s.closeCounts()
	bs := s.broker.Stats()
	return monitor.Stats{
		Conns:            open,
		TotalConns:       s.nextCID.Load(),
		Subscriptions:    s.broker.NumSubscriptions(),
		InMsgs:           bs.InMsgs,
		InBytes:          bs.InBytes,
		OutMsgs:          bs.OutMsgs,
		OutBytes:         bs.OutBytes,
		SlowConsumers:    slow,
		StaleConnections: stale,
	}
}

func (v monitorView) Conns(state monitor.ConnState, subs bool) []monitor.Conn {
	var out []monitor.Conn
	if state == monitor.ConnOpen || state == monitor.ConnAll {
		var byCID map[uint64][]monitor.Sub
		if subs {
			byCID = make(map[uint64][]monitor.Sub)
			for _, sub := range v.Subs() {
				byCID[sub.CID] = append(byCID[sub.CID], sub)
			}
		}
		for _, snap := range v.s.Connections(false) {
			c := monitorConn(snap)
			c.Subs = byCID[c.CID]
			out = append(out, c)
		}
	}
	if state == monitor.ConnClosed || state == monitor.ConnAll {
		v.s.mon.mu.Lock()
		out = append(out, v.s.mon.mu.closed.buf...)
		v.s.mon.mu.Unlock()
	}
	return out
}

// Subs lists client subscriptions with the counters /subsz and
// /connz?subs=detail show; owners that are not client connections (internal
// subscriptions) report cid 0.
func (v monitorView) Subs() []monitor.Sub {
	var out []monitor.Sub
	v.s.broker.Subscriptions(func(sub *broker.Subscription) bool {
		var cid uint64
		if c, ok := sub.Owner.(interface{ ID() uint64 }); ok {
			cid = c.ID()
		}
		out = append(out, monitor.Sub{
			Account: monitor.GlobalAccount,
			Subject: sub.Subject,
			Queue:   sub.Queue,
			SID:     string(sub.SID),
			Msgs:    sub.Delivered(),
			Max:     sub.Max(),
			CID:     cid,
		})
		return true
	})
	return out
}

// SublistStats reports the subscription index's counters.
func (v monitorView) SublistStats() monitor.SublistStats {
	st := v.s.broker.IndexStats()
	return monitor.SublistStats{
		Subscriptions: st.Count,
		Cache:         st.Cached,
		Inserts:       st.Inserts,
		Removes:       st.Removes,
		Matches:       st.Matches,
		CacheHits:     st.CacheHits,
	}
}

func monitorConn(snap conn.Snapshot) monitor.Conn {
	return monitor.Conn{
		CID:          snap.CID,
		IP:           snap.IP,
		Port:         snap.Port,
		Start:        snap.Start,
		LastActivity: snap.LastActivity,
		Reason:       string(snap.Reason),
		RTT:          snap.RTT,
		PendingBytes: snap.PendingBytes,
		InMsgs:       snap.InMsgs,
		OutMsgs:      snap.OutMsgs,
		InBytes:      snap.InBytes,
		OutBytes:     snap.OutBytes,
		NumSubs:      snap.NumSubs,
		Name:         snap.Client.Name,
		Lang:         snap.Client.Lang,
		Version:      snap.Client.Version,
		User:         snap.Client.User,
		Account:      monitor.GlobalAccount,
	}
}
