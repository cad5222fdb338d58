package jetstream

import (
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
)

// discard is a reply subscriber that drops what it gets.
type discard struct{}

func (discard) Deliver(*broker.Subscription, []byte, []byte, []byte, []byte) {}

// benchPublish measures the publish path into a stream, PubAck included:
// header checks, append, ack encoding and delivery.
func benchPublish(b *testing.B, storage string, hdr []byte) {
	tj := newTestJS(b, nil)
	tj.start(b)
	tj.create(b, `{"name":"B","subjects":["b"],"storage":"`+storage+`"}`)
	if err := tj.b.Subscribe(&broker.Subscription{Subject: "_ACK", Owner: discard{}}); err != nil {
		b.Fatal(err)
	}
	subj, reply, data := []byte("b"), []byte("_ACK"), make([]byte, 128)
	b.ReportAllocs()
	for b.Loop() {
		tj.b.Publish(nil, subj, reply, hdr, data)
	}
}

func BenchmarkPublishMemory(b *testing.B) { benchPublish(b, "memory", nil) }

func BenchmarkPublishMemoryExpectStream(b *testing.B) {
	hdr := proto.AppendHeaderEnd(proto.AppendHeaderField(proto.AppendHeaderStart(nil, 0, ""), jsapi.ExpectedStreamHeader, "B"))
	benchPublish(b, "memory", hdr)
}

// BenchmarkPublishFile measures the append side; its PubAcks leave from the
// flusher once fsynced, outside the loop.
func BenchmarkPublishFile(b *testing.B) { benchPublish(b, "file", nil) }

// counter is a reply subscriber that counts deliveries.
type counter struct{ n int }

func (c *counter) Deliver(_ *broker.Subscription, _, reply, _, _ []byte) {
	if len(reply) > 0 { // a message, not a status
		c.n++
	}
}

// benchConsume measures pull delivery from a file stream: b.N messages are
// stored beforehand, then fetched in batches of 100 by one pull consumer
// (ack policy as given; explicit acks are sent for every message, the way
// `nats bench js consume` acks). ns/op is per delivered message.
func benchConsume(b *testing.B, ackPolicy string) {
	tj := newTestJS(b, func(o *Options) { o.SyncInterval = time.Minute })
	tj.start(b)
	tj.create(b, `{"name":"B","subjects":["b"],"storage":"file"}`)
	if err := tj.b.Subscribe(&broker.Subscription{Subject: "_ACK", Owner: discard{}}); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 128)
	for range b.N {
		tj.b.Publish(nil, []byte("b"), nil, nil, data)
	}
	var resp jsapi.ConsumerCreateResponse
	tj.api(b, "$JS.API.CONSUMER.CREATE.B.C", `{"stream_name":"B","config":{"name":"C","ack_policy":"`+ackPolicy+`","ack_wait":3600000000000}}`, &resp)
	if resp.Error != nil {
		b.Fatal(resp.Error)
	}
	got := &counter{}
	acker := &acks{b: tj.b, on: ackPolicy != "none"}
	if err := tj.b.Subscribe(&broker.Subscription{Subject: "_PULL", Owner: multi{got, acker}}); err != nil {
		b.Fatal(err)
	}
	next, reply, req := []byte("$JS.API.CONSUMER.MSG.NEXT.B.C"), []byte("_PULL"), []byte(`{"batch":100,"no_wait":true}`)
	b.ReportAllocs()
	b.ResetTimer()
	for got.n < b.N {
		before := got.n
		tj.b.Publish(nil, next, reply, nil, req)
		if got.n == before {
			b.Fatalf("delivered %d of %d", got.n, b.N)
		}
	}
}

// acks acknowledges every delivery it sees (explicit ack policy).
type acks struct {
	b  *broker.Broker
	on bool
}

func (a *acks) Deliver(_ *broker.Subscription, _, reply, _, _ []byte) {
	if a.on && len(reply) > 0 {
		a.b.Publish(nil, reply, nil, nil, nil)
	}
}

// multi delivers to several subscribers in turn.
type multi []broker.Subscriber

func (m multi) Deliver(s *broker.Subscription, subj, reply, hdr, data []byte) {
	for _, x := range m {
		x.Deliver(s, subj, reply, hdr, data)
	}
}

func BenchmarkConsumeAckNone(b *testing.B)     { benchConsume(b, "none") }
func BenchmarkConsumeAckExplicit(b *testing.B) { benchConsume(b, "explicit") }
