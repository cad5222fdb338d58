package jsapi

import (
	"encoding/json"
	"testing"
)

func BenchmarkPubAckAppendJSON(b *testing.B) {
	a := PubAck{Stream: "ORDERS", Sequence: 123456}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendJSON(buf[:0])
	}
}

func BenchmarkParseAckSubject(b *testing.B) {
	const subj = "$JS.ACK.ORDERS.C1.1.123456.123457.1795601120344492620.42"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAckSubject(subj); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewError(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = NewError(JSStreamWrongLastSequenceErrF, "seq", "42")
	}
}

func BenchmarkDecodeNextRequest(b *testing.B) {
	body := []byte(`{"expires":30000000000,"batch":500,"idle_heartbeat":5000000000}`)
	b.ReportAllocs()
	for b.Loop() {
		var r NextRequest
		if err := DecodeLenient(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalConsumerInfo(b *testing.B) {
	ci := fullConsumerInfo()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&ci); err != nil {
			b.Fatal(err)
		}
	}
}
