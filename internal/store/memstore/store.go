package memstore

import (
	"strings"
	"sync"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// Store is an in-memory store.Store. All methods are safe for concurrent use.
type Store struct {
	// cache remembers wildcard matches per generation of the subject set.
	cache matchCache

	// done queues Waiter.Done calls in sequence order; see waiter.go.
	done doneQueue

	mu struct {
		sync.RWMutex
		// closed is set by Close and Destroy; every other field is then unused.
		closed bool
		cfg    store.Config

		// msgs holds the live messages by sequence.
		msgs map[uint64]*msg
		// subjects indexes live sequences per subject; an entry is removed
		// with its last message.
		subjects map[string]*subjectIndex
		// subjectGen changes whenever a subject is added to or removed from
		// subjects, invalidating the match cache.
		subjectGen uint64

		first    uint64 // State.FirstSeq: first live sequence, or last+1 when empty
		last     uint64 // State.LastSeq: highest sequence ever assigned
		lastTime int64  // time of the last assigned sequence
		bytes    uint64 // sum of msg.size over msgs

		// ttls is a min-heap of per-message expiries; entries of messages that
		// left early are dropped lazily. ttlLive counts the live ones.
		ttls    store.TTLHeap
		heldTTL []store.TTLEntry // taken from ttls while Config.Hold kept the message
		ttlLive int
		// ageCursor is where the next max_age walk starts: every live message
		// below it has TTL -1 (never expires).
		ageCursor uint64

		// consumers holds consumer state by name for the life of the store.
		consumers map[string]*consumerState
	}
}

var _ store.Store = (*Store)(nil)

// New returns an empty store with the given configuration.
func New(cfg store.Config) *Store {
	s := &Store{}
	s.mu.cfg = cfg
	s.mu.msgs = make(map[uint64]*msg)
	s.mu.subjects = make(map[string]*subjectIndex)
	s.mu.consumers = make(map[string]*consumerState)
	if cfg.FirstSeq > 0 {
		// A never-written store with no configured first sequence reports
		// first_seq 0 (JETSTREAM-API.md §8); otherwise it is empty at FirstSeq.
		s.mu.first, s.mu.last = cfg.FirstSeq, cfg.FirstSeq-1
	}
	return s
}

// Append implements store.Store.
func (s *Store) Append(subj string, hdr, data []byte, now int64, ttl int64, w store.Waiter) (uint64, error) {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return 0, store.ErrClosed
	}
	seq := s.appendLocked(subj, hdr, data, now, ttl)
	if w != nil {
		s.done.push(w, seq) // under mu, so the queue is in sequence order
	}
	s.mu.Unlock()
	if w != nil {
		s.done.drain()
	}
	return seq, nil
}

func (s *Store) appendLocked(subj string, hdr, data []byte, now, ttl int64) uint64 {
	si := s.mu.subjects[subj]
	if si == nil {
		// Clone: subj may point into a larger buffer we must not retain.
		si = &subjectIndex{name: strings.Clone(subj)}
		s.mu.subjects[si.name] = si
		s.mu.subjectGen++
	}
	seq := s.mu.last + 1
	m := newMsg(si, hdr, data, seq, now, ttl)
	if len(s.mu.msgs) == 0 {
		s.mu.first = seq
	}
	s.mu.msgs[seq] = m
	si.seqs = append(si.seqs, seq)
	s.mu.last, s.mu.lastTime = seq, now
	s.mu.bytes += m.size()
	if m.expires() != 0 {
		s.pushTTLLocked(m)
	}
	s.enforceSubjectLocked(si)
	s.enforceTotalsLocked()
	return seq
}

// State implements store.Store.
func (s *Store) State() store.State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := store.State{
		Msgs:        uint64(len(s.mu.msgs)),
		Bytes:       s.mu.bytes,
		FirstSeq:    s.mu.first,
		LastSeq:     s.mu.last,
		LastTime:    s.mu.lastTime,
		NumSubjects: uint64(len(s.mu.subjects)),
	}
	if m := s.mu.msgs[s.mu.first]; m != nil {
		st.FirstTime = m.time
		st.NumDeleted = s.mu.last - s.mu.first + 1 - st.Msgs
	}
	return st
}

// Deleted implements store.Store.
func (s *Store) Deleted() []uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.mu.msgs) == 0 {
		return nil
	}
	var out []uint64
	for seq := s.mu.first; seq <= s.mu.last; seq++ {
		if _, ok := s.mu.msgs[seq]; !ok {
			out = append(out, seq)
		}
	}
	return out
}

// Sync implements store.Store; memory has nothing to sync.
func (s *Store) Sync() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mu.closed {
		return store.ErrClosed
	}
	return nil
}

// Close implements store.Store. Messages and consumer state are dropped.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return store.ErrClosed
	}
	s.mu.closed = true
	for _, cs := range s.mu.consumers {
		cs.close()
	}
	s.mu.msgs, s.mu.subjects, s.mu.consumers, s.mu.ttls = nil, nil, nil, nil
	return nil
}

// Destroy implements store.Store; for memory it is Close.
func (s *Store) Destroy() error {
	if err := s.Close(); err != nil && err != store.ErrClosed {
		return err
	}
	return nil
}
