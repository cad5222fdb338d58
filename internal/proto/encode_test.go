package proto

import (
	"reflect"
	"testing"
)

func TestEncoders(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"msg", AppendMsg(nil, b("foo"), nil, b("9"), b("hello")), "MSG foo 9 5\r\nhello\r\n"},
		{"msg reply", AppendMsg(nil, b("foo"), b("bar"), b("9"), b("hi")), "MSG foo 9 bar 2\r\nhi\r\n"},
		{"hmsg", AppendHMsg(nil, b("foo"), nil, b("9"), 12, b("NATS/1.0\r\n\r\nhi")), "HMSG foo 9 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{"hmsg reply", AppendHMsg(nil, b("foo"), b("r"), b("9"), 12, b("NATS/1.0\r\n\r\n")), "HMSG foo 9 r 12 12\r\nNATS/1.0\r\n\r\n\r\n"},
		{"msg header", AppendMsgHeader(nil, b("foo"), b("r"), b("1"), 0, 5), "MSG foo 1 r 5\r\n"},
		{"hmsg header", AppendMsgHeader(nil, b("foo"), nil, b("1"), 12, 17), "HMSG foo 1 12 17\r\n"},
		{"info", AppendInfo(nil, b(`{"proto":1}`)), "INFO {\"proto\":1} \r\n"},
		{"err", AppendErr(nil, MsgAuthViolation), "-ERR 'Authorization Violation'\r\n"},
		{"ping", AppendPing(nil), "PING\r\n"},
		{"pong", AppendPong(nil), "PONG\r\n"},
		{"ok", AppendOK(nil), "+OK\r\n"},
		{"connect", AppendConnect(nil, b(`{}`)), "CONNECT {}\r\n"},
		{"pub", AppendPub(nil, b("foo"), nil, b("hi")), "PUB foo 2\r\nhi\r\n"},
		{"pub reply", AppendPub(nil, b("foo"), b("r"), nil), "PUB foo r 0\r\n\r\n"},
		{"hpub", AppendHPub(nil, b("foo"), nil, 22, b("NATS/1.0\r\nBar: Baz\r\n\r\nHello")), "HPUB foo 22 27\r\nNATS/1.0\r\nBar: Baz\r\n\r\nHello\r\n"},
		{"sub", AppendSub(nil, b("foo"), nil, b("1")), "SUB foo 1\r\n"},
		{"sub queue", AppendSub(nil, b("foo"), b("q"), b("1")), "SUB foo q 1\r\n"},
		{"unsub", AppendUnsub(nil, b("1"), 0), "UNSUB 1\r\n"},
		{"unsub max", AppendUnsub(nil, b("1"), 10), "UNSUB 1 10\r\n"},
		{"appends", AppendPong(AppendPing(b("x"))), "xPING\r\nPONG\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if string(tc.got) != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// TestAppendOpRoundTrip re-encodes every op of the valid parse cases and
// parses the result back.
func TestAppendOpRoundTrip(t *testing.T) {
	for _, tc := range parseCases {
		if tc.wantErr != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var out []byte
			p := NewParser(tc.side, tc.lim)
			if err := p.Parse([]byte(tc.in), HandlerFunc(func(op *Op) error {
				out = AppendOp(out, op)
				return nil
			})); err != nil {
				t.Fatal(err)
			}
			got, err := parseChunks(tc.side, tc.lim, out)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("re-parse of %q: %+v %v, want %+v", out, got, err, tc.want)
			}
		})
	}
}

func TestEncodersDoNotAllocate(t *testing.T) {
	dst := make([]byte, 0, 1024)
	subj, reply, sid, payload := []byte("foo.bar"), []byte("_INBOX.x"), []byte("42"), make([]byte, 128)
	a := testing.AllocsPerRun(100, func() {
		d := AppendMsg(dst[:0], subj, reply, sid, payload)
		d = AppendHMsg(d, subj, reply, sid, 12, payload)
		d = AppendMsgHeader(d, subj, reply, sid, 12, 140)
		d = AppendErr(d, MsgStaleConnection)
		d = AppendStatusHeader(d, 503, "")
		d = AppendHeaderField(d, "Nats-Subject", subj)
		_ = AppendPub(d, subj, reply, payload)
	})
	if a != 0 {
		t.Fatalf("%v allocs, want 0", a)
	}
}
