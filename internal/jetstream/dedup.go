package jetstream

import "time"

// dedup is the Nats-Msg-Id window of a stream (JETSTREAM-MESSAGING.md §2):
// ids seen within the duplicate window, with the sequence they were stored
// at. It is pure: the caller passes the time and holds the stream lock.
type dedup struct {
	window time.Duration
	ids    map[string]dedupEntry
	order  []dedupKey // in insertion (= time) order; head is the oldest
	head   int
}

type dedupEntry struct {
	seq uint64
	ts  int64
}

type dedupKey struct {
	id string
	ts int64
}

// find returns the sequence id was stored at, if still inside the window.
func (d *dedup) find(id string, now int64) (uint64, bool) {
	d.expire(now)
	e, ok := d.ids[id]
	return e.seq, ok
}

// add records id as stored at seq at time ts (unix nanos).
func (d *dedup) add(id string, seq uint64, ts, now int64) {
	if d.window <= 0 {
		return
	}
	if d.ids == nil {
		d.ids = make(map[string]dedupEntry)
	}
	d.ids[id] = dedupEntry{seq: seq, ts: ts}
	d.order = append(d.order, dedupKey{id: id, ts: ts})
	d.expire(now)
}

// expire drops the ids older than the window.
func (d *dedup) expire(now int64) {
	cutoff := now - int64(d.window)
	for d.head < len(d.order) && d.order[d.head].ts < cutoff {
		k := d.order[d.head]
		if e, ok := d.ids[k.id]; ok && e.ts == k.ts {
			delete(d.ids, k.id)
		}
		d.order[d.head] = dedupKey{}
		d.head++
	}
	if d.head > 1024 && d.head*2 > len(d.order) {
		d.order = append(d.order[:0:0], d.order[d.head:]...)
		d.head = 0
	}
}

// setWindow changes the window (stream update).
func (d *dedup) setWindow(w time.Duration, now int64) {
	d.window = w
	if w <= 0 {
		d.ids, d.order, d.head = nil, nil, 0
		return
	}
	d.expire(now)
}
