package proto

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// rec is a copy of an Op that outlives the Handler call.
type rec struct {
	Kind                       OpKind
	Subject, Reply, Queue, SID string
	Max, HeaderLen             int
	Payload, Arg               string
}

func recOf(op *Op) rec {
	return rec{
		Kind: op.Kind, Subject: string(op.Subject), Reply: string(op.Reply),
		Queue: string(op.Queue), SID: string(op.SID), Max: op.Max,
		HeaderLen: op.HeaderLen, Payload: string(op.Payload), Arg: string(op.Arg),
	}
}

type recorder struct{ ops []rec }

func (r *recorder) Op(op *Op) error {
	r.ops = append(r.ops, recOf(op))
	return nil
}

// parseChunks feeds chunks to a new Parser and returns the ops and error.
func parseChunks(side Side, lim Limits, chunks ...[]byte) ([]rec, error) {
	p := NewParser(side, lim)
	var r recorder
	for _, c := range chunks {
		if err := p.Parse(c, &r); err != nil {
			return r.ops, err
		}
	}
	return r.ops, nil
}

// sentinel returns the *ProtocolError inside err, or nil.
func sentinel(err error) *ProtocolError {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

type parseCase struct {
	name    string
	side    Side
	lim     Limits
	in      string
	want    []rec
	wantErr *ProtocolError
}

var parseCases = []parseCase{
	// Server side: what clients send.
	{name: "connect", in: "CONNECT {\"verbose\":false}\r\n",
		want: []rec{{Kind: OpConnect, Arg: `{"verbose":false}`}}},
	{name: "connect lower case bare LF", in: "connect {}\n",
		want: []rec{{Kind: OpConnect, Arg: `{}`}}},
	{name: "connect trailing space", in: "CONNECT {} \t\r\n",
		want: []rec{{Kind: OpConnect, Arg: `{}`}}},
	{name: "connect empty arg", in: "CONNECT \r\n",
		want: []rec{{Kind: OpConnect}}},
	{name: "connect no space", in: "CONNECT\r\n", wantErr: ErrUnknownOp},
	{name: "pub", in: "PUB foo 5\r\nhello\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "hello"}}},
	{name: "pub reply", in: "PUB foo bar 5\r\nhello\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Reply: "bar", Payload: "hello"}}},
	{name: "pub empty payload", in: "PUB foo 0\r\n\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo"}}},
	{name: "pub mixed case", in: "pUb foo 1\r\nx\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "x"}}},
	{name: "pub tabs and runs", in: "PUB\t \tfoo \t bar\t\t2  \r\nhi\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Reply: "bar", Payload: "hi"}}},
	{name: "pub bare LF line", in: "PUB foo 2\nhi\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "hi"}}},
	{name: "pub payload with CRLF inside", in: "PUB foo 4\r\n\r\n\r\n\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "\r\n\r\n"}}},
	{name: "pub leading zeros", in: "PUB foo 002\r\nhi\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "hi"}}},
	{name: "pub many leading zeros", in: "PUB foo 000000000000002\r\nhi\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "hi"}}},
	{name: "pub one arg", in: "PUB foo\r\n", wantErr: ErrBadArgs},
	{name: "pub no args", in: "PUB \r\n", wantErr: ErrBadArgs},
	{name: "pub four args", in: "PUB a b c 1\r\nx\r\n", wantErr: ErrBadArgs},
	{name: "pub six args", in: "PUB a b c d e 1\r\nx\r\n", wantErr: ErrBadArgs},
	{name: "pub negative size", in: "PUB foo -1\r\n", wantErr: ErrBadArgs},
	{name: "pub plus size", in: "PUB foo +1\r\nx\r\n", wantErr: ErrBadArgs},
	{name: "pub non-numeric size", in: "PUB foo bar\r\n", wantErr: ErrBadArgs},
	{name: "pub overflowing size", in: "PUB foo 99999999999999999999\r\n", wantErr: ErrBadArgs},
	{name: "pub size above int32", in: "PUB foo 2147483648\r\n", wantErr: ErrBadArgs},
	{name: "pub size int32 max", in: "PUB foo 2147483647\r\n", wantErr: ErrMaxPayload},
	{name: "pub over max payload", lim: Limits{MaxPayload: 4}, in: "PUB foo 5\r\nhello\r\n", wantErr: ErrMaxPayload},
	{name: "pub at max payload", lim: Limits{MaxPayload: 5}, in: "PUB foo 5\r\nhello\r\n",
		want: []rec{{Kind: OpPub, Subject: "foo", Payload: "hello"}}},
	{name: "pub payload too long", in: "PUB foo 4\r\nhello\r\n", wantErr: ErrUnknownOp},
	{name: "pub payload bare LF", in: "PUB foo 5\r\nhello\nPING\r\n", wantErr: ErrUnknownOp},
	{name: "pub payload no CR", in: "PUB foo 5\r\nhelloXY", wantErr: ErrUnknownOp},
	{name: "pub no space after name", in: "PUBfoo 1\r\n", wantErr: ErrUnknownOp},
	{name: "pub line end after name", in: "PUB\r\n", wantErr: ErrUnknownOp},
	{name: "hpub", in: "HPUB foo 22 27\r\nNATS/1.0\r\nBar: Baz\r\n\r\nHello\r\n",
		want: []rec{{Kind: OpHPub, Subject: "foo", HeaderLen: 22, Payload: "NATS/1.0\r\nBar: Baz\r\n\r\nHello"}}},
	{name: "hpub reply", in: "hpub foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n",
		want: []rec{{Kind: OpHPub, Subject: "foo", Reply: "r", HeaderLen: 12, Payload: "NATS/1.0\r\n\r\n"}}},
	{name: "hpub header over total", in: "HPUB foo 13 12\r\n", wantErr: ErrBadArgs},
	{name: "hpub two args", in: "HPUB foo 12\r\n", wantErr: ErrBadArgs},
	{name: "hpub five args", in: "HPUB foo a b 1 1\r\n", wantErr: ErrBadArgs},
	{name: "hpub bad header size", in: "HPUB foo x 12\r\n", wantErr: ErrBadArgs},
	{name: "hpub negative total", in: "HPUB foo 1 -2\r\n", wantErr: ErrBadArgs},
	{name: "hpub total over max", lim: Limits{MaxPayload: 20}, in: "HPUB foo 12 21\r\n", wantErr: ErrMaxPayload},
	{name: "sub", in: "SUB foo 1\r\n", want: []rec{{Kind: OpSub, Subject: "foo", SID: "1"}}},
	{name: "sub queue", in: "sub foo.* q 22\r\n", want: []rec{{Kind: OpSub, Subject: "foo.*", Queue: "q", SID: "22"}}},
	{name: "sub one arg", in: "SUB foo\r\n", wantErr: ErrBadArgs},
	{name: "sub four args", in: "SUB foo q 1 2\r\n", wantErr: ErrBadArgs},
	{name: "unsub", in: "UNSUB 1\r\n", want: []rec{{Kind: OpUnsub, SID: "1"}}},
	{name: "unsub max", in: "UNSUB 1 10\r\n", want: []rec{{Kind: OpUnsub, SID: "1", Max: 10}}},
	{name: "unsub max zero", in: "UNSUB 1 0\r\n", want: []rec{{Kind: OpUnsub, SID: "1"}}},
	{name: "unsub no args", in: "UNSUB \r\n", wantErr: ErrBadArgs},
	{name: "unsub negative max", in: "UNSUB 1 -1\r\n", wantErr: ErrBadArgs},
	{name: "unsub bad max", in: "UNSUB 1 x\r\n", wantErr: ErrBadArgs},
	{name: "unsub three args", in: "UNSUB 1 2 3\r\n", wantErr: ErrBadArgs},
	{name: "ping pong", in: "PING\r\nPONG\r\nping\npong\n",
		want: []rec{{Kind: OpPing}, {Kind: OpPong}, {Kind: OpPing}, {Kind: OpPong}}},
	{name: "ping trailing garbage", in: "PING xyz\r\nPINGPONG\r\n", want: []rec{{Kind: OpPing}, {Kind: OpPing}}},
	{name: "ok from client", in: "+OK\r\n", want: []rec{{Kind: OpOK}}},
	{name: "err from client", in: "-ERR 'oops'\r\n", want: []rec{{Kind: OpErr, Arg: "oops"}}},
	{name: "info from client", in: "INFO {}\r\n", wantErr: ErrUnknownOp},
	{name: "msg from client", in: "MSG foo 1 0\r\n\r\n", wantErr: ErrUnknownOp},
	{name: "hmsg from client", in: "HMSG foo 1 12 12\r\n", wantErr: ErrUnknownOp},
	{name: "garbage", in: "GET / HTTP/1.1\r\n", wantErr: ErrUnknownOp},
	{name: "garbage after op", in: "PING\r\nXYZ\r\n", want: []rec{{Kind: OpPing}}, wantErr: ErrUnknownOp},
	{name: "blank line", in: "\r\n", wantErr: ErrUnknownOp},
	{name: "leading space", in: " PING\r\n", wantErr: ErrUnknownOp},
	{name: "op name prefix", in: "PU\r\n", wantErr: ErrUnknownOp},
	{name: "control line at limit", lim: Limits{MaxControlLine: 10}, in: "SUB 12345678 1\r\n",
		want: []rec{{Kind: OpSub, Subject: "12345678", SID: "1"}}},
	{name: "control line over limit", lim: Limits{MaxControlLine: 10}, in: "SUB 123456789 1\r\n", wantErr: ErrMaxControlLine},
	{name: "control line over limit unterminated", lim: Limits{MaxControlLine: 10}, in: "SUB 123456789 1", wantErr: ErrMaxControlLine},
	{name: "control line at limit unterminated CR", lim: Limits{MaxControlLine: 10}, in: "SUB 12345678 1\r"},
	{name: "connect over limit", in: "CONNECT {" + strings.Repeat("x", 4096) + "}\r\n", wantErr: ErrMaxControlLine},
	{name: "unterminated", in: "PUB foo 5\r\nhel"},

	// Client side: what servers send.
	{name: "info", side: ClientSide, in: "INFO {\"server_id\":\"x\"} \r\n",
		want: []rec{{Kind: OpInfo, Arg: `{"server_id":"x"}`}}},
	{name: "msg", side: ClientSide, in: "MSG foo 9 5\r\nhello\r\n",
		want: []rec{{Kind: OpMsg, Subject: "foo", SID: "9", Payload: "hello"}}},
	{name: "msg reply", side: ClientSide, in: "MSG foo 9 bar 5\r\nhello\r\n",
		want: []rec{{Kind: OpMsg, Subject: "foo", SID: "9", Reply: "bar", Payload: "hello"}}},
	{name: "msg empty reply two spaces", side: ClientSide, in: "MSG foo 9  0\r\n\r\n",
		want: []rec{{Kind: OpMsg, Subject: "foo", SID: "9"}}},
	{name: "msg two args", side: ClientSide, in: "MSG foo 5\r\nhello\r\n", wantErr: ErrBadArgs},
	{name: "msg five args", side: ClientSide, in: "MSG foo 9 bar baz 5\r\nhello\r\n", wantErr: ErrBadArgs},
	{name: "msg over max payload", side: ClientSide, lim: Limits{MaxPayload: 2}, in: "MSG foo 9 5\r\n", wantErr: ErrMaxPayload},
	{name: "hmsg no responders", side: ClientSide, in: "HMSG _INBOX.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
		want: []rec{{Kind: OpHMsg, Subject: "_INBOX.x", SID: "7", HeaderLen: 16, Payload: "NATS/1.0 503\r\n\r\n"}}},
	{name: "hmsg reply", side: ClientSide, in: "HMSG foo 7 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
		want: []rec{{Kind: OpHMsg, Subject: "foo", SID: "7", Reply: "r", HeaderLen: 12, Payload: "NATS/1.0\r\n\r\nhi"}}},
	{name: "hmsg header over total", side: ClientSide, in: "HMSG foo 7 13 12\r\n", wantErr: ErrBadArgs},
	{name: "hmsg three args", side: ClientSide, in: "HMSG foo 7 12\r\n", wantErr: ErrBadArgs},
	{name: "hmsg six args", side: ClientSide, in: "HMSG foo 7 r x 12 12\r\n", wantErr: ErrBadArgs},
	{name: "server ok err ping", side: ClientSide, in: "+OK\r\n-ERR 'Authorization Violation'\r\nPING\r\n",
		want: []rec{{Kind: OpOK}, {Kind: OpErr, Arg: "Authorization Violation"}, {Kind: OpPing}}},
	{name: "err unquoted", side: ClientSide, in: "-err stale\r\n", want: []rec{{Kind: OpErr, Arg: "stale"}}},
	{name: "err no space", side: ClientSide, in: "-ERR\r\n", wantErr: ErrUnknownOp},
	{name: "pub to client", side: ClientSide, in: "PUB foo 0\r\n\r\n", wantErr: ErrUnknownOp},
	{name: "connect to client", side: ClientSide, in: "CONNECT {}\r\n", wantErr: ErrUnknownOp},
	{name: "sub to client", side: ClientSide, in: "SUB foo 1\r\n", wantErr: ErrUnknownOp},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseChunks(tc.side, tc.lim, []byte(tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ops:\n got %+v\nwant %+v", got, tc.want)
			}
			if pe := sentinel(err); pe != tc.wantErr || (err != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestParseSplit feeds every case split at every byte boundary, and one byte
// at a time, and expects the same ops and error as the whole-buffer parse.
func TestParseSplit(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			for i := 0; i <= len(in); i++ {
				got, err := parseChunks(tc.side, tc.lim, in[:i], in[i:])
				if !reflect.DeepEqual(got, tc.want) || sentinel(err) != tc.wantErr {
					t.Fatalf("split at %d: ops %+v err %v; want %+v %v", i, got, err, tc.want, tc.wantErr)
				}
			}
			var bytewise [][]byte
			for i := range in {
				bytewise = append(bytewise, in[i:i+1])
			}
			got, err := parseChunks(tc.side, tc.lim, bytewise...)
			if !reflect.DeepEqual(got, tc.want) || sentinel(err) != tc.wantErr {
				t.Fatalf("bytewise: ops %+v err %v; want %+v %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
