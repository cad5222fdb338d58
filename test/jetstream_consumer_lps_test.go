package test

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestConsumerLastPerSubjectRestart: a durable last_per_subject consumer
// restarted in the middle of its walk does not resume the walk: it goes on
// from the last sequence it delivered, so it also gets messages that were
// not the last of their subject. That is what nats-server 2.15.2 does
// (observed with this test), and holdfast follows it.
func TestConsumerLastPerSubjectRestart(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "L", Subjects: []string{"l.>"}})
	publishEach(t, js, 1, "l.b", "l.a", "l.c", "l.a", "l.c") // seqs 1-5
	// The walk is 1 (l.b), 4 (l.a), 5 (l.c).
	st, err := js.Stream(ctx(t), "L")
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "W", AckPolicy: jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverLastPerSubjectPolicy, FilterSubject: "l.>"})
	if err != nil {
		t.Fatal(err)
	}
	m := fetchOne(t, c)
	if seq := meta(t, m).Sequence.Stream; seq != 1 {
		t.Fatalf("first delivery: stream seq %d, want 1", seq)
	}
	if err := m.DoubleAck(ctx(t)); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	s = s.Restart()
	_, js = jsConnect(t, s)
	if _, err := js.Publish(ctx(t), "l.a", nil); err != nil { // seq 6, after the walk
		t.Fatal(err)
	}
	if st, err = js.Stream(ctx(t), "L"); err != nil {
		t.Fatal(err)
	}
	if c, err = st.Consumer(ctx(t), "W"); err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, m := range fetchN(t, c, 3) {
		got = append(got, meta(t, m).Sequence.Stream)
	}
	if len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("after the restart: stream seqs %v, want [2 3 4]", got)
	}
}

// TestConsumerLastPerSubjectNeedsFilter: nats-server 2.15.2 refuses a
// last_per_subject consumer without a filter subject (">" is accepted).
func TestConsumerLastPerSubjectNeedsFilter(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "L", Subjects: []string{"l.>"}})
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.L",
		`{"stream_name":"L","config":{"ack_policy":"explicit","deliver_policy":"last_per_subject"}}`), 10094,
		"consumer delivery policy is deliver last per subject, but optional filter subject is not set")
	for _, filter := range []string{`"filter_subject":">"`, `"filter_subjects":["l.a","l.b"]`} {
		wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.L",
			`{"stream_name":"L","config":{"ack_policy":"explicit","deliver_policy":"last_per_subject",`+filter+`}}`))
	}
}
