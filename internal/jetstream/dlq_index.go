package jetstream

import (
	"fmt"
	"strings"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/proto"
	"github.com/holdfast-mq/holdfast/internal/store"
)

// originKey names one decision to dead-letter a message: source stream,
// sequence, consumer (with its creation time, so a re-created consumer of
// the same name is another consumer) and epoch (when the consumer gave up,
// so a message redriven and dead-lettered again is a new dead letter).
type originKey struct {
	stream   string
	seq      uint64
	consumer string
	created  int64
	epoch    int64
}

func (k originKey) String() string {
	return fmt.Sprintf("%s/%d/%s/%d/%d", k.stream, k.seq, k.consumer, k.created, k.epoch)
}

// base is the key without its epoch: one message of one consumer.
func (k originKey) base() string {
	return fmt.Sprintf("%s/%d/%s/%d", k.stream, k.seq, k.consumer, k.created)
}

// originIndex maps the origin keys of a dead-letter stream's messages to
// their sequences. It is built from the Holdfast-Dlq-Origin headers the
// first time the stream takes a dead letter after opening, and then kept up
// to date; keys of copies removed since stay, so a replayed move after a
// consumer drained the copy still finds it. Guarded by the stream's mu.
type originIndex struct {
	built  bool
	seqs   map[string]uint64
	counts map[string]int // per base: dead letters seen
}

func (x *originIndex) add(key string, seq uint64) {
	x.seqs[key] = seq
	if i := strings.LastIndexByte(key, '/'); i > 0 {
		x.counts[key[:i]]++
	}
}

// originsLocked returns the index, building it on first use.
func (st *stream) originsLocked() *originIndex {
	x := &st.mu.origins
	if x.built {
		return x
	}
	x.built = true
	x.seqs, x.counts = map[string]uint64{}, map[string]int{}
	for seq := uint64(0); ; {
		m, err := st.store.LoadNext("", seq)
		if err != nil {
			break
		}
		if v := proto.HeaderGet(m.Header, dlqHdrOrigin); len(v) > 0 {
			x.add(string(v), m.Seq)
		}
		seq = m.Seq + 1
	}
	return x
}

// appendDeadLetter stores a dead letter unless the stream already has the
// copy for key: then w is told about the existing one once it is durable.
// build makes the message given how many dead letters the source message
// had from that consumer, this one included. The stream's publish checks
// apply (sealed, limits with discard new, max_msg_size).
func (st *stream) appendDeadLetter(key originKey, build func(count int) deadLetterMsg, w store.Waiter) *jsapi.ApiError {
	st.mu.Lock()
	if st.mu.closed {
		st.mu.Unlock()
		return jsapi.NewError(jsapi.JSStreamNotFoundErr)
	}
	x := st.originsLocked()
	k := key.String()
	if seq, ok := x.seqs[k]; ok {
		st.mu.Unlock()
		st.durable.whenDurable(seq, func(err error) { w.Done(seq, err) })
		return nil
	}
	m := build(x.counts[key.base()] + 1)
	res := st.storeLocked([]byte(m.subject), m.hdr, m.data, st.js.now(), w)
	if res.err != nil {
		st.mu.Unlock()
		return res.err
	}
	x.add(k, res.seq)
	st.mu.Unlock()
	if res.republish != nil {
		st.js.broker.Publish(nil, []byte(res.republish.subject), nil, res.republish.hdr, res.republish.data)
	}
	return nil
}
