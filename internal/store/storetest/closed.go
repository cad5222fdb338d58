package storetest

import (
	"testing"

	"github.com/holdfast-mq/holdfast/internal/store"
)

func testClosed(t *testing.T, open Opener) {
	for _, how := range []string{"Close", "Destroy"} {
		t.Run(how, func(t *testing.T) {
			h := newHarness(t, open, store.Config{})
			h.addN("a", 3)
			h.closed = true
			if how == "Close" {
				noErr(t, how, h.s.Close())
			} else {
				noErr(t, how, h.s.Destroy())
			}
			_, err := h.s.Append("a", nil, nil, t0, 0, nil)
			wantErr(t, "Append", err, store.ErrClosed)
			_, err = h.s.Load(1)
			wantErr(t, "Load", err, store.ErrClosed)
			_, err = h.s.LoadNext("", 1)
			wantErr(t, "LoadNext", err, store.ErrClosed)
			_, err = h.s.LoadPrev("", 3)
			wantErr(t, "LoadPrev", err, store.ErrClosed)
			_, err = h.s.LoadLast("a")
			wantErr(t, "LoadLast", err, store.ErrClosed)
			_, err = h.s.Delete(1, false, store.ReasonDelete)
			wantErr(t, "Delete", err, store.ErrClosed)
			_, err = h.s.Purge(store.PurgeOpts{})
			wantErr(t, "Purge", err, store.ErrClosed)
			_, err = h.s.Compact(2)
			wantErr(t, "Compact", err, store.ErrClosed)
			wantErr(t, "Truncate", h.s.Truncate(1), store.ErrClosed)
			_, err = h.s.Expire(t0)
			wantErr(t, "Expire", err, store.ErrClosed)
			wantErr(t, "UpdateConfig", h.s.UpdateConfig(store.Config{}), store.ErrClosed)
			wantErr(t, "Sync", h.s.Sync(), store.ErrClosed)
			_, err = h.s.ConsumerStore("c")
			wantErr(t, "ConsumerStore", err, store.ErrClosed)
			wantErr(t, "second Close", h.s.Close(), store.ErrClosed)
		})
	}
	t.Run("ConsumerAfterStoreClose", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		cs, err := h.s.ConsumerStore("c")
		noErr(t, "ConsumerStore", err)
		h.closed = true
		noErr(t, "Close", h.s.Close())
		wantErr(t, "UpdateDelivered after the store closed", cs.UpdateDelivered(1, 1, 1, 0), store.ErrClosed)
	})
}
