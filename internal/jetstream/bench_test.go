package jetstream

import (
	"testing"

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
