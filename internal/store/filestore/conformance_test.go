package filestore

import (
	"log/slog"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
	"github.com/holdfast-mq/holdfast/internal/store/storetest"
)

func conformanceOpts(t *testing.T) Options {
	// Small segments so that the suite crosses segment boundaries.
	return Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), SegmentSize: 2048}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg store.Config) store.Store {
		s, err := Open(t.TempDir(), cfg, conformanceOpts(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceDurable(t *testing.T) {
	storetest.RunDurable(t, func(t *testing.T, dir string, cfg store.Config) store.Store {
		s, err := Open(dir, cfg, conformanceOpts(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
