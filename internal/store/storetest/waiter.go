package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/store"
)

// waitLimit bounds how long the suite waits for a store's own goroutine; it
// is a deadline for failure, not a sleep.
const waitLimit = 20 * time.Second

// waiter records Done calls in the order they happen.
type waiter struct {
	mu     sync.Mutex
	calls  []uint64
	errs   []error
	want   int
	done   chan struct{}
	during func(seq uint64) // called inside Done, e.g. to read the store
}

func newWaiter(want int) *waiter { return &waiter{want: want, done: make(chan struct{})} }

func (w *waiter) Done(seq uint64, err error) {
	if w.during != nil {
		w.during(seq)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, seq)
	w.errs = append(w.errs, err)
	if len(w.calls) == w.want {
		close(w.done)
	}
}

func (w *waiter) wait(t *testing.T) {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(waitLimit):
		w.mu.Lock()
		defer w.mu.Unlock()
		t.Fatalf("%d of %d Done calls after %v", len(w.calls), w.want, waitLimit)
	}
}

// check verifies one Done per append, in sequence order, without errors.
func (w *waiter) check(t *testing.T, appended map[uint64]bool) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.calls) != len(appended) {
		t.Fatalf("%d Done calls for %d appends", len(w.calls), len(appended))
	}
	for i, seq := range w.calls {
		if !appended[seq] {
			t.Fatalf("Done(%d) for a sequence Append did not return", seq)
		}
		if i > 0 && seq <= w.calls[i-1] {
			t.Fatalf("Done(%d) after Done(%d): not in sequence order", seq, w.calls[i-1])
		}
		if w.errs[i] != nil {
			t.Fatalf("Done(%d, %v)", seq, w.errs[i])
		}
	}
}

func testWaiter(t *testing.T, open Opener) {
	t.Run("Sequential", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		w := newWaiter(100)
		appended := map[uint64]bool{}
		for range 100 {
			seq, err := h.s.Append("w", nil, []byte("x"), h.tick(time.Millisecond), 0, w)
			noErr(t, "Append", err)
			h.appended++
			appended[seq] = true
		}
		w.wait(t)
		w.check(t, appended)
	})
	t.Run("Concurrent", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		const writers, each = 8, 200
		w := newWaiter(writers * each)
		// Done reads the store while other appenders hold or want its lock.
		w.during = func(seq uint64) {
			if _, err := h.s.Load(seq); err != nil {
				t.Errorf("Load(%d) inside Done: %v", seq, err)
			}
		}
		var mu sync.Mutex
		appended := map[uint64]bool{}
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				for j := range each {
					seq, err := h.s.Append(fmt.Sprintf("w.%d", i), nil, []byte{byte(j)}, t0+int64(j), 0, w)
					if err != nil {
						t.Errorf("Append: %v", err)
						return
					}
					mu.Lock()
					appended[seq] = true
					mu.Unlock()
				}
			})
		}
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(waitLimit):
			h.closed = true // the store is stuck: skip the cleanup checks
			t.Fatal("concurrent appends with waiters that read the store did not finish: deadlock?")
		}
		h.appended += writers * each
		w.wait(t)
		w.check(t, appended)
		if st := h.s.State(); st.Msgs != writers*each || st.LastSeq != writers*each {
			t.Fatalf("state %+v", st)
		}
	})
	t.Run("DoneMayReadTheStore", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		w := newWaiter(20)
		w.during = func(seq uint64) {
			if _, err := h.s.Load(seq); err != nil {
				t.Errorf("Load(%d) inside Done: %v", seq, err)
			}
			_ = h.s.State()
		}
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			for range 20 {
				if _, err := h.s.Append("w", nil, nil, t0, 0, w); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		}()
		select {
		case <-finished:
		case <-time.After(waitLimit):
			h.closed = true // the store is stuck: skip the cleanup checks
			t.Fatal("Append blocked: Done was probably called with the store lock held")
		}
		h.appended += 20
		w.wait(t)
	})
	t.Run("NotCalledOnError", func(t *testing.T) {
		h := newHarness(t, open, store.Config{})
		h.closed = true
		noErr(t, "Close", h.s.Close())
		w := newWaiter(1)
		_, err := h.s.Append("w", nil, nil, t0, 0, w)
		wantErr(t, "Append after Close", err, store.ErrClosed)
		w.mu.Lock()
		defer w.mu.Unlock()
		if len(w.calls) != 0 {
			t.Fatalf("Done called %d times for a failed Append", len(w.calls))
		}
	})
}
