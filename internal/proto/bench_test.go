package proto

import (
	"bytes"
	"testing"
)

var nopHandler = HandlerFunc(func(*Op) error { return nil })

func benchParse(b *testing.B, side Side, chunks ...[]byte) {
	p := NewParser(side, Limits{})
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range chunks {
			if err := p.Parse(c, nopHandler); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParsePub128(b *testing.B) {
	benchParse(b, ServerSide, AppendPub(nil, []byte("foo.bar.baz"), nil, bytes.Repeat([]byte("x"), 128)))
}

func BenchmarkParsePub128Reply(b *testing.B) {
	benchParse(b, ServerSide, AppendPub(nil, []byte("foo.bar.baz"), []byte("_INBOX.abcdefghijklmnop.1"), bytes.Repeat([]byte("x"), 128)))
}

func BenchmarkParseHPub(b *testing.B) {
	hdr := AppendHeaderEnd(AppendHeaderField(AppendHeaderStart(nil, 0, ""), "Nats-Msg-Id", "abcdef"))
	benchParse(b, ServerSide, AppendHPub(nil, []byte("foo.bar"), nil, len(hdr), append(hdr, bytes.Repeat([]byte("x"), 128)...)))
}

func BenchmarkParseMsg(b *testing.B) {
	benchParse(b, ClientSide, AppendMsg(nil, []byte("foo.bar.baz"), []byte("_INBOX.x"), []byte("42"), bytes.Repeat([]byte("x"), 128)))
}

func BenchmarkParseHMsg(b *testing.B) {
	hdr := AppendStatusHeader(nil, 100, "Idle Heartbeat")
	benchParse(b, ClientSide, AppendHMsg(nil, []byte("foo.bar.baz"), nil, []byte("42"), len(hdr), hdr))
}

// BenchmarkParseSplit parses a 128-byte PUB cut inside the control line and
// inside the payload, so that the Parser buffers it.
func BenchmarkParseSplit(b *testing.B) {
	pub := AppendPub(nil, []byte("foo.bar.baz"), nil, bytes.Repeat([]byte("x"), 128))
	benchParse(b, ServerSide, pub[:8], pub[8:60], pub[60:])
}

// BenchmarkParseStream parses 100 small PUBs per buffer, as a busy
// publisher's reads look.
func BenchmarkParseStream(b *testing.B) {
	var buf []byte
	for range 100 {
		buf = AppendPub(buf, []byte("foo.bar"), nil, bytes.Repeat([]byte("x"), 16))
	}
	benchParse(b, ServerSide, buf)
}

func BenchmarkAppendMsg(b *testing.B) {
	dst := make([]byte, 0, 512)
	subj, sid, payload := []byte("foo.bar.baz"), []byte("42"), bytes.Repeat([]byte("x"), 128)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendMsg(dst[:0], subj, nil, sid, payload)
	}
}
