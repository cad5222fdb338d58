package proto

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// clientStream returns a byte stream of many client ops in varied but valid
// spellings, and the ops it holds.
func clientStream() ([]byte, []rec) {
	var b []byte
	var want []rec
	hdr := AppendHeaderEnd(AppendHeaderField(AppendHeaderStart(nil, 0, ""), "Bar", "Baz"))
	b = AppendConnect(b, []byte(`{"verbose":false,"headers":true}`))
	want = append(want, rec{Kind: OpConnect, Arg: `{"verbose":false,"headers":true}`})
	for i := range 40 {
		payload := strings.Repeat(string(rune('a'+i%26)), i*7)
		switch i % 8 {
		case 0:
			b = AppendPub(b, []byte("foo.bar"), nil, []byte(payload))
			want = append(want, rec{Kind: OpPub, Subject: "foo.bar", Payload: payload})
		case 1:
			b = AppendPub(b, []byte("foo"), []byte("_INBOX.1"), []byte(payload))
			want = append(want, rec{Kind: OpPub, Subject: "foo", Reply: "_INBOX.1", Payload: payload})
		case 2:
			b = AppendHPub(b, []byte("h"), []byte("r"), len(hdr), append(append([]byte{}, hdr...), payload...))
			want = append(want, rec{Kind: OpHPub, Subject: "h", Reply: "r", HeaderLen: len(hdr), Payload: string(hdr) + payload})
		case 3:
			b = AppendSub(b, []byte("foo.*"), []byte("q"), []byte("12"))
			want = append(want, rec{Kind: OpSub, Subject: "foo.*", Queue: "q", SID: "12"})
		case 4:
			b = append(b, "unsub\t12   5\n"...)
			want = append(want, rec{Kind: OpUnsub, SID: "12", Max: 5})
		case 5:
			b = append(b, "PiNg\r\npong\n"...)
			want = append(want, rec{Kind: OpPing}, rec{Kind: OpPong})
		case 6:
			b = append(b, "pub \t x.y \t 3\nabc\r\n"...)
			want = append(want, rec{Kind: OpPub, Subject: "x.y", Payload: "abc"})
		case 7:
			b = append(b, "hPuB x 12 12\r\nNATS/1.0\r\n\r\n\r\n"...)
			want = append(want, rec{Kind: OpHPub, Subject: "x", HeaderLen: 12, Payload: "NATS/1.0\r\n\r\n"})
		}
	}
	return b, want
}

func TestStreamWhole(t *testing.T) {
	in, want := clientStream()
	got, err := parseChunks(ServerSide, Limits{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ops differ:\n got %+v\nwant %+v", got, want)
	}
}

func TestStreamSplitEveryByte(t *testing.T) {
	in, want := clientStream()
	for i := 0; i <= len(in); i++ {
		got, err := parseChunks(ServerSide, Limits{}, in[:i], in[i:])
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("split at %d: err %v, ops equal %v", i, err, reflect.DeepEqual(got, want))
		}
	}
}

func TestStreamRandomChunks(t *testing.T) {
	in, want := clientStream()
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 500 {
		chunks := randomChunks(rng, in, 1+rng.IntN(64))
		got, err := parseChunks(ServerSide, Limits{}, chunks...)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d (%d chunks): err %v, ops equal %v", run, len(chunks), err, reflect.DeepEqual(got, want))
		}
	}
}

// randomChunks cuts b into pieces of 0 to 2*mean bytes; empty chunks are
// legal input too.
func randomChunks(rng *rand.Rand, b []byte, mean int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := min(rng.IntN(2*mean+1), len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// within reports whether s is a subslice of buf.
func within(s, buf []byte) bool {
	if len(s) == 0 {
		return true
	}
	p, start := uintptr(unsafe.Pointer(unsafe.SliceData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return p >= start && p+uintptr(len(s)) <= start+uintptr(len(buf))
}

func TestZeroCopy(t *testing.T) {
	buf := []byte("PUB foo bar 5\r\nhello\r\nSUB a q 1\r\n")
	p := NewParser(ServerSide, Limits{})
	n := 0
	err := p.Parse(buf, HandlerFunc(func(op *Op) error {
		n++
		for _, f := range [][]byte{op.Subject, op.Reply, op.Queue, op.SID, op.Payload} {
			if !within(f, buf) {
				t.Errorf("%s field %q not inside buf", op.Kind, f)
			}
		}
		return nil
	}))
	if err != nil || n != 2 {
		t.Fatalf("err %v, %d ops", err, n)
	}
}

func TestHandlerErrorStopsAndSticks(t *testing.T) {
	stop := errors.New("stop")
	p := NewParser(ServerSide, Limits{})
	var seen []OpKind
	h := HandlerFunc(func(op *Op) error {
		seen = append(seen, op.Kind)
		if op.Kind == OpSub {
			return stop
		}
		return nil
	})
	if err := p.Parse([]byte("PING\r\nSUB a 1\r\nPONG\r\n"), h); err != stop {
		t.Fatalf("err = %v, want stop", err)
	}
	if err := p.Parse([]byte("PING\r\n"), h); err != stop {
		t.Fatalf("second Parse err = %v, want sticky stop", err)
	}
	if !reflect.DeepEqual(seen, []OpKind{OpPing, OpSub}) {
		t.Fatalf("seen %v", seen)
	}
	if p.Idle() {
		t.Fatal("Idle after error")
	}
}

func TestProtocolErrorIsSticky(t *testing.T) {
	p := NewParser(ServerSide, Limits{})
	var r recorder
	err := p.Parse([]byte("XX"), &r)
	if !errors.Is(err, ErrUnknownOp) {
		t.Fatalf("err = %v", err)
	}
	if err2 := p.Parse([]byte("PING\r\n"), &r); err2 != err || len(r.ops) != 0 {
		t.Fatalf("second Parse: %v, %d ops", err2, len(r.ops))
	}
}

func TestIdle(t *testing.T) {
	p := NewParser(ServerSide, Limits{})
	var r recorder
	if !p.Idle() {
		t.Fatal("new parser not idle")
	}
	_ = p.Parse([]byte("PUB foo 1\r\n"), &r)
	if p.Idle() {
		t.Fatal("idle mid-op")
	}
	_ = p.Parse([]byte("x\r\n"), &r)
	if !p.Idle() || len(r.ops) != 1 {
		t.Fatalf("idle %v, ops %d", p.Idle(), len(r.ops))
	}
}

func TestSetMaxPayload(t *testing.T) {
	p := NewParser(ServerSide, Limits{})
	var r recorder
	if err := p.Parse([]byte("PUB a 10\r\n0123456789\r\n"), &r); err != nil {
		t.Fatal(err)
	}
	p.SetMaxPayload(9)
	err := p.Parse([]byte("PUB a 10\r\n0123456789\r\n"), &r)
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe != ErrMaxPayload || !pe.SendErr || pe.Msg != "Maximum Payload Violation" {
		t.Fatalf("err = %v", err)
	}
}

func TestProtocolErrorText(t *testing.T) {
	for _, tc := range []struct {
		err     *ProtocolError
		msg     string
		sendErr bool
	}{
		{ErrUnknownOp, "Unknown Protocol Operation", true},
		{ErrMaxControlLine, "maximum control line exceeded", true},
		{ErrMaxPayload, "Maximum Payload Violation", true},
		{ErrBadArgs, "malformed protocol arguments", false},
	} {
		if tc.err.Msg != tc.msg || tc.err.SendErr != tc.sendErr {
			t.Errorf("%v: got %q/%v, want %q/%v", tc.err, tc.err.Msg, tc.err.SendErr, tc.msg, tc.sendErr)
		}
	}
}

// TestSteadyStateAllocs checks that whole and split messages cost no
// allocations once the Parser's buffers have grown.
func TestSteadyStateAllocs(t *testing.T) {
	in, _ := clientStream()
	p := NewParser(ServerSide, Limits{})
	h := HandlerFunc(func(*Op) error { return nil })
	cuts := []int{1, 3, 17, 100, 333, len(in) / 2}
	run := func() {
		for _, c := range cuts {
			_ = p.Parse(in[:c], h)
			_ = p.Parse(in[c:], h)
		}
	}
	run()
	if a := testing.AllocsPerRun(20, run); a != 0 {
		t.Fatalf("%v allocs per run, want 0", a)
	}
}
