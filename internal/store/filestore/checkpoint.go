package filestore

func (s *Store) writeCheckpoint() error { return nil }

func (s *Store) maybeCompact() {}
