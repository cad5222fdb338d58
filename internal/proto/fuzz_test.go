package proto

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// FuzzParse checks that the Parser never panics, that any chunking of the
// input gives the same ops and error as the whole buffer, that both agree
// with refParse, and that every op survives AppendOp and a second parse.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add([]byte(tc.in), uint64(len(tc.in)), tc.side == ClientSide)
	}
	stream, _ := clientStream()
	f.Add(stream, uint64(7), false)
	f.Add([]byte("INFO {} \r\nMSG a 1 2\r\nhi\r\nHMSG a 1 r 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"), uint64(3), true)

	lim := Limits{MaxControlLine: 64, MaxPayload: 256}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, client bool) {
		side := ServerSide
		if client {
			side = ClientSide
		}
		whole, werr := parseChunks(side, lim, data)

		rng := rand.New(rand.NewPCG(seed, 0))
		chunked, cerr := parseChunks(side, lim, randomChunks(rng, data, 1+int(seed%16))...)
		if !reflect.DeepEqual(whole, chunked) || sentinel(werr) != sentinel(cerr) {
			t.Fatalf("chunking changed the result:\nwhole   %+v %v\nchunked %+v %v", whole, werr, chunked, cerr)
		}
		if werr != nil && sentinel(werr) == nil {
			t.Fatalf("error is not a ProtocolError: %v", werr)
		}
		ref, rerr := refParse(side, lim, string(data))
		if len(ref) != len(whole) || rerr != sentinel(werr) {
			t.Fatalf("reference disagrees:\nparser %+v %v\nref    %+v %v", whole, werr, ref, rerr)
		}
		for i := range ref {
			if ref[i] != whole[i] {
				t.Fatalf("op %d: parser %+v, ref %+v", i, whole[i], ref[i])
			}
		}

		// Canonical forms may be longer than the input (quotes around
		// -ERR text), so the re-parse gets a little more room.
		relim := Limits{MaxControlLine: lim.MaxControlLine + 2, MaxPayload: lim.MaxPayload}
		p := NewParser(side, lim)
		_ = p.Parse(data, HandlerFunc(func(op *Op) error {
			enc := AppendOp(nil, op)
			got, err := parseChunks(side, relim, enc)
			if err != nil || len(got) != 1 || got[0] != recOf(op) {
				t.Fatalf("round trip of %+v via %q: %+v %v", recOf(op), enc, got, err)
			}
			return nil
		}))
	})
}
