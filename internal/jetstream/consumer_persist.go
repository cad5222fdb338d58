package jetstream

import (
	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// A durable consumer's delivery state is written by its persister
// goroutine, not on the delivery and ack paths: every change marks the
// consumer dirty, and the persister writes one snapshot of the whole
// ackstate (store.ConsumerStore.SetState, one fsync) for all the changes
// made since its last write. Deliveries therefore never wait for a disk;
// ack-sync replies wait until the snapshot holding their ack is durable.
// A crash loses at most the changes since the last snapshot: those
// deliveries are redelivered, as at-least-once allows.

// dirtyLocked records a change of the state and asks the persister for a
// write.
func (c *consumer) dirtyLocked() {
	if c.cs == nil {
		return
	}
	c.mu.gen++
	c.wakePersisterLocked()
}

// wakePersisterLocked asks the persister to run without recording a change:
// for an ack sync whose ack changed nothing new, or whose change the
// persister may already be writing.
func (c *consumer) wakePersisterLocked() {
	select {
	case c.dirty <- struct{}{}:
	default:
	}
}

// persister writes snapshots until the consumer stops, then a last one.
func (c *consumer) persister() {
	defer close(c.persisted)
	for {
		select {
		case <-c.dirty:
			c.flush()
		case <-c.stop:
			c.flush()
			return
		}
	}
}

// flush writes the current state and answers the ack syncs it covers. When
// nothing changed since the last durable snapshot, the ack syncs waiting are
// answered without a write: the state they acknowledge is on disk already
// (an ack applies its change, with dirtyLocked, before it queues its reply).
func (c *consumer) flush() {
	c.mu.Lock()
	gen := c.mu.gen
	replies := c.mu.syncReplies
	c.mu.syncReplies = nil
	if gen == c.mu.durableGen {
		c.mu.Unlock()
		c.answer(replies)
		return
	}
	snap := c.mu.ack.Snapshot()
	c.mu.Unlock()
	if err := c.cs.SetState(consumerState(snap)); err != nil {
		c.log.Error("consumer state not persisted", "error", err)
		return // the ack syncs stay unanswered: the client retries
	}
	c.mu.Lock()
	c.mu.durableGen = gen
	c.mu.Unlock()
	if len(snap.Dead) > 0 {
		c.deadLettersRecorded(snap.Dead)
	}
	c.answer(replies)
}

// answer sends the (empty) replies of ack syncs.
func (c *consumer) answer(replies []string) {
	for _, r := range replies {
		c.js.broker.Publish(nil, []byte(r), nil, nil, nil)
	}
}

// consumerState converts an ackstate snapshot into the store's form.
func consumerState(snap ackstate.Snapshot) *store.ConsumerState {
	cs := &store.ConsumerState{
		Delivered:   store.SeqPair{Consumer: snap.Delivered.Consumer, Stream: snap.Delivered.Stream},
		AckFloor:    store.SeqPair{Consumer: snap.AckFloor.Consumer, Stream: snap.AckFloor.Stream},
		Pending:     make(map[uint64]store.Pending, len(snap.Pending)),
		Redelivered: make(map[uint64]uint64),
		Parked:      make(map[uint64]struct{}, len(snap.Parked)),
	}
	for seq, p := range snap.Pending {
		cs.Pending[seq] = store.Pending{Consumer: p.Consumer, Time: p.Delivered}
		if p.Count > 1 {
			cs.Redelivered[seq] = p.Count
		}
	}
	for seq, n := range snap.Parked {
		cs.Parked[seq] = struct{}{}
		if n > 1 {
			cs.Redelivered[seq] = n
		}
	}
	if len(snap.Dead) > 0 {
		cs.DeadLetters = make(map[uint64][]byte, len(snap.Dead))
		for seq, dl := range snap.Dead {
			cs.DeadLetters[seq] = encodeIntent(dl)
		}
	}
	return cs
}
