package jetstream

import (
	"sync"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// removals collects the messages the store removed by max_age or TTL, for
// subject delete markers. OnRemove runs with the store's lock held, often
// while the stream lock is held too, so it only appends here.
type removals struct {
	mu   sync.Mutex
	on   bool // the stream has subject_delete_marker_ttl
	list []removed
}

type removed struct {
	seq     uint64
	subject string
}

func (st *stream) onRemove(reason store.Reason, seq uint64, subj string) {
	st.removed.add(reason)
	st.cons.noteRemoved(reason, seq)
	st.forgetHold(seq)
	r := &st.removals
	r.mu.Lock()
	if r.on && (reason == store.ReasonMaxAge || reason == store.ReasonTTL) {
		r.list = append(r.list, removed{seq: seq, subject: subj})
	}
	r.mu.Unlock()
}

func (r *removals) take() []removed {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.list
	r.list = nil
	return l
}

func (r *removals) enable(on bool) {
	r.mu.Lock()
	r.on = on
	r.mu.Unlock()
}

// expiryDue is when the message just stored at now, with ttl, next needs
// an expiry pass: the earlier of max_age and its TTL (0 if neither).
func expiryDue(cfg *jsapi.StreamConfig, now, ttl int64) int64 {
	var due int64
	if cfg.MaxAge > 0 {
		due = now + int64(cfg.MaxAge)
	}
	if ttl > 0 && (due == 0 || now+ttl < due) {
		due = now + ttl
	}
	return due
}

// armLocked makes sure an expiry pass runs no later than due.
func (st *stream) armLocked(due int64) {
	if due <= 0 || st.mu.closed || (st.mu.expireAt != 0 && st.mu.expireAt <= due) {
		return
	}
	if st.mu.expiry != nil {
		st.mu.expiry.Stop()
	}
	st.mu.expireAt = due
	st.mu.expiry = time.AfterFunc(time.Duration(due-st.js.now()), st.expire)
}

// expire runs on the timer's goroutine: it removes what max_age and TTLs
// made due, writes subject delete markers, and re-arms the timer.
func (st *stream) expire() {
	now := st.js.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mu.closed {
		return
	}
	st.mu.expireAt = 0
	next, err := st.store.Expire(now)
	if err != nil {
		st.log.Error("expiry failed", "error", err)
	}
	if gone := st.removals.take(); len(gone) > 0 && st.mu.cfg.SubjectDeleteMarkerTTL > 0 {
		st.writeMarkersLocked(gone, now)
	}
	if next > 0 {
		st.armLocked(next)
	}
}

// writeMarkersLocked publishes a subject delete marker for every subject
// whose last message expired (JETSTREAM-MESSAGING.md §1.5), unless the
// expired message was itself a marker.
func (st *stream) writeMarkersLocked(gone []removed, now int64) {
	ttl := st.mu.cfg.SubjectDeleteMarkerTTL
	hdr := proto.AppendHeaderStart(nil, 0, "")
	hdr = proto.AppendHeaderField(hdr, jsapi.MarkerReasonHeader, jsapi.MarkerReasonMaxAge)
	hdr = proto.AppendHeaderField(hdr, jsapi.TTLHeader, ttl.String())
	hdr = proto.AppendHeaderField(hdr, jsapi.RollupHeader, jsapi.RollupSubject)
	hdr = proto.AppendHeaderEnd(hdr)
	done := make(map[string]bool)
	for _, r := range gone {
		if _, ok := st.mu.markers[r.seq]; ok {
			delete(st.mu.markers, r.seq)
			continue
		}
		if done[r.subject] || st.store.FilteredState(r.subject, 0).Msgs > 0 {
			continue
		}
		done[r.subject] = true
		seq, err := st.store.Append(r.subject, hdr, nil, now, int64(ttl), &st.durable)
		if err != nil {
			st.log.Error("subject delete marker not written", "subject", r.subject, "error", err)
			continue
		}
		st.noteMarkerLocked(seq)
		st.armLocked(now + int64(ttl))
	}
}

func (st *stream) noteMarkerLocked(seq uint64) {
	if st.mu.markers == nil {
		st.mu.markers = make(map[uint64]struct{})
	}
	st.mu.markers[seq] = struct{}{}
}

// isMarker reports whether a header block makes a message a delete marker.
func isMarker(hdr []byte) bool {
	if len(hdr) == 0 {
		return false
	}
	return proto.HeaderGet(hdr, jsapi.MarkerReasonHeader) != nil ||
		string(proto.HeaderGet(hdr, jsapi.KVOperationHeader)) == jsapi.KVOperationPurge
}

// rebuildMarkersLocked finds the markers among the last message of each
// subject after a restart; only a subject's last message can be a marker
// that matters.
func (st *stream) rebuildMarkersLocked() {
	for subj, ss := range st.store.SubjectsState("") {
		m, err := st.store.Load(ss.Last)
		if err == nil && isMarker(m.Header) {
			st.noteMarkerLocked(m.Seq)
		}
		_ = subj
	}
}
