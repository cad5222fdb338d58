package jetstream

import (
	"log/slog"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// TestDeadLettersRecordedOnlyLive: the persister reports the dead letters of
// the snapshot it wrote. Only those the consumer still has undecided copies
// for may count as recorded: a snapshot also carries done dead letters
// (never delivered, kept for the cursor) and may have been taken before a
// move finished. Marking those leaked an entry per such dead letter, and a
// stale mark would let a later dead letter of the same sequence (after a
// redrive reopen) be copied before its own intent was durable.
func TestDeadLettersRecordedOnlyLive(t *testing.T) {
	tj := newTestJS(t, nil)
	tj.start(t)
	tj.create(t, `{"name":"ORDERS","subjects":["orders.>"],"storage":"file"}`)
	tj.create(t, `{"name":"DLQ","subjects":["$DLQ.>"],"storage":"file","metadata":{"holdfast.dlq.accept":"*"}}`)
	var resp jsapi.ConsumerCreateResponse
	tj.api(t, "$JS.API.CONSUMER.CREATE.ORDERS.C", `{"stream_name":"ORDERS","config":{"durable_name":"C",
		"ack_policy":"explicit","dead_letter":{"stream":"DLQ","on":["maxlen"]}}}`, &resp)
	if resp.Error != nil {
		t.Fatalf("create consumer: %v", resp.Error)
	}
	c := tj.lookup("ORDERS").cons.get("C")
	c.deadLettersRecorded(map[uint64]ackstate.DeadLetter{
		5: {Reason: ackstate.DLMaxLen, At: 1, Undelivered: true, Done: true}, // copied, kept for the cursor
		7: {Reason: ackstate.DLTerminated, At: 2},                            // moved since the snapshot
	})
	c.mu.Lock()
	n := len(c.mu.dlq.recorded)
	c.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d dead letters marked recorded, want 0 (none is waiting for its copy)", n)
	}
}

// TestDeadLetterBackoffPerAttempt: many moves failing in one step raise the
// retry delay by one step, not one per failed move.
func TestDeadLetterBackoffPerAttempt(t *testing.T) {
	c := &consumer{js: &JetStream{}, st: &stream{name: "S"}, name: "C", log: slog.New(slog.DiscardHandler)}
	c.mu.ack = ackstate.New(ackstate.Config{AckPolicy: ackstate.AckExplicit}, 0)
	res := &stepResult{}
	for seq := uint64(1); seq <= 64; seq++ {
		c.dlqFailedLocked(res, seq, "DLQ", "full", 1000)
	}
	if c.mu.dlq.failures != 1 || c.mu.dlq.retryAt != 1000+int64(dlqRetryMin) {
		t.Fatalf("after one failed attempt of 64 moves: failures %d, retry at +%v", c.mu.dlq.failures, time.Duration(c.mu.dlq.retryAt-1000))
	}
	c.dlqFailedLocked(res, 1, "DLQ", "full", c.mu.dlq.retryAt)
	if c.mu.dlq.failures != 2 || c.mu.dlq.retryAt != 1000+int64(dlqRetryMin)+int64(2*dlqRetryMin) {
		t.Fatalf("second attempt: failures %d, retry at %d", c.mu.dlq.failures, c.mu.dlq.retryAt)
	}
	if len(res.adv) != 65 {
		t.Fatalf("%d FAILED advisories, want one per failed move (65)", len(res.adv))
	}
}

// TestRetryDeadLettersOnStreamChange: creating or updating the dead-letter
// stream ends a consumer's backoff, so its waiting moves run at once.
func TestRetryDeadLettersOnStreamChange(t *testing.T) {
	tj := newTestJS(t, nil)
	tj.start(t)
	tj.create(t, `{"name":"DLQ","subjects":["$DLQ.>"],"metadata":{"holdfast.dlq.accept":"*"}}`)
	tj.create(t, `{"name":"S","subjects":["s"]}`)
	var resp jsapi.ConsumerCreateResponse
	tj.api(t, "$JS.API.CONSUMER.CREATE.S.C", `{"stream_name":"S","config":{"name":"C","ack_policy":"explicit","dead_letter":{"stream":"DLQ","on":["terminated"]}}}`, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	c := tj.lookup("S").cons.get("C")
	c.mu.Lock()
	c.mu.ack.Deliver(1, 1)
	if r, ev := c.mu.ack.TermAt(1, 2, "bad"); r != ackstate.Applied || ev == nil {
		c.mu.Unlock()
		t.Fatalf("TermAt = %v %v", r, ev)
	}
	c.mu.dlq.retryAt = 1 << 62
	c.mu.Unlock()
	tj.retryDeadLetters("OTHER")
	c.mu.Lock()
	kept := c.mu.dlq.retryAt
	c.mu.Unlock()
	if kept != 1<<62 {
		t.Fatalf("another stream's change reset the backoff")
	}
	tj.retryDeadLetters("DLQ")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.dlq.retryAt != 0 {
		t.Fatalf("backoff not reset: retry at %d", c.mu.dlq.retryAt)
	}
}
