package test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestJetStreamConcurrentPublishers runs publishers on several connections
// (with duplicate ids) alongside API readers, and checks that every
// message is stored exactly once and every PubAck arrived.
func TestJetStreamConcurrentPublishers(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "CC", Subjects: []string{"cc.>"}, AllowDirect: true})
	const workers, each = 6, 300
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	for w := range workers {
		_, pjs := jsConnect(t, s)
		wg.Go(func() {
			var futures []jetstream.PubAckFuture
			for i := range each {
				// Worker pairs share ids: w and w^1 publish the same ids.
				id := fmt.Sprintf("%d-%d", w/2, i)
				f, err := pjs.PublishAsync(fmt.Sprintf("cc.%d", w), []byte(id), jetstream.WithMsgID(id))
				if err != nil {
					errs <- err
					return
				}
				futures = append(futures, f)
			}
			for _, f := range futures {
				select {
				case <-f.Ok():
				case err := <-f.Err():
					errs <- err
					return
				case <-time.After(10 * time.Second):
					errs <- fmt.Errorf("worker %d: PubAck missing", w)
					return
				}
			}
		})
	}
	wg.Go(func() {
		st, err := js.Stream(ctx(t), "CC")
		if err != nil {
			errs <- err
			return
		}
		for range 50 {
			if _, err := st.Info(ctx(t), jetstream.WithSubjectFilter(">")); err != nil {
				errs <- err
				return
			}
			if _, err := st.GetLastMsgForSubject(ctx(t), "cc.*"); err != nil && err != jetstream.ErrMsgNotFound {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx(t), "CC")
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().State.Msgs; got != workers/2*each {
		t.Fatalf("stored %d messages, want %d", got, workers/2*each)
	}
}
