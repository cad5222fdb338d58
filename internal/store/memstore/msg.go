package memstore

import "github.com/holdfast-mq/holdfast/internal/store"

// msg is one stored message. Header and data share one allocation.
type msg struct {
	subj *subjectIndex // interned subject and its index
	buf  []byte        // header followed by data
	hlen int           // length of the header prefix of buf
	seq  uint64
	time int64
	ttl  int64
}

func newMsg(si *subjectIndex, hdr, data []byte, seq uint64, now, ttl int64) *msg {
	buf := make([]byte, 0, len(hdr)+len(data))
	buf = append(buf, hdr...)
	buf = append(buf, data...)
	return &msg{subj: si, buf: buf, hlen: len(hdr), seq: seq, time: now, ttl: ttl}
}

// size is the accounting size (store.MsgSize).
func (m *msg) size() uint64 {
	return store.MsgSize(len(m.subj.name), m.hlen, len(m.buf)-m.hlen)
}

// expires reports the time the message's own TTL removes it, or 0 for none.
func (m *msg) expires() int64 {
	if m.ttl <= 0 {
		return 0
	}
	return m.time + m.ttl
}

// export copies m into a store.Msg owned by the caller.
func (m *msg) export() *store.Msg {
	out := &store.Msg{Seq: m.seq, Subject: m.subj.name, Time: m.time, TTL: m.ttl}
	b := make([]byte, len(m.buf))
	copy(b, m.buf)
	if m.hlen > 0 {
		out.Header = b[:m.hlen:m.hlen]
	}
	out.Data = b[m.hlen:]
	return out
}
