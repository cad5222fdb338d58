package conn

import (
	"encoding/json"
	"time"

	"github.com/holdfast-mq/holdfast/internal/auth"
	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Op handles one parsed op; it implements proto.Handler. The op's slices are
// valid only during the call.
func (c *Conn) Op(op *proto.Op) error {
	if c.opts.Trace {
		c.log.Debug("client op", "op", op.Kind.String(), "subject", string(op.Subject), "size", len(op.Payload))
	}
	if !c.connected && op.Kind != proto.OpConnect && c.opts.Auth.Required() {
		return c.fail("Authorization Violation", ReasonAuthViolation)
	}
	switch op.Kind {
	case proto.OpConnect:
		return c.processConnect(op.Arg)
	case proto.OpPub, proto.OpHPub:
		c.processPub(op)
	case proto.OpSub:
		c.processSub(op)
	case proto.OpUnsub:
		c.processUnsub(op)
	case proto.OpPing:
		c.processPing()
	case proto.OpPong:
		c.pingsOut.Store(0)
		if start := c.rttStart.Swap(0); start != 0 {
			c.rtt.Store(time.Now().UnixNano() - start)
		}
	}
	return nil
}

// fail queues -ERR 'msg' and returns the error that closes the connection.
func (c *Conn) fail(msg string, reason CloseReason) error {
	c.sendErr(msg)
	c.log.Warn("client rejected", "error", msg)
	return &closeError{reason: reason}
}

func (c *Conn) ok() {
	if c.verbose {
		c.enqueue(proto.AppendOK)
	}
}

// processConnect applies CONNECT (PROTOCOL.md §5). Omitted verbose, pedantic
// and echo default to true, as nats-server does.
func (c *Conn) processConnect(arg []byte) error {
	ci, err := proto.DecodeConnect(arg)
	if err != nil {
		// nats-server closes without -ERR on a CONNECT that is not JSON.
		c.log.Warn("client sent bad CONNECT", "error", err)
		return &closeError{reason: ReasonParseError}
	}
	if ci.Protocol < 0 || ci.Protocol > 1 {
		return c.fail("invalid client protocol", ReasonProtocolViolation)
	}
	if ci.Account != "" || ci.NewAccount {
		return c.fail("Authorization Violation", ReasonAuthViolation)
	}
	if ci.NoResponders && !ci.Headers {
		return c.fail("no responders requires headers support", ReasonProtocolViolation)
	}
	id, ok := c.opts.Auth.Authenticate(auth.Credentials{User: ci.User, Pass: ci.Pass, Token: ci.AuthToken})
	if !ok {
		return c.fail("Authorization Violation", ReasonAuthViolation)
	}
	c.verbose, c.pedantic, c.echo = ci.Verbose, ci.Pedantic, ci.Echo
	c.noResponders = ci.NoResponders
	c.protocol = ci.Protocol
	c.headers.Store(ci.Headers && c.opts.Info.Headers)
	c.mu.Lock()
	c.mu.client = ClientInfo{Name: ci.Name, Lang: ci.Lang, Version: ci.Version, User: id.Name}
	c.system.Store(id.System)
	c.mu.Unlock()
	if !c.connected {
		c.connected = true
		_ = c.nc.SetReadDeadline(time.Time{})
		close(c.connectedCh)
	}
	c.ok()
	return nil
}

// processPing answers PONG; the first PING after CONNECT is also followed by an
// INFO with connect_info for protocol-1 clients (PROTOCOL.md §3, step 5).
func (c *Conn) processPing() {
	c.enqueue(proto.AppendPong)
	if c.connected && !c.infoSent && c.protocol >= 1 {
		c.infoSent = true
		info := c.opts.Info
		info.ClientID = c.id
		info.ClientIP = c.remoteIP()
		info.ConnectInfo = true
		info.RemoteAccount = "$G"
		b, err := json.Marshal(&info)
		if err == nil {
			c.enqueue(func(dst []byte) []byte { return proto.AppendInfo(dst, b) })
		}
	}
}

func (c *Conn) processPub(op *proto.Op) {
	c.inMsgs.Add(1)
	c.inBytes.Add(uint64(len(op.Payload)))
	if c.pedantic && !subject.ValidLiteralBytes(op.Subject) {
		c.sendErr("Invalid Publish Subject")
		return
	}
	var hdr []byte
	body := op.Payload
	if op.Kind == proto.OpHPub {
		hdr, body = op.Header(), op.Body()
	}
	c.ok() // nats-server acknowledges before delivering (PROTOCOL.md §2.1)
	n := c.opts.Broker.Publish(c, op.Subject, op.Reply, hdr, body)
	if n == 0 && len(op.Reply) > 0 && c.noResponders {
		c.sendNoResponders(op.Subject, op.Reply)
	}
}

// sendNoResponders tells a requester that nobody is subscribed: an HMSG with
// status 503 to its own subscription on the reply subject (PROTOCOL.md §7).
func (c *Conn) sendNoResponders(subj, reply []byte) {
	r := string(reply)
	var target *broker.Subscription
	c.mu.Lock()
	for _, s := range c.mu.subs {
		if subject.Match(s.Subject, r) {
			target = s
			break
		}
	}
	c.mu.Unlock()
	if target == nil {
		return
	}
	hdr := make([]byte, 0, 48+len(subj))
	hdr = append(hdr, "NATS/1.0 503\r\nNats-Subject: "...)
	hdr = append(hdr, subj...)
	hdr = append(hdr, "\r\n\r\n"...)
	c.Deliver(target, reply, nil, hdr, nil)
}

func (c *Conn) processSub(op *proto.Op) {
	sid := string(op.SID)
	c.mu.Lock()
	_, dup := c.mu.subs[sid]
	c.mu.Unlock()
	if dup { // nats-server ignores a SUB that reuses a live sid
		c.ok()
		return
	}
	sub := &broker.Subscription{
		Subject: string(op.Subject),
		Queue:   string(op.Queue),
		SID:     []byte(sid),
		Owner:   c,
		NoEcho:  !c.echo,
		System:  c.system.Load(),
	}
	if err := c.opts.Broker.Subscribe(sub); err != nil {
		c.sendErr("Invalid Subject")
		return
	}
	c.mu.Lock()
	if c.mu.subs == nil { // closed meanwhile
		c.mu.Unlock()
		c.opts.Broker.Unsubscribe(sub)
		return
	}
	c.mu.subs[sid] = sub
	c.mu.Unlock()
	c.ok()
}

func (c *Conn) processUnsub(op *proto.Op) {
	sid := string(op.SID)
	c.mu.Lock()
	sub := c.mu.subs[sid]
	if sub != nil && (op.Max <= 0 || sub.Delivered() >= int64(op.Max)) {
		delete(c.mu.subs, sid)
	}
	c.mu.Unlock()
	if sub != nil {
		if op.Max > 0 {
			c.opts.Broker.AutoUnsubscribe(sub, int64(op.Max))
		} else {
			c.opts.Broker.Unsubscribe(sub)
		}
	}
	c.ok()
}
