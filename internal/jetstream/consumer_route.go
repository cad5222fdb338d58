package jetstream

import (
	"math/rand/v2"
	"sync"

	"github.com/holdfast-mq/holdfast/internal/broker"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Deliveries carry the message's stored subject on the wire, not the
// deliver or reply subject they are routed by (JETSTREAM-MESSAGING.md §3.1).
// The broker routes by the subject it publishes, so consumers find the
// subscriptions of their target themselves and hand the message to each
// owner. Lookups are cached per target until the index changes.

type routeEntry struct {
	gen    uint64
	plain  []*broker.Subscription
	queues map[string][]*broker.Subscription
}

type routeCache struct {
	mu sync.Mutex
	m  map[string]*routeEntry
}

func (js *JetStream) routesFor(target string) *routeEntry {
	st := js.broker.IndexStats()
	gen := st.Inserts + st.Removes
	rc := &js.routes
	rc.mu.Lock()
	e := rc.m[target]
	rc.mu.Unlock()
	if e != nil && e.gen == gen {
		return e
	}
	e = &routeEntry{gen: gen}
	js.broker.Subscriptions(func(s *broker.Subscription) bool {
		if !subject.Match(s.Subject, target) {
			return true
		}
		if s.Queue == "" {
			e.plain = append(e.plain, s)
		} else {
			if e.queues == nil {
				e.queues = map[string][]*broker.Subscription{}
			}
			e.queues[s.Queue] = append(e.queues[s.Queue], s)
		}
		return true
	})
	rc.mu.Lock()
	if rc.m == nil || len(rc.m) > 4096 {
		rc.m = map[string]*routeEntry{}
	}
	rc.m[target] = e
	rc.mu.Unlock()
	return e
}

// route hands a delivery for target to its subscribers, with wire subject
// subj. With a group, only that queue group's members (one of them) and
// plain subscriptions get it. It reports whether anyone did.
func (js *JetStream) route(target, group, subj, reply string, hdr, data []byte) bool {
	e := js.routesFor(target)
	n := 0
	for _, s := range e.plain {
		if !s.Removed() {
			s.Owner.Deliver(s, []byte(subj), []byte(reply), hdr, data)
			n++
		}
	}
	for q, members := range e.queues {
		if group != "" && q != group {
			continue
		}
		start := rand.IntN(len(members))
		for i := range members {
			s := members[(start+i)%len(members)]
			if !s.Removed() {
				s.Owner.Deliver(s, []byte(subj), []byte(reply), hdr, data)
				n++
				break
			}
		}
	}
	return n > 0
}

// withHeader returns a copy of the header block hdr with key: value added
// (Nats-Msg-Size for headers_only, Nats-Pin-Id for pinned clients).
func withHeader(hdr []byte, key, value string) []byte {
	var h []byte
	if len(hdr) >= 4 {
		h = append(h, hdr[:len(hdr)-2]...)
	} else {
		h = proto.AppendHeaderStart(h, 0, "")
	}
	h = proto.AppendHeaderField(h, key, value)
	return proto.AppendHeaderEnd(h)
}

// statusMsg builds a header-only status message for target.
func statusMsg(target string, code int, desc string, kv ...string) outMsg {
	h := proto.AppendHeaderStart(nil, code, desc)
	for i := 0; i+1 < len(kv); i += 2 {
		h = proto.AppendHeaderField(h, kv[i], kv[i+1])
	}
	return outMsg{target: target, subj: target, hdr: proto.AppendHeaderEnd(h)}
}
