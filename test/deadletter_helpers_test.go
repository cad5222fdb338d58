package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// dlqSetup is a source stream, an opted-in dead-letter stream and a
// consumer of the source with a dead-letter config in its metadata.
type dlqSetup struct {
	s   *servertest.Server
	nc  *nats.Conn
	js  jetstream.JetStream
	src jetstream.Stream
	dlq jetstream.Stream
	c   jetstream.Consumer
}

// dlqStreamConfig is a stream that accepts dead letters from every stream.
func dlqStreamConfig(name string) jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: name, Subjects: []string{"$DLQ.>"}, Storage: jetstream.FileStorage,
		Metadata: map[string]string{"holdfast.dlq.accept": "*"}}
}

func newDLQSetup(t *testing.T, retention jetstream.RetentionPolicy, cc jetstream.ConsumerConfig) *dlqSetup {
	t.Helper()
	if servertest.External() {
		t.Skip("dead-letter queues are holdfast only")
	}
	return newDLQSetupOn(t, jsServer(t), retention, cc)
}

// newDLQSetupOn is newDLQSetup on a given server.
func newDLQSetupOn(t *testing.T, s *servertest.Server, retention jetstream.RetentionPolicy, cc jetstream.ConsumerConfig) *dlqSetup {
	t.Helper()
	d := &dlqSetup{s: s}
	d.connect(t)
	d.src = createStream(t, d.js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"},
		Retention: retention, Storage: jetstream.FileStorage})
	d.dlq = createStream(t, d.js, dlqStreamConfig("DLQ"))
	if cc.Metadata == nil {
		cc.Metadata = map[string]string{}
	}
	if _, ok := cc.Metadata["holdfast.dlq.stream"]; !ok {
		cc.Metadata["holdfast.dlq.stream"] = "DLQ"
	}
	var err error
	if d.c, err = d.src.CreateOrUpdateConsumer(ctx(t), cc); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *dlqSetup) connect(t *testing.T) {
	t.Helper()
	d.nc, d.js = jsConnect(t, d.s)
}

// restart restarts the server and reconnects.
func (d *dlqSetup) restart(t *testing.T) {
	t.Helper()
	d.nc.Close()
	d.s = d.s.Restart()
	d.connect(t)
	var err error
	if d.src, err = d.js.Stream(ctx(t), "ORDERS"); err != nil {
		t.Fatal(err)
	}
	if d.c, err = d.src.Consumer(ctx(t), "C"); err != nil {
		t.Fatal(err)
	}
	d.dlq, _ = d.js.Stream(ctx(t), "DLQ") // nil when it does not exist
}

// watch subscribes to a holdfast dead-letter advisory of ORDERS/C.
func (d *dlqSetup) watch(t *testing.T, kind string) *nats.Subscription {
	t.Helper()
	sub, err := d.nc.SubscribeSync("$HF.EVENT.ADVISORY.DLQ." + kind + ".ORDERS.C")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return sub
}

// dlqAdvisory is the union of the dead-letter advisories' fields.
type dlqAdvisory struct {
	Type             string `json:"type"`
	Stream           string `json:"stream"`
	Consumer         string `json:"consumer"`
	StreamSeq        uint64 `json:"stream_seq"`
	Reason           string `json:"reason"`
	Deliveries       uint64 `json:"deliveries"`
	DeadLetterStream string `json:"dead_letter_stream"`
	DeadLetterSeq    uint64 `json:"dead_letter_seq"`
	Error            string `json:"error"`
	Pending          int    `json:"pending"`
	Ack              string `json:"ack"`
}

func nextAdvisory(t *testing.T, sub *nats.Subscription) dlqAdvisory {
	t.Helper()
	m, err := sub.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatalf("advisory on %s: %v", sub.Subject, err)
	}
	var a dlqAdvisory
	if err := json.Unmarshal(m.Data, &a); err != nil {
		t.Fatalf("advisory %s: %v", m.Data, err)
	}
	return a
}

// dlqInfo is the holdfast part of CONSUMER.INFO.
type dlqInfo struct {
	Config struct {
		DeadLetter *struct {
			Stream        string   `json:"stream"`
			SubjectPrefix string   `json:"subject_prefix"`
			On            []string `json:"on"`
			History       int      `json:"history"`
		} `json:"dead_letter"`
		NakBackoff []time.Duration   `json:"nak_backoff"`
		Metadata   map[string]string `json:"metadata"`
	} `json:"config"`
	NumAckPending        int               `json:"num_ack_pending"`
	NumParked            int               `json:"num_parked"`
	NumDeadLetterPending int               `json:"num_dead_letter_pending"`
	DeadLettered         map[string]uint64 `json:"dead_lettered"`
	raw                  []byte
}

func consumerDLQInfo(t *testing.T, nc *nats.Conn, stream, consumer string) dlqInfo {
	t.Helper()
	r := request(t, nc, "$JS.API.CONSUMER.INFO."+stream+"."+consumer, "")
	wantOK(t, r)
	var ci dlqInfo
	if err := json.Unmarshal(r.raw, &ci); err != nil {
		t.Fatal(err)
	}
	ci.raw = r.raw
	return ci
}

// noNext checks that a consumer has nothing to deliver now.
func noNext(t *testing.T, c jetstream.Consumer) {
	t.Helper()
	batch, err := c.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	for m := range batch.Messages() {
		md, _ := m.Metadata()
		t.Fatalf("unexpected delivery of stream seq %d", md.Sequence.Stream)
	}
}
