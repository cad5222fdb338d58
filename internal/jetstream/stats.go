package jetstream

import (
	"sync/atomic"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// removedCounts counts a stream's removals by reason. The store reports every
// removal through OnRemove, so published = stored now + the sum of these
// (for messages published since the stream was created or recovered).
type removedCounts [store.NumReasons]atomic.Uint64

func (r *removedCounts) add(reason store.Reason) {
	if int(reason) < len(r) {
		r[reason].Add(1)
	}
}

// onStoreRemove is the stream's store.Config.OnRemove. The store knows only
// what it was asked to do; the stream knows why. While releaseConsumer
// compacts an interest stream whose last consumer left, the store's purge
// removals are counted as consumer_deleted. An API purge racing with that
// compaction may be counted the same way: the messages left either way, so
// published = stored + removed still holds.
func (st *stream) onStoreRemove(reason store.Reason, seq uint64, subj string) {
	if reason == store.ReasonPurge && st.releasing.Load() {
		reason = store.ReasonConsumerDeleted
	}
	st.onRemove(reason, seq, subj)
}

// byName returns the counts keyed by the reason's name (store.Reason.String).
func (r *removedCounts) byName() map[string]uint64 {
	out := make(map[string]uint64, len(r))
	for i := range r {
		out[store.Reason(i).String()] = r[i].Load()
	}
	return out
}

// Stats is a read-only view of JetStream for monitoring.
type Stats struct {
	Memory, Store                 uint64 // bytes held by memory and file streams
	ReservedMemory, ReservedStore uint64 // sum of max_bytes of memory and file streams
	APITotal, APIErrors           uint64
	APIByType                     []APICount       // $JS.API requests by type, sorted by type
	IO                            store.IOSnapshot // fsyncs, bytes written, group commits of file streams
	Streams                       []StreamStats
}

// StreamStats is one stream's info, its consumers and its removals by reason.
type StreamStats struct {
	Info      *jsapi.StreamInfo
	Consumers []*jsapi.ConsumerInfo
	Removed   map[string]uint64
}

// Stats returns a snapshot of every stream. It takes each stream's state
// from its store; no publish-path lock is held while the caller renders it.
func (js *JetStream) Stats() Stats {
	st := Stats{APITotal: js.apiTotal.Load(), APIErrors: js.apiErrors.Load(), APIByType: js.apiByType.snapshot(), IO: js.io.Snapshot()}
	for _, s := range js.sortedStreams() {
		si, _ := s.info(infoOpts{cluster: true})
		cfg := si.Config
		if cfg.Storage == jsapi.MemoryStorage {
			st.Memory += si.State.Bytes
			st.ReservedMemory += uint64(max(cfg.MaxBytes, 0))
		} else {
			st.Store += si.State.Bytes
			st.ReservedStore += uint64(max(cfg.MaxBytes, 0))
		}
		ss := StreamStats{Info: si, Removed: s.removed.byName()}
		for _, c := range s.cons.list() {
			ss.Consumers = append(ss.Consumers, c.info())
		}
		st.Streams = append(st.Streams, ss)
	}
	return st
}
