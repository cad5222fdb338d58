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
