package jetstream

import (
	"bytes"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

func header(fields ...string) []byte {
	h := proto.AppendHeaderStart(nil, 0, "")
	for i := 0; i+1 < len(fields); i += 2 {
		h = proto.AppendHeaderField(h, fields[i], fields[i+1])
	}
	return proto.AppendHeaderEnd(h)
}

// TestRedriveHeaders: renamed originals come back except Nats-Msg-Id and
// Nats-Expected-*, the dead letter's own headers go, and the redrive adds
// its id and origin.
func TestRedriveHeaders(t *testing.T) {
	in := header("Holdfast-Dlq-Origin", "ORDERS/1/C/5/6", "Holdfast-Dlq-Reason", "manual", "X-Trace", "abc",
		"Holdfast-Dlq-Orig-Nats-Msg-Id", "order-1", "Holdfast-Dlq-Orig-Nats-Expected-Stream", "ORDERS",
		"Holdfast-Dlq-Orig-nats-expected-last-sequence", "4", "Holdfast-Dlq-Orig-Nats-TTL", "1m",
		"Holdfast-Redrive-Origin", "DLQ/1", "Holdfast-Dlq-Orig-Holdfast-Redrive-Task", "OLD")
	out := redriveHeaders(in, "hf-redrive-T-3", "DLQ/3", "T")
	want := header("X-Trace", "abc", "Nats-TTL", "1m", "Nats-Msg-Id", "hf-redrive-T-3",
		"Holdfast-Redrive-Origin", "DLQ/3", "Holdfast-Redrive-Task", "T")
	if !bytes.Equal(out, want) {
		t.Fatalf("headers\n%q\nwant\n%q", out, want)
	}
	if got := redriveHeaders(nil, "id", "DLQ/1", "T"); !bytes.Equal(got, header("Nats-Msg-Id", "id", "Holdfast-Redrive-Origin", "DLQ/1", "Holdfast-Redrive-Task", "T")) {
		t.Fatalf("no headers: %q", got)
	}
}

// TestRedriveFilter checks each filter field against one dead letter.
func TestRedriveFilter(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	m := &store.Msg{Seq: 9, Header: header(dlqHdrOrigin, "ORDERS/7/C/5/6", dlqHdrStream, "ORDERS", dlqHdrConsumer, "C",
		dlqHdrReason, "terminated", dlqHdrSubject, "orders.eu.new", dlqHdrSequence, "7", dlqHdrTime, at.Format(time.RFC3339Nano))}
	d, ok := readDeadLetter(m)
	if !ok || d.seq != 7 || d.created != 5 || !d.at.Equal(at) {
		t.Fatalf("readDeadLetter = %+v, %v", d, ok)
	}
	before, after := at.Add(-time.Second), at.Add(time.Second)
	tests := []struct {
		name string
		f    redriveFilter
		want bool
	}{
		{"empty", redriveFilter{}, true},
		{"all fields", redriveFilter{Stream: "ORDERS", Consumer: "C", Reason: "terminated", Subject: "orders.*.new", SeqFrom: 7, SeqTo: 7, Since: &at}, true},
		{"other stream", redriveFilter{Stream: "X"}, false},
		{"other consumer", redriveFilter{Consumer: "D"}, false},
		{"other reason", redriveFilter{Reason: "manual"}, false},
		{"subject", redriveFilter{Subject: "orders.us.>"}, false},
		{"full wildcard", redriveFilter{Subject: "orders.>"}, true},
		{"below range", redriveFilter{SeqFrom: 8}, false},
		{"above range", redriveFilter{SeqTo: 6}, false},
		{"since before", redriveFilter{Since: &before}, true},
		{"since after", redriveFilter{Since: &after}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.matches(d); got != tc.want {
				t.Fatalf("matches = %v, want %v", got, tc.want)
			}
		})
	}
	if _, ok := readDeadLetter(&store.Msg{Seq: 1, Header: header("X", "y")}); ok {
		t.Fatal("a message without Holdfast-Dlq-Origin read as a dead letter")
	}
}

// FuzzRedriveHeaders: any header block gives a well-formed one that keeps
// the redrive's own fields.
func FuzzRedriveHeaders(f *testing.F) {
	f.Add(header("Holdfast-Dlq-Orig-Nats-Msg-Id", "a", "X", "y"))
	f.Add([]byte("NATS/1.0\r\nbroken\r\n:\r\n\r\n"))
	f.Add([]byte("NATS/1.0 503\r\n\r\n"))
	f.Fuzz(func(t *testing.T, hdr []byte) {
		out := redriveHeaders(hdr, "hf-redrive-T-1", "DLQ/1", "T")
		if !bytes.HasPrefix(out, []byte("NATS/1.0\r\n")) || !bytes.HasSuffix(out, []byte("\r\n\r\n")) {
			t.Fatalf("malformed %q", out)
		}
		if string(proto.HeaderGet(out, redriveHdrTask)) != "T" || string(proto.HeaderGet(out, redriveHdrOrigin)) != "DLQ/1" {
			t.Fatalf("redrive fields lost in %q", out)
		}
	})
}
