package test

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestPurgeMovesCoveredConsumers: a purge with a subject filter moves the
// consumers whose filter it covers to just below the first message left
// that they match, and leaves the others where they are (RETENTION.md
// §6.1). Stream P holds p.a at 1, 3, 5 and p.b at 2, 4, 6; consumer A
// (filter p.a) has fetched 1 and 3, C (filter p.b) has fetched 2, all
// unacknowledged. Every expectation was recorded from nats-server 2.15.2.
func TestPurgeMovesCoveredConsumers(t *testing.T) {
	type state struct {
		delivered, floor       uint64 // stream sequences
		ackPending, numPending int
	}
	cases := []struct {
		name string
		opts []jetstream.StreamPurgeOpt
		a, c state
	}{
		{"filter p.a", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject("p.a")},
			state{6, 6, 0, 0}, state{2, 0, 1, 2}},
		{"filter p.a keep 1", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject("p.a"), jetstream.WithPurgeKeep(1)},
			state{4, 4, 0, 1}, state{2, 0, 1, 2}},
		{"filter p.a below 4", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject("p.a"), jetstream.WithPurgeSequence(4)},
			state{4, 4, 0, 1}, state{2, 0, 1, 2}},
		{"filter p.b", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject("p.b")},
			state{3, 0, 2, 1}, state{6, 6, 0, 0}},
		{"filter p.>", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject("p.>")},
			state{6, 6, 0, 0}, state{6, 6, 0, 0}},
		{"below 4, no filter", []jetstream.StreamPurgeOpt{jetstream.WithPurgeSequence(4)},
			state{3, 3, 0, 1}, state{3, 3, 0, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := jsServer(t)
			_, js := jsConnect(t, s)
			st := createStream(t, js, jetstream.StreamConfig{Name: "P", Subjects: []string{"p.>"}})
			cons := map[string]jetstream.Consumer{}
			for name, filter := range map[string]string{"A": "p.a", "C": "p.b"} {
				c, err := st.CreateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: name,
					AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: filter})
				if err != nil {
					t.Fatal(err)
				}
				cons[name] = c
			}
			publishEach(t, js, 3, "p.a", "p.b")
			fetchN(t, cons["A"], 2)
			fetchN(t, cons["C"], 1)
			if err := st.Purge(ctx(t), tc.opts...); err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]state{"A": tc.a, "C": tc.c} {
				ci, err := cons[name].Info(ctx(t))
				if err != nil {
					t.Fatal(err)
				}
				got := state{ci.Delivered.Stream, ci.AckFloor.Stream, ci.NumAckPending, int(ci.NumPending)}
				if got != want {
					t.Errorf("consumer %s: got %+v, want %+v", name, got, want)
				}
			}
		})
	}
}
