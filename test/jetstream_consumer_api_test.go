package test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestConsumerAPIErrors(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}, MaxConsumers: 2})
	// nats-server 2.15 accepts a filter that matches none of the stream's subjects.
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"filter_subject":"t.a","ack_policy":"explicit"}}`))
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.DELETE.S.X", ``))
	cases := []struct {
		name, subj, body string
		code             int
	}{
		{"ephemeral with durable", "$JS.API.CONSUMER.CREATE.S", `{"stream_name":"S","config":{"durable_name":"D","ack_policy":"explicit"}}`, 10020},
		{"durable not matching subject", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"durable_name":"D","ack_policy":"explicit"}}`, 10017},
		{"stream name mismatch", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"T","config":{"ack_policy":"explicit"}}`, 10056},
		{"missing stream", "$JS.API.CONSUMER.CREATE.NOPE.X", `{"stream_name":"NOPE","config":{"ack_policy":"explicit"}}`, 10059},
		{"filter mismatch", "$JS.API.CONSUMER.CREATE.S.X.s.a", `{"stream_name":"S","config":{"filter_subject":"s.b","ack_policy":"explicit"}}`, 10131},
		{"durable create without durable", "$JS.API.CONSUMER.DURABLE.CREATE.S.D", `{"stream_name":"S","config":{"ack_policy":"explicit"}}`, 10018},
		{"start seq with deliver all", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"opt_start_seq":3,"ack_policy":"explicit"}}`, 10094},
		{"heartbeat on pull", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"idle_heartbeat":1000000000,"ack_policy":"explicit"}}`, 10088},
		{"backoff longer than max deliver", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"backoff":[1000000000,2000000000],"max_deliver":1,"ack_policy":"explicit"}}`, 10116},
		{"update missing", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"ack_policy":"explicit"},"action":"update"}`, 10149},
		{"unknown field", "$JS.API.CONSUMER.CREATE.S.X", `{"stream_name":"S","config":{"bogus":1}}`, 10025},
		{"info missing consumer", "$JS.API.CONSUMER.INFO.S.NOPE", ``, 10014},
		{"delete missing consumer", "$JS.API.CONSUMER.DELETE.S.NOPE", ``, 10014},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, request(t, nc, tc.subj, tc.body), tc.code, "")
		})
	}
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.A", `{"stream_name":"S","config":{"durable_name":"A","ack_policy":"explicit"}}`))
	// Same config again with action create: fine; a different one: 10148.
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.A", `{"stream_name":"S","config":{"durable_name":"A","ack_policy":"explicit"},"action":"create"}`))
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.A", `{"stream_name":"S","config":{"durable_name":"A","ack_policy":"explicit","description":"x"},"action":"create"}`), 10148, "")
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.A", `{"stream_name":"S","config":{"durable_name":"A","ack_policy":"all"}}`), 10012, "ack policy can not be updated")
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.A", `{"stream_name":"S","config":{"durable_name":"A","ack_policy":"explicit","description":"x"}}`))
	wantOK(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S", `{"stream_name":"S","config":{"ack_policy":"explicit"}}`))
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.CREATE.S.C", `{"stream_name":"S","config":{"ack_policy":"explicit"}}`), 10026, "")
}

func TestConsumerNamesListDelete(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	for _, n := range []string{"B", "A", "C"} {
		if _, err := st.CreateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: n, AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: "s." + n}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	l := st.ConsumerNames(ctx(t))
	for n := range l.Name() {
		names = append(names, n)
	}
	if l.Err() != nil || len(names) != 3 || names[0] != "A" || names[2] != "C" {
		t.Fatalf("names %v, %v", names, l.Err())
	}
	infos := st.ListConsumers(ctx(t))
	n := 0
	for ci := range infos.Info() {
		n++
		if ci.Config.FilterSubject != "s."+ci.Name || ci.Config.AckWait.Seconds() != 30 || ci.Config.MaxAckPending != 1000 || ci.Config.MaxWaiting != 512 {
			t.Fatalf("info %+v", ci.Config)
		}
	}
	if n != 3 || infos.Err() != nil {
		t.Fatalf("list: %d, %v", n, infos.Err())
	}
	if err := st.DeleteConsumer(ctx(t), "B"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Consumer(ctx(t), "B"); err != jetstream.ErrConsumerNotFound {
		t.Fatalf("deleted consumer: %v", err)
	}
}

// TestConsumerInactiveThreshold: an idle consumer is deleted after its
// inactive_threshold, with the DELETED advisory.
func TestConsumerInactiveThreshold(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	adv, err := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.E")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Name: "E", AckPolicy: jetstream.AckExplicitPolicy,
		InactiveThreshold: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	next(t, adv)
	if _, err := st.Consumer(ctx(t), "E"); err != jetstream.ErrConsumerNotFound {
		t.Fatalf("idle consumer still there: %v", err)
	}
}

// TestConsumerReset: CONSUMER.RESET restarts delivery at a sequence.
func TestConsumerReset(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 5)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(4, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	r := request(t, nc, "$JS.API.CONSUMER.RESET.S.C", `{"seq":2}`)
	wantOK(t, r)
	if m := fetchOne(t, c); meta(t, m).Sequence.Stream != 2 {
		t.Fatalf("after reset got stream seq %d", meta(t, m).Sequence.Stream)
	}
	if _, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "N", AckPolicy: jetstream.AckExplicitPolicy, DeliverPolicy: jetstream.DeliverNewPolicy}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, request(t, nc, "$JS.API.CONSUMER.RESET.S.N", `{"seq":1}`), 10204, "invalid reset: not allowed")
}

// TestConsumerPause: a paused consumer delivers nothing until pause_until,
// then resumes by itself.
func TestConsumerPause(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	st := createStream(t, js, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	publishN(t, js, "s.a", 1)
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(300 * time.Millisecond)
	pr, err := js.PauseConsumer(ctx(t), "S", "C", until)
	if err != nil || !pr.Paused {
		t.Fatalf("pause: %+v %v", pr, err)
	}
	if ci := consumerInfo(t, c); !ci.Paused {
		t.Fatal("info does not say paused")
	}
	// A request made while paused is served once the pause ends.
	m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if time.Now().Before(until) {
		t.Fatal("delivered while paused")
	}
	_ = m.Ack()
}
