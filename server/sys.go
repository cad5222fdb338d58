package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/monitor"
)

// The $SYS.REQ.SERVER services answer `nats server ls/info/check` and other
// tools of nats-server's system account: PING (statsz) and PING.<kind>, or
// <server id>.<kind>, for VARZ, JSZ, HEALTHZ, CONNZ and SUBSZ. They render
// the same snapshots as the HTTP endpoints (internal/monitor). Only system
// users reach them: the broker keeps $SYS traffic between system
// publishers and system subscriptions (auth.SystemSubject).
const (
	sysPingSubject  = "$SYS.REQ.SERVER.PING"
	sysServerPrefix = "$SYS.REQ.SERVER."
	// sysQueueLen bounds requests waiting for the responder; past it a
	// request gets no answer, as a busy nats-server's would time out.
	sysQueueLen = 64
)

// sysRequest is one request copied off the publisher's buffers.
type sysRequest struct {
	kind, reply string
	body        []byte
}

// sysResponder receives $SYS requests on the publisher's goroutine and queues
// them for the responder goroutine; it never blocks.
type sysResponder struct {
	s     *Server
	queue chan sysRequest
	seq   atomic.Uint64
}

// startSys subscribes the $SYS services when system users are configured
// (without them nobody could reach the services) and starts the goroutine
// that answers them; it stops when Shutdown closes s.quit.
func (s *Server) startSys() error {
	if len(s.opts.SystemUsers) == 0 {
		return nil
	}
	r := &sysResponder{s: s, queue: make(chan sysRequest, sysQueueLen)}
	for _, subj := range []string{sysPingSubject, sysPingSubject + ".*", sysServerPrefix + s.id + ".*"} {
		if err := s.broker.Subscribe(&broker.Subscription{Subject: subj, Owner: r, System: true}); err != nil {
			return err
		}
	}
	s.wg.Go(r.run)
	return nil
}

// Deliver implements broker.Subscriber.
func (r *sysResponder) Deliver(_ *broker.Subscription, subj, reply, _, payload []byte) {
	if len(reply) == 0 {
		return
	}
	rest := strings.TrimPrefix(string(subj), sysServerPrefix)
	kind := monitor.KindStatsz
	if rest != "PING" {
		_, kind, _ = strings.Cut(rest, ".")
	}
	select {
	case r.queue <- sysRequest{kind: kind, reply: string(reply), body: bytes.Clone(payload)}:
	default:
		r.s.log.Warn("system request dropped: responder busy", "subject", string(subj))
	}
}

func (r *sysResponder) run() {
	for {
		select {
		case <-r.s.quit:
			return
		case req := <-r.queue:
			r.answer(req)
		}
	}
}

func (r *sysResponder) answer(req sysRequest) {
	resp := r.s.mon.handler.SysRequest(req.kind, req.body, r.seq.Add(1))
	if resp == nil {
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		r.s.log.Error("system response not encoded", "kind", req.kind, "error", err)
		return
	}
	r.s.broker.Publish(nil, []byte(req.reply), nil, nil, b)
}
