package storetest_test

import (
	"sync"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/store/memstore"
	"github.com/holdfast-mq/holdfast/internal/store/storetest"
)

// reopenable makes a memstore look durable so that RunDurable's own cases can
// be checked: Close only detaches the handle, and opening the same dir again
// returns the same memstore.
type reopenable struct {
	*memstore.Store
	dirs *dirs
	dir  string
}

func (r *reopenable) Close() error { return nil }

func (r *reopenable) Destroy() error {
	r.dirs.mu.Lock()
	delete(r.dirs.m, r.dir)
	r.dirs.mu.Unlock()
	return r.Store.Destroy()
}

type dirs struct {
	mu sync.Mutex
	m  map[string]*memstore.Store
}

func (d *dirs) open(t *testing.T, dir string, cfg store.Config) store.Store {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.m[dir]
	if s == nil {
		s = memstore.New(cfg)
		d.m[dir] = s
	} else if err := s.UpdateConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return &reopenable{Store: s, dirs: d, dir: dir}
}

func TestRunDurableOnFakeDurableStore(t *testing.T) {
	d := &dirs{m: map[string]*memstore.Store{}}
	storetest.RunDurable(t, d.open)
}
