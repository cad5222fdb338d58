package memstore_test

import (
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/store/memstore"
	"github.com/holdfast-mq/holdfast/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg store.Config) store.Store { return memstore.New(cfg) })
}

// FuzzModel compares memstore with the reference model for fuzzer-chosen seeds.
func FuzzModel(f *testing.F) {
	for _, seed := range []uint64{1, 3, 7, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		storetest.RunModel(t, func(t *testing.T, cfg store.Config) store.Store { return memstore.New(cfg) }, seed, 1000)
	})
}
