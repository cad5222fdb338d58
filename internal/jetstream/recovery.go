package jetstream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// recoverLocked opens every stream found under the streams directory. A
// stream whose meta file is missing or corrupt is skipped with an error
// log and its files are left alone for an operator to inspect.
func (js *JetStream) recoverLocked() error {
	entries, err := os.ReadDir(js.dir)
	if err != nil {
		return fmt.Errorf("jetstream: read %s: %w", js.dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(js.dir, e.Name())
		m, err := readMeta(dir)
		if err != nil {
			js.log.Error("stream not recovered", "dir", dir, "error", err)
			continue
		}
		st, err := js.openStream(m.Config, m.Created, dir)
		if err != nil {
			js.log.Error("stream not recovered", "stream", m.Config.Name, "error", err)
			continue
		}
		now := js.now()
		st.mu.Lock()
		st.rebuildLocked(now)
		err = st.subscribeLocked()
		st.mu.Unlock()
		if err != nil {
			_ = st.close()
			return err
		}
		js.mu.streams[m.Config.Name] = st
		js.publishListLocked()
		st.recoverConsumers()
		// An expiry pass at once catches up on downtime; only now, so that
		// consumers that dead-letter expired messages are there to be asked.
		st.mu.Lock()
		st.armLocked(now)
		st.mu.Unlock()
		ss := st.store.State()
		js.log.Info("stream recovered", "stream", m.Config.Name, "msgs", ss.Msgs, "bytes", ss.Bytes,
			"first_seq", ss.FirstSeq, "last_seq", ss.LastSeq)
	}
	return nil
}

// rebuildLocked restores the publish state that lives only in memory: the
// Nats-Msg-Id window (from messages younger than the duplicate window) and
// the last message's id for Nats-Expected-Last-Msg-Id.
func (st *stream) rebuildLocked(now int64) {
	st.durable.set(st.store.State().LastSeq)
	st.removals.enable(st.mu.cfg.SubjectDeleteMarkerTTL > 0)
	if st.mu.cfg.SubjectDeleteMarkerTTL > 0 {
		st.rebuildMarkersLocked()
	}
	last, err := st.store.LoadLast("")
	if err != nil {
		return
	}
	st.mu.lastMsgID = string(proto.HeaderGet(last.Header, jsapi.MsgIDHeader))
	window := int64(st.mu.cfg.Duplicates)
	if window <= 0 {
		return
	}
	cutoff := now - window
	// Walk back to the first message inside the window, then forward.
	var inWindow []*store.Msg
	for m := last; m != nil && m.Time >= cutoff; {
		inWindow = append(inWindow, m)
		if m.Seq <= 1 {
			break
		}
		prev, err := st.store.LoadPrev("", m.Seq-1)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				st.log.Error("duplicate window not fully rebuilt", "seq", m.Seq-1, "error", err)
			}
			break
		}
		m = prev
	}
	for i := len(inWindow) - 1; i >= 0; i-- {
		m := inWindow[i]
		if id := proto.HeaderGet(m.Header, jsapi.MsgIDHeader); len(id) > 0 {
			st.mu.dedup.add(string(id), m.Seq, m.Time, now)
		}
	}
}
