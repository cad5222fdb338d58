package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/conn"
	"github.com/holdfast-mq/holdfast/internal/monitor"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// Version is holdfast's own version.
const Version = "0.1.0-dev"

// CompatVersion is the nats-server version whose wire behaviour holdfast
// implements; INFO advertises it because clients gate features on it
// (PROTOCOL.md §4).
const CompatVersion = "2.15.2"

// Sentinel errors.
var (
	// ErrServerClosed is returned by Start and Shutdown after Shutdown.
	ErrServerClosed = errors.New("server: closed")
	// ErrStarted is returned by a second Start.
	ErrStarted = errors.New("server: already started")
)

// Server is a running holdfast.
type Server struct {
	opts     Options
	log      *slog.Logger
	id       string
	broker   *broker.Broker
	connOpts *conn.Options
	js       atomic.Pointer[jsSubsystem] // set once JetStream has recovered
	nextCID  atomic.Uint64
	wg       sync.WaitGroup // accept loop and connection goroutines
	quit     chan struct{}  // closed when Shutdown begins
	mon      monitorState   // HTTP monitoring (monitor.go)

	mu struct {
		sync.Mutex
		ln      net.Listener
		started bool
		// startTime is when Start opened the listener.
		startTime time.Time
		closed    bool
		conns     map[uint64]*conn.Conn
	}
}

// New checks opts and builds a server; Start makes it listen.
func New(opts *Options) (*Server, error) {
	o := *opts
	o.setDefaults()
	if o.MaxPayload > 64<<20 {
		return nil, fmt.Errorf("server: max_payload %d exceeds 64 MiB", o.MaxPayload)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: o, log: log, id: newServerID(), quit: make(chan struct{})}
	s.broker = broker.New(broker.Options{Logger: log})
	name := o.ServerName
	if name == "" {
		name = s.id
	}
	s.connOpts = &conn.Options{
		Broker: s.broker,
		Auth:   o.authConfig(),
		Info: proto.ServerInfo{
			ServerID:     s.id,
			ServerName:   name,
			Version:      CompatVersion,
			Proto:        1,
			GitCommit:    "holdfast-" + Version,
			GoVersion:    runtime.Version(),
			Host:         o.Host,
			Headers:      true,
			MaxPayload:   o.MaxPayload,
			AuthRequired: o.authConfig().Required(),
		},
		MaxPayload:     int(o.MaxPayload),
		MaxControlLine: int(o.MaxControlLine),
		MaxPending:     int(o.MaxPending),
		PingInterval:   o.PingInterval,
		MaxPingsOut:    o.MaxPingsOut,
		WriteDeadline:  o.WriteDeadline,
		AuthTimeout:    o.AuthTimeout,
		Trace:          o.Trace,
		Logger:         log,
	}
	*s.connOpts = s.connOpts.WithDefaults()
	s.mu.conns = make(map[uint64]*conn.Conn)
	s.mon.handler = monitor.New(monitor.Options{
		Server:    monitorView{s},
		JetStream: s.monitorJetStream,
		Logger:    log.With("component", "monitor"),
	})
	return s, nil
}

// newServerID returns a 56-character id starting with N, shaped like the
// public NKey nats-server uses (clients only display it).
func newServerID() string {
	var b [35]byte
	_, _ = rand.Read(b[:])
	return "N" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])[:55]
}

// Start listens for clients and returns once the listener is open. The lock
// is not held while JetStream recovers its streams from disk, so monitoring
// answers meanwhile (/healthz reports 503 until JetStream is up).
func (s *Server) Start() error {
	s.mu.Lock()
	switch {
	case s.mu.closed:
		s.mu.Unlock()
		return ErrServerClosed
	case s.mu.started:
		s.mu.Unlock()
		return ErrStarted
	}
	s.mu.started = true
	s.mu.Unlock()

	port := s.opts.Port
	if port == RandomPort {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.opts.Host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	if err := s.startMonitor(); err != nil {
		_ = ln.Close()
		return err
	}
	if err := s.enableJetStream(); err != nil {
		s.abortMonitor()
		_ = ln.Close()
		return fmt.Errorf("server: jetstream: %w", err)
	}

	if err := s.startSys(); err != nil {
		s.abortMonitor()
		_ = ln.Close()
		_ = s.disableJetStream(context.Background())
		return fmt.Errorf("server: system services: %w", err)
	}

	s.mu.Lock()
	if s.mu.closed { // Shutdown ran while JetStream was recovering
		s.mu.Unlock()
		_ = ln.Close()
		s.abortMonitor()
		_ = s.disableJetStream(context.Background())
		return ErrServerClosed
	}
	s.mu.ln = ln
	s.mu.startTime = time.Now()
	s.connOpts.Info.Port = ln.Addr().(*net.TCPAddr).Port
	s.mu.Unlock()
	s.log.Info("server started", "version", Version, "compat", CompatVersion, "id", s.id, "name", s.connOpts.Info.ServerName)
	s.log.Info("listening for client connections", "addr", ln.Addr().String())
	s.wg.Go(func() { s.acceptLoop(ln) })
	return nil
}

// Addr is the client listener's address (nil before Start).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.ln == nil {
		return nil
	}
	return s.mu.ln.Addr()
}

// ClientURL is a nats:// URL clients can connect to.
func (s *Server) ClientURL() string {
	addr, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "nats://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// NumClients is the number of open client connections.
func (s *Server) NumClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.conns)
}

// Connections returns a snapshot of every open client connection, by CID.
func (s *Server) Connections(withSubs bool) []conn.Snapshot {
	s.mu.Lock()
	conns := make([]*conn.Conn, 0, len(s.mu.conns))
	for _, c := range s.mu.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	out := make([]conn.Snapshot, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.Snapshot(withSubs))
	}
	slices.SortFunc(out, func(a, b conn.Snapshot) int { return cmp.Compare(a.CID, b.CID) })
	return out
}

// WaitForInterest blocks until a subscription matches the literal subject or
// ctx ends; tests use it to know that a subscriber is in place.
func (s *Server) WaitForInterest(ctx context.Context, subject string) error {
	return s.broker.WaitForInterest(ctx, subject)
}

func (s *Server) acceptLoop(ln net.Listener) {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off, keep serving.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Error("accept failed", "error", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-s.quit:
				return
			}
			continue
		}
		delay = 0
		s.serve(nc)
	}
}

func (s *Server) serve(nc net.Conn) {
	cid := s.nextCID.Add(1)
	c := conn.New(nc, cid, s.connOpts)
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	if len(s.mu.conns) >= s.opts.MaxConn {
		s.mu.Unlock()
		s.log.Warn("maximum connections exceeded", "max", s.opts.MaxConn)
		_, _ = nc.Write(proto.AppendErr(nil, "maximum connections exceeded"))
		_ = nc.Close()
		return
	}
	s.mu.conns[cid] = c
	s.mu.Unlock()
	s.wg.Go(func() {
		c.Run()
		s.mu.Lock()
		s.connClosedLocked(c)
		delete(s.mu.conns, cid)
		s.mu.Unlock()
	})
}

// Shutdown stops accepting, closes every client connection after flushing what
// is queued for it, and waits for all goroutines. If ctx ends first it returns
// ctx.Err() and the remaining connections are closed without flushing. Calls
// after the first return ErrServerClosed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.mu.closed = true
	close(s.quit)
	ln := s.mu.ln
	conns := make([]*conn.Conn, 0, len(s.mu.conns))
	for _, c := range s.mu.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	if ln != nil {
		_ = ln.Close()
	}
	s.stopMonitor(ctx)
	for _, c := range conns {
		c.Close(conn.ReasonServerShutdown)
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		for _, c := range conns {
			c.Abort(conn.ReasonServerShutdown)
		}
		<-done
		err = ctx.Err()
	}
	// Clients are gone: nothing new reaches JetStream; it drains, syncs and closes its stores.
	if jerr := s.disableJetStream(ctx); err == nil {
		err = jerr
	}
	s.log.Info("server stopped")
	return err
}
