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

// TestConformance runs the suite on the in-memory FS (the OS FS costs real
// fsyncs, which make the suite slow under -race); TestConformanceOS and
// TestConformanceDurable use the OS.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg store.Config) store.Store {
		opts := conformanceOpts(t)
		opts.FS = newMemFS()
		s, err := Open("/db", cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceCompressed runs the suite with s2 compression forced on.
func TestConformanceCompressed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg store.Config) store.Store {
		opts := conformanceOpts(t)
		opts.FS = newMemFS()
		cfg.Compress = true
		s, err := Open("/db", cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceOS(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("real fsyncs under -race take over a minute; run without -race")
	}
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
