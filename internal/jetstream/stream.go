package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/store/filestore"
	"github.com/holdfast-mq/holdfast/internal/store/memstore"
)

// stream is one stream: its config, its store and its subscriptions.
// Publishes reach it through Deliver (publish.go) on the publisher's
// goroutine; API requests on the workers.
type stream struct {
	js      *JetStream
	name    string
	dir     string // <streams dir>/<name>
	log     *slog.Logger
	created time.Time
	store   store.Store
	storage jsapi.StorageType // fixed at creation

	cons     consumerSet   // the stream's consumers (consumer.go)
	durable  durableMark   // highest sequence the store reported durable
	removals removals      // expired messages awaiting subject delete markers
	removed  removedCounts // messages that left the stream, by reason (monitoring)
	// releasing is set while releaseConsumer compacts the stream after its
	// last consumer left: the store reports those removals as purges.
	releasing atomic.Bool

	dlqHolds     dlqHolds     // messages limits wait for (dlq_hold.go)
	dlqLimitCons atomic.Int32 // consumers dead-lettering for a limit
	dlqWaitCons  atomic.Int32 // consumers with dead letters waiting for their copy

	// mu guards the config, the subscriptions and the publish state. It is
	// held across Append so sequence checks and appends are atomic; it is
	// never held across a wait for fsync (the store acknowledges later).
	mu struct {
		sync.Mutex
		cfg       jsapi.StreamConfig
		subs      []*broker.Subscription
		direct    []*broker.Subscription
		dedup     dedup
		lastMsgID string
		closed    bool
		expiry    *time.Timer
		expireAt  int64 // unix nanos the timer fires at; 0 when not armed
		markers   map[uint64]struct{}
		republish *transform  // nil without a republish config
		transform *transform  // subject_transform; nil without one
		origins   originIndex // dead letters stored here, by origin (dlq_index.go)
	}
}

// storeConfig derives the store's view of a stream config.
func (js *JetStream) storeConfig(cfg *jsapi.StreamConfig) store.Config {
	sc := store.Config{
		Name:              cfg.Name,
		MaxMsgs:           cfg.MaxMsgs,
		MaxBytes:          cfg.MaxBytes,
		MaxAge:            cfg.MaxAge,
		MaxMsgsPerSubject: cfg.MaxMsgsPerSubject,
		FirstSeq:          cfg.FirstSeq,
		SyncInterval:      js.opts.SyncInterval,
		Compress:          cfg.Compression == jsapi.S2Compression,
	}
	if cfg.Discard == jsapi.DiscardNew {
		// Discard new is decided before Append (publish.go); the store must
		// not also drop the oldest message. Per-subject limits still drop
		// the subject's oldest unless discard_new_per_subject rejects first.
		sc.MaxMsgs, sc.MaxBytes = -1, -1
	}
	return sc
}

// openStream opens (or creates) the store of a stream whose meta file is in dir.
func (js *JetStream) openStream(cfg jsapi.StreamConfig, created time.Time, dir string) (*stream, error) {
	st := &stream{js: js, name: cfg.Name, dir: dir, created: created, storage: cfg.Storage,
		log: js.log.With("stream", cfg.Name)}
	st.mu.cfg = cfg
	st.mu.republish = compileRePublish(&cfg)
	st.mu.transform = compileTransform(&cfg)
	st.mu.dedup.window = cfg.Duplicates
	sc := js.storeConfig(&cfg)
	sc.OnRemove = st.onStoreRemove
	sc.Hold = st.holdForDeadLetters
	switch cfg.Storage {
	case jsapi.MemoryStorage:
		st.store = memstore.New(sc)
	default:
		fs, err := filestore.Open(dir, sc, filestore.Options{Logger: st.log, Stats: &st.js.io})
		if err != nil {
			return nil, fmt.Errorf("jetstream: open store of stream %s: %w", cfg.Name, err)
		}
		st.store = fs
	}
	return st, nil
}

// subscribeLocked registers the stream's subject and direct-get
// subscriptions to match cfg, replacing the previous ones.
func (st *stream) subscribeLocked() error {
	b := st.js.broker
	for _, sub := range st.mu.subs {
		b.Unsubscribe(sub)
	}
	for _, sub := range st.mu.direct {
		b.Unsubscribe(sub)
	}
	st.mu.subs, st.mu.direct = nil, nil
	for _, s := range st.mu.cfg.Subjects {
		sub := &broker.Subscription{Subject: s, Owner: st}
		if err := b.Subscribe(sub); err != nil {
			return fmt.Errorf("jetstream: subscribe %s for stream %s: %w", s, st.name, err)
		}
		st.mu.subs = append(st.mu.subs, sub)
	}
	if !st.mu.cfg.AllowDirect {
		return nil
	}
	prefixes := []string{jsapi.APIPrefix}
	if st.js.opts.Domain != "" {
		prefixes = append(prefixes, st.js.domainPrefix())
	}
	for _, p := range prefixes {
		for _, s := range []string{p + ".DIRECT.GET." + st.name, p + ".DIRECT.GET." + st.name + ".>"} {
			sub := &broker.Subscription{Subject: s, Queue: "_sys_", Owner: directSubscriber{st}}
			if err := b.Subscribe(sub); err != nil {
				return fmt.Errorf("jetstream: subscribe %s: %w", s, err)
			}
			st.mu.direct = append(st.mu.direct, sub)
		}
	}
	return nil
}

// compileRePublish builds the republish transform of a validated config.
func compileRePublish(cfg *jsapi.StreamConfig) *transform {
	if cfg.RePublish == nil {
		return nil
	}
	tr, _ := newTransform(republishSource(cfg.RePublish), cfg.RePublish.Destination)
	return tr
}

// compileTransform builds the subject transform of a validated config.
func compileTransform(cfg *jsapi.StreamConfig) *transform {
	if cfg.SubjectTransform == nil {
		return nil
	}
	tr, _ := newTransform(transformSource(cfg.SubjectTransform), cfg.SubjectTransform.Destination)
	return tr
}

// config returns a copy of the current config.
func (st *stream) config() jsapi.StreamConfig {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.mu.cfg
}

// unsubscribeLocked stops all deliveries to the stream.
func (st *stream) unsubscribeLocked() {
	for _, sub := range append(st.mu.subs, st.mu.direct...) {
		st.js.broker.Unsubscribe(sub)
	}
	st.mu.subs, st.mu.direct = nil, nil
	if st.mu.expiry != nil {
		st.mu.expiry.Stop()
	}
	st.mu.closed = true
}

// close stops the stream and closes its store, keeping the data.
func (st *stream) close() error {
	st.stopConsumers(false)
	st.mu.Lock()
	if st.mu.closed {
		st.mu.Unlock()
		return nil
	}
	st.unsubscribeLocked()
	st.mu.Unlock()
	if err := st.store.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("jetstream: close stream %s: %w", st.name, err)
	}
	return nil
}

// destroy stops the stream and removes its data and meta file.
func (st *stream) destroy() error {
	st.stopConsumers(true)
	st.mu.Lock()
	st.unsubscribeLocked()
	st.mu.Unlock()
	err := st.store.Destroy()
	if rerr := os.RemoveAll(st.dir); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("jetstream: delete stream %s: %w", st.name, err)
	}
	return nil
}

// infoOpts select the optional parts of a StreamInfo.
type infoOpts struct {
	deleted        bool
	subjectsFilter string
	offset         int
	cluster        bool
}

// info builds the StreamInfo; paged is the subjects paging block.
func (st *stream) info(o infoOpts) (*jsapi.StreamInfo, jsapi.ApiPaged) {
	cfg := st.config()
	ss := st.store.State()
	si := &jsapi.StreamInfo{
		Config:    st.js.withServerMetadata(cfg),
		Created:   st.created.UTC(),
		State:     stateOf(ss),
		Domain:    st.js.opts.Domain,
		TimeStamp: time.Now().UTC(),
	}
	si.State.Consumers = st.cons.len()
	if o.cluster {
		si.Cluster = &jsapi.ClusterInfo{Leader: st.js.opts.ServerName}
	}
	if o.deleted && ss.NumDeleted > 0 {
		si.State.Deleted = st.store.Deleted()
	}
	var paged jsapi.ApiPaged
	if o.subjectsFilter != "" {
		si.State.Subjects, paged = pageSubjects(st.store.SubjectsTotals(o.subjectsFilter), o.offset)
	}
	return si, paged
}

// stateOf converts the store's state into the wire form.
func stateOf(ss store.State) jsapi.StreamState {
	state := jsapi.StreamState{
		Msgs:        ss.Msgs,
		Bytes:       ss.Bytes,
		FirstSeq:    ss.FirstSeq,
		FirstTime:   unixTime(ss.FirstTime),
		LastSeq:     ss.LastSeq,
		LastTime:    unixTime(ss.LastTime),
		NumSubjects: int(ss.NumSubjects),
		NumDeleted:  int(ss.NumDeleted),
	}
	if ss.Lost != nil && len(ss.Lost.Msgs) > 0 {
		state.Lost = &jsapi.LostStreamData{Msgs: ss.Lost.Msgs, Bytes: ss.Lost.Bytes}
	}
	return state
}

// unixTime converts unix nanos to UTC, with 0 as the zero time.
func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
