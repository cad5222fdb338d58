package filestore

import "github.com/holdfast-mq/holdfast/internal/store"

type consumerStore struct{}

func (c *consumerStore) Close() error { return nil }

// ConsumerStore implements store.Store.
func (s *Store) ConsumerStore(name string) (store.ConsumerStore, error) { return nil, nil }

func (s *Store) writeCheckpoint() error { return nil }

func (s *Store) maybeCompact() {}
