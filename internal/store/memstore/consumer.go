package memstore

import (
	"maps"
	"sync"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// ConsumerStore implements store.Store. The state of a name lives as long as
// the Store, across Close and reopen of the consumer, until Destroy.
func (s *Store) ConsumerStore(name string) (store.ConsumerStore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, store.ErrClosed
	}
	cs := s.mu.consumers[name]
	if cs == nil {
		cs = newConsumerState()
		s.mu.consumers[name] = cs
	}
	return &consumer{store: s, name: name, state: cs}, nil
}

// consumer is one open handle on a consumer's state.
type consumer struct {
	store *Store
	name  string
	state *consumerState

	mu     sync.Mutex
	closed bool // guarded by mu: this handle was closed or destroyed
}

func (c *consumer) do(fn func(*consumerState)) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return store.ErrClosed
	}
	return c.state.do(fn)
}

func (c *consumer) UpdateDelivered(dseq, sseq, dc uint64, ts int64) error {
	return c.do(func(cs *consumerState) { cs.delivered(dseq, sseq, dc, ts) })
}

func (c *consumer) UpdateAcked(dseq, sseq uint64, all bool) error {
	return c.do(func(cs *consumerState) { cs.acked(dseq, sseq, all) })
}

func (c *consumer) UpdateParked(sseq uint64) error {
	return c.do(func(cs *consumerState) { cs.parked(sseq) })
}

func (c *consumer) SetState(st *store.ConsumerState) error {
	return c.do(func(cs *consumerState) { cs.set(st) })
}

func (c *consumer) State() (*store.ConsumerState, error) {
	var out *store.ConsumerState
	err := c.do(func(cs *consumerState) { out = cs.copy() })
	return out, err
}

func (c *consumer) Sync() error { return c.do(func(*consumerState) {}) }

func (c *consumer) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return store.ErrClosed
	}
	c.closed = true
	return nil
}

func (c *consumer) Destroy() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	s := c.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.mu.closed && s.mu.consumers[c.name] == c.state {
		delete(s.mu.consumers, c.name)
	}
	return nil
}

// consumerState is a consumer's state plus an index of pending entries by
// consumer sequence, used to move the consumer half of the ack floor.
type consumerState struct {
	mu     sync.Mutex
	closed bool // the store was closed
	st     store.ConsumerState
	byDseq map[uint64]uint64 // consumer seq of a pending entry -> stream seq
	// loose is set when SetState left pending entries at or below the ack
	// floor, so the floor cannot be found by probing upward from it.
	loose bool
}

func newConsumerState() *consumerState {
	cs := &consumerState{byDseq: make(map[uint64]uint64)}
	cs.st.Pending = make(map[uint64]store.Pending)
	cs.st.Redelivered = make(map[uint64]uint64)
	cs.st.Parked = make(map[uint64]struct{})
	return cs
}

func (cs *consumerState) do(fn func(*consumerState)) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		return store.ErrClosed
	}
	fn(cs)
	return nil
}

func (cs *consumerState) close() {
	cs.mu.Lock()
	cs.closed = true
	cs.mu.Unlock()
}

func (cs *consumerState) copy() *store.ConsumerState {
	return &store.ConsumerState{
		Delivered:   cs.st.Delivered,
		AckFloor:    cs.st.AckFloor,
		Pending:     maps.Clone(cs.st.Pending),
		Redelivered: maps.Clone(cs.st.Redelivered),
		Parked:      maps.Clone(cs.st.Parked),
	}
}

func (cs *consumerState) set(st *store.ConsumerState) {
	fresh := newConsumerState()
	fresh.st.Delivered, fresh.st.AckFloor = st.Delivered, st.AckFloor
	maps.Copy(fresh.st.Pending, st.Pending)
	maps.Copy(fresh.st.Redelivered, st.Redelivered)
	maps.Copy(fresh.st.Parked, st.Parked)
	for sseq, p := range st.Pending {
		fresh.byDseq[p.Consumer] = sseq
		fresh.loose = fresh.loose || sseq <= st.AckFloor.Stream || p.Consumer <= st.AckFloor.Consumer
	}
	cs.st, cs.byDseq, cs.loose = fresh.st, fresh.byDseq, fresh.loose
}
