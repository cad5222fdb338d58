package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// Sentinel errors.
var (
	// ErrClosed is returned by Start and Shutdown after Shutdown.
	ErrClosed = errors.New("jetstream: closed")
	// ErrStarted is returned by a second Start.
	ErrStarted = errors.New("jetstream: already started")
)

// APILevel is the JetStream API level holdfast implements (ADR-44): level 1
// brings per-message TTLs and subject delete markers; counters, atomic and
// fast batches, schedules (levels 2 to 5) are not implemented and their
// stream flags are rejected.
const APILevel = 1

// Limits are server-wide storage limits; zero or negative means unlimited.
type Limits struct {
	MaxMemory int64
	MaxStore  int64
}

// Options configure the JetStream subsystem.
type Options struct {
	Broker *broker.Broker
	// StoreDir is the server's store directory; JetStream keeps its data in
	// <StoreDir>/jetstream.
	StoreDir string
	Limits   Limits
	// SyncInterval 0 acknowledges a publish only after fsync (group commit);
	// a positive value syncs on that period instead (nats-server's default).
	SyncInterval time.Duration
	Domain       string
	// ServerName is reported as the stream leader in STREAM.INFO.
	ServerName string
	// Version is reported in the _nats.ver metadata of returned configs.
	Version string
	Logger  *slog.Logger
	// Workers is the number of API worker goroutines (default 4); QueueLen
	// the number of queued API requests before new ones are refused (default 4096).
	Workers  int
	QueueLen int
	// Failpoint, when set, is called at the named points between the steps
	// of a dead letter's move ("dlq.recorded", "dlq.copied"); crash tests
	// kill the process there.
	Failpoint func(name string)
}

// JetStream is the JetStream subsystem of one server: the streams of the
// global account and the handlers of the $JS.API.
type JetStream struct {
	opts   Options
	log    *slog.Logger
	broker *broker.Broker
	dir    string // <StoreDir>/jetstream/$G/streams

	queue chan *apiRequest
	stop  chan struct{}
	wg    sync.WaitGroup // API workers

	apiTotal, apiErrors atomic.Uint64
	apiByType           apiCounters   // $JS.API requests and errors by type (api_stats.go)
	io                  store.IOStats // disk work of every file stream, for monitoring

	// list is a copy of the stream set for the publish path, which must not
	// take mu (it holds a stream lock); replaced under mu on every change.
	list atomic.Pointer[[]*stream]

	// routes caches the subscriptions of consumer delivery targets.
	routes routeCache

	// redrive holds the dead-letter redrive tasks (dlq_redrive.go); their
	// goroutines are in wg and stop with stop.
	redrive redriveSet

	// now is the clock (unix nanos) of publishes and expiry; tests replace it.
	now func() int64

	// admin serialises stream create, update and delete, so the subject
	// overlap check and the change happen as one step. It is held across
	// meta-file fsyncs; mu is not.
	admin sync.Mutex

	// mu guards the stream map and the lifecycle flags.
	mu struct {
		sync.Mutex
		streams map[string]*stream
		apiSubs []*broker.Subscription
		started bool
		closed  bool
	}
}

// New returns a subsystem that does nothing until Start.
func New(opts Options) (*JetStream, error) {
	if opts.Broker == nil {
		return nil, errors.New("jetstream: no broker")
	}
	if opts.StoreDir == "" {
		return nil, errors.New("jetstream: no store dir")
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = 4096
	}
	if opts.Version == "" {
		opts.Version = "2.15.2"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	js := &JetStream{
		opts:   opts,
		log:    log,
		broker: opts.Broker,
		dir:    filepath.Join(opts.StoreDir, "jetstream", "$G", "streams"),
		queue:  make(chan *apiRequest, opts.QueueLen),
		stop:   make(chan struct{}),
		now:    func() int64 { return time.Now().UnixNano() },
	}
	js.mu.streams = make(map[string]*stream)
	return js, nil
}

// Start recovers the streams found in the store directory, then subscribes
// the API subjects and starts the workers.
func (js *JetStream) Start() error {
	js.mu.Lock()
	defer js.mu.Unlock()
	switch {
	case js.mu.closed:
		return ErrClosed
	case js.mu.started:
		return ErrStarted
	}
	if err := os.MkdirAll(js.dir, 0o750); err != nil {
		return fmt.Errorf("jetstream: store dir: %w", err)
	}
	if err := js.recoverLocked(); err != nil {
		return err
	}
	for _, subj := range js.apiSubjects() {
		sub := &broker.Subscription{Subject: subj, Owner: apiSubscriber{js}}
		if err := js.broker.Subscribe(sub); err != nil {
			return fmt.Errorf("jetstream: subscribe %s: %w", subj, err)
		}
		js.mu.apiSubs = append(js.mu.apiSubs, sub)
	}
	for range js.opts.Workers {
		js.wg.Go(js.worker)
	}
	js.recoverRedrives()
	js.mu.started = true
	js.log.Info("jetstream started", "store_dir", js.dir, "streams", len(js.mu.streams),
		"api_level", APILevel, "sync_interval", js.opts.SyncInterval)
	return nil
}

// apiSubjects are the subjects the API listens on: the account prefix and,
// with a domain, the domain prefix as well (JETSTREAM-API.md §1.1).
func (js *JetStream) apiSubjects() []string {
	prefixes := []string{jsapi.APIPrefix}
	if d := js.opts.Domain; d != "" {
		prefixes = append(prefixes, fmt.Sprintf(jsapi.APIDomainPrefixT, d))
	}
	var subs []string
	for _, p := range prefixes {
		subs = append(subs, p+".INFO", p+".STREAM.>")
		subs = append(subs, consumerAPISubjects(p)...)
	}
	if d := js.opts.Domain; d != "" {
		subs = append(subs, fmt.Sprintf(jsapi.APIDomainPrefixT, d)+".$KV.>")
	}
	subs = append(subs, hfAPISubjects()...)
	return subs
}

// apiPrefixes are "$JS.API" and, with a domain, "$JS.<domain>.API".
func (js *JetStream) apiPrefixes() []string {
	if d := js.opts.Domain; d != "" {
		return []string{jsapi.APIPrefix, fmt.Sprintf(jsapi.APIDomainPrefixT, d)}
	}
	return []string{jsapi.APIPrefix}
}

// Shutdown stops the API, waits for the workers, and closes every stream's
// store (which syncs it). A second call returns ErrClosed.
func (js *JetStream) Shutdown(ctx context.Context) error {
	js.mu.Lock()
	if js.mu.closed {
		js.mu.Unlock()
		return ErrClosed
	}
	js.mu.closed = true
	subs := js.mu.apiSubs
	js.mu.apiSubs = nil
	js.mu.Unlock()
	for _, sub := range subs {
		js.broker.Unsubscribe(sub)
	}
	close(js.stop)
	done := make(chan struct{})
	go func() { js.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	js.mu.Lock()
	streams := make([]*stream, 0, len(js.mu.streams))
	for _, st := range js.mu.streams {
		streams = append(streams, st)
	}
	js.mu.Unlock()
	for _, st := range streams {
		if cerr := st.close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	js.log.Info("jetstream stopped")
	return err
}

// lookup returns the named stream or nil.
func (js *JetStream) lookup(name string) *stream {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.mu.streams[name]
}

// sortedStreams returns the streams ordered by name.
func (js *JetStream) sortedStreams() []*stream {
	js.mu.Lock()
	out := make([]*stream, 0, len(js.mu.streams))
	for _, st := range js.mu.streams {
		out = append(out, st)
	}
	js.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// publishListLocked refreshes list from the stream map.
func (js *JetStream) publishListLocked() {
	l := make([]*stream, 0, len(js.mu.streams))
	for _, st := range js.mu.streams {
		l = append(l, st)
	}
	js.list.Store(&l)
}

// streams returns the current streams without locking, in no order.
func (js *JetStream) streams() []*stream {
	if l := js.list.Load(); l != nil {
		return *l
	}
	return nil
}

// overLimit reports whether the server's storage of that type is already
// past its limit; further publishes are refused with 503/10023 as on
// nats-server (which checks usage before adding the new message).
func (js *JetStream) overLimit(storage jsapi.StorageType) bool {
	limit := js.opts.Limits.MaxStore
	if storage == jsapi.MemoryStorage {
		limit = js.opts.Limits.MaxMemory
	}
	if limit <= 0 {
		return false
	}
	var used uint64
	for _, st := range js.streams() {
		if st.storage == storage {
			used += st.store.State().Bytes
		}
	}
	return used > uint64(limit)
}

// NumStreams is the number of streams.
func (js *JetStream) NumStreams() int {
	js.mu.Lock()
	defer js.mu.Unlock()
	return len(js.mu.streams)
}

// streamDir is where a stream keeps its meta file and messages.
func (js *JetStream) streamDir(name string) string { return filepath.Join(js.dir, name) }
