package memstore

import (
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
	return c.do(func(cs *consumerState) { cs.tracker.Delivered(dseq, sseq, dc, ts) })
}

func (c *consumer) UpdateAcked(dseq, sseq uint64, all bool) error {
	return c.do(func(cs *consumerState) { cs.tracker.Acked(dseq, sseq, all) })
}

func (c *consumer) UpdateParked(sseq uint64) error {
	return c.do(func(cs *consumerState) { cs.tracker.Parked(sseq) })
}

func (c *consumer) SetState(st *store.ConsumerState) error {
	return c.do(func(cs *consumerState) { cs.tracker.Reset(st) })
}

func (c *consumer) State() (*store.ConsumerState, error) {
	var out *store.ConsumerState
	err := c.do(func(cs *consumerState) { out = cs.tracker.Copy() })
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

// consumerState is a consumer's state, shared by every handle on the same
// name; the rules that update it are store.ConsumerTracker's.
type consumerState struct {
	mu      sync.Mutex
	closed  bool // the store was closed
	tracker *store.ConsumerTracker
}

func newConsumerState() *consumerState {
	return &consumerState{tracker: store.NewConsumerTracker()}
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
