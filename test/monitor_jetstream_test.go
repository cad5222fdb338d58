package test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

type jszStreams struct {
	Streams  int    `json:"streams"`
	Messages uint64 `json:"messages"`
	Accounts []struct {
		Name    string `json:"name"`
		Streams []struct {
			Name  string `json:"name"`
			State struct {
				Msgs     uint64 `json:"messages"`
				FirstSeq uint64 `json:"first_seq"`
				LastSeq  uint64 `json:"last_seq"`
			} `json:"state"`
			Removed map[string]uint64 `json:"removed"`
		} `json:"stream_detail"`
	} `json:"account_details"`
}

// TestMonitorJetStreamRemovals publishes into a stream with limits, deletes
// and purges, and checks /jsz and /metrics: every message that left the
// stream is counted under its reason, and published = stored + removed.
func TestMonitorJetStreamRemovals(t *testing.T) {
	if servertest.External() {
		t.Skip("removal accounting is holdfast's own /jsz field")
	}
	s := monitored(t, func(o *server.Options) { o.JetStream = true })
	js, err := jetstream.New(connect(t, s))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, MaxMsgs: 20, MaxMsgsPerSubject: 8}); err != nil {
		t.Fatal(err)
	}
	const published = 40
	for i := range published {
		subj := "orders.a"
		if i%2 == 1 {
			subj = "orders.b"
		}
		if _, err := js.Publish(ctx, subj, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	str, _ := js.Stream(ctx, "ORDERS")
	info, _ := str.Info(ctx)
	if err := str.DeleteMsg(ctx, info.State.LastSeq); err != nil {
		t.Fatal(err)
	}
	if err := str.Purge(ctx, jetstream.WithPurgeSubject("orders.a")); err != nil {
		t.Fatal(err)
	}

	var jz jszStreams
	getJSON(t, s, "/jsz?streams=true", &jz)
	if jz.Streams != 1 || len(jz.Accounts) != 1 || len(jz.Accounts[0].Streams) != 1 {
		t.Fatalf("/jsz: %+v", jz)
	}
	st := jz.Accounts[0].Streams[0]
	removed := st.Removed
	var total uint64
	for _, n := range removed {
		total += n
	}
	if st.Name != "ORDERS" || st.State.Msgs+total != published {
		t.Fatalf("stored %d + removed %v != published %d", st.State.Msgs, removed, published)
	}
	// 40 messages, 20 per subject, 8 kept per subject: 12+12 by the
	// per-subject limit; one deleted (orders.b); orders.a's 8 purged.
	if removed["max_per_subject"] != 24 || removed["delete_api"] != 1 || removed["purge"] != 8 || st.State.Msgs != 7 {
		t.Fatalf("removed %v, stored %d", removed, st.State.Msgs)
	}

	// A consumer that NAKs its only delivery parks the message (max_deliver 1).
	cons, err := str.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "audit", MaxDeliver: 1, AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := msg.NakWithDelay(0); err != nil {
		t.Fatal(err)
	}
	ci, err := cons.Info(ctx) // the NAK has been applied once info answers
	if err != nil || ci.NumAckPending != 0 {
		t.Fatalf("consumer info %+v, %v", ci, err)
	}

	code, _, body := fetch(t, s, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`holdfast_stream_messages{account="$G",stream="ORDERS"} 7`,
		`holdfast_stream_removed_messages_total{account="$G",reason="max_per_subject",stream="ORDERS"} 24`,
		`holdfast_stream_consumers{account="$G",stream="ORDERS"} 1`,
		`holdfast_consumer_parked_messages{account="$G",consumer="audit",stream="ORDERS"} 1`,
		`holdfast_consumer_pending_messages{account="$G",consumer="audit",stream="ORDERS"} 6`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The file stream's group commits: every PubAck came after an fsync.
	for _, name := range []string{"holdfast_store_fsyncs_total", "holdfast_store_commit_batch_messages_count", "holdfast_store_written_bytes_total"} {
		if v := metricValue(t, string(body), name); v < 1 {
			t.Errorf("%s = %v, want > 0", name, v)
		}
	}
	if v := metricValue(t, string(body), "holdfast_store_commit_batch_messages_sum"); v < published {
		t.Errorf("commit batches made %v appends durable, want at least the %d publishes", v, published)
	}
	if code, _, body := fetch(t, s, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz with JetStream: %d %s", code, body)
	}
}

// metricValue returns the value of an unlabelled series in Prometheus text.
func metricValue(t *testing.T, body, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("metric %s missing", name)
	return 0
}

// TestMonitorRemovalLastConsumerDeleted deletes the only consumer of an
// interest stream: the stream drops every message, as nats-server does, and
// /jsz counts them under consumer_deleted, the reason they left, not purge.
func TestMonitorRemovalLastConsumerDeleted(t *testing.T) {
	if servertest.External() {
		t.Skip("removal accounting is holdfast's own /jsz field")
	}
	s := monitored(t, func(o *server.Options) { o.JetStream = true })
	js, err := jetstream.New(connect(t, s))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	str, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}, Retention: jetstream.InterestPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := str.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "only", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	const published = 5
	for range published {
		if _, err := js.Publish(ctx, "events.x", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := str.DeleteConsumer(ctx, "only"); err != nil {
		t.Fatal(err)
	}
	var jz jszStreams
	getJSON(t, s, "/jsz?streams=true", &jz)
	if len(jz.Accounts) != 1 || len(jz.Accounts[0].Streams) != 1 {
		t.Fatalf("/jsz: %+v", jz)
	}
	st := jz.Accounts[0].Streams[0]
	if st.State.Msgs != 0 || st.Removed["consumer_deleted"] != published || st.Removed["purge"] != 0 {
		t.Fatalf("stored %d, removed %v; want 0 stored and %d consumer_deleted", st.State.Msgs, st.Removed, published)
	}
}
