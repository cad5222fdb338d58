package proto_test

import (
	"fmt"

	"github.com/holdfast-mq/holdfast/internal/proto"
)

func ExampleParser() {
	p := proto.NewParser(proto.ServerSide, proto.Limits{})
	h := proto.HandlerFunc(func(op *proto.Op) error {
		switch op.Kind {
		case proto.OpPub:
			fmt.Printf("PUB %s reply=%q %q\n", op.Subject, op.Reply, op.Payload)
		case proto.OpSub:
			fmt.Printf("SUB %s sid=%s\n", op.Subject, op.SID)
		default:
			fmt.Println(op.Kind)
		}
		return nil
	})
	// An op may be split anywhere between reads.
	_ = p.Parse([]byte("SUB foo 1\r\nPUB foo 5\r\nhel"), h)
	_ = p.Parse([]byte("lo\r\nPING\r\n"), h)
	// Output:
	// SUB foo sid=1
	// PUB foo reply="" "hello"
	// PING
}

func ExampleAppendMsgHeader() {
	// Fan one payload out: one control line per subscriber, shared payload.
	payload := []byte("hi")
	var out []byte
	for _, sid := range []string{"1", "2"} {
		out = proto.AppendMsgHeader(out, []byte("foo"), nil, []byte(sid), 0, len(payload))
		out = append(out, payload...)
		out = append(out, "\r\n"...)
	}
	fmt.Printf("%q\n", out)
	// Output: "MSG foo 1 2\r\nhi\r\nMSG foo 2 2\r\nhi\r\n"
}

func ExampleAppendHeaderStart() {
	hdr := proto.AppendHeaderStart(nil, 503, "")
	hdr = proto.AppendHeaderField(hdr, "Nats-Subject", "orders.new")
	hdr = proto.AppendHeaderEnd(hdr)
	out := proto.AppendHMsg(nil, []byte("_INBOX.x"), nil, []byte("7"), len(hdr), hdr)
	fmt.Printf("%q\n", out)
	// Output: "HMSG _INBOX.x 7 42 42\r\nNATS/1.0 503\r\nNats-Subject: orders.new\r\n\r\n\r\n"
}
