package broker

import (
	"context"
	"testing"
	"time"
)

// recorder is a Subscriber that counts deliveries per subscription.
type recorder struct {
	got map[*Subscription][]string
}

func (r *recorder) Deliver(sub *Subscription, subj, _, _, _ []byte) {
	if r.got == nil {
		r.got = map[*Subscription][]string{}
	}
	r.got[sub] = append(r.got[sub], string(subj))
}

func subscribe(t *testing.T, b *Broker, owner Subscriber, subj, queue string) *Subscription {
	t.Helper()
	s := &Subscription{Subject: subj, Queue: queue, SID: []byte("1"), Owner: owner}
	if err := b.Subscribe(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPublishRouting(t *testing.T) {
	b := New(Options{})
	r := &recorder{}
	plain := subscribe(t, b, r, "a.*", "")
	full := subscribe(t, b, r, "a.>", "")
	q1 := subscribe(t, b, r, "a.b", "q")
	q2 := subscribe(t, b, r, "a.b", "q")
	for range 100 {
		if n := b.Publish(nil, []byte("a.b"), nil, nil, []byte("x")); n != 3 {
			t.Fatalf("deliveries %d, want 3 (two plain, one of the group)", n)
		}
	}
	if len(r.got[plain]) != 100 || len(r.got[full]) != 100 {
		t.Fatalf("plain subscriptions got %d and %d, want 100 each", len(r.got[plain]), len(r.got[full]))
	}
	if a, c := len(r.got[q1]), len(r.got[q2]); a+c != 100 || a == 0 || c == 0 {
		t.Fatalf("queue members got %d and %d: want 100 in all, spread over both", a, c)
	}
	if n := b.Publish(nil, []byte("b"), nil, nil, nil); n != 0 {
		t.Fatalf("no interest: %d deliveries", n)
	}
	if st := b.Stats(); st.InMsgs != 101 || st.OutMsgs != 300 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNoEchoAndInvalid(t *testing.T) {
	b := New(Options{})
	me, other := &recorder{}, &recorder{}
	mine := subscribe(t, b, me, "e", "")
	mine.NoEcho = true
	theirs := subscribe(t, b, other, "e", "")
	if n := b.Publish(me, []byte("e"), nil, nil, nil); n != 1 || len(me.got[mine]) != 0 || len(other.got[theirs]) != 1 {
		t.Fatalf("no-echo: %d deliveries, mine %d, theirs %d", n, len(me.got[mine]), len(other.got[theirs]))
	}
	for _, s := range []*Subscription{{Subject: "a..b", Owner: me}, {Subject: "a", Queue: "bad queue", Owner: me}} {
		if err := b.Subscribe(s); err != ErrInvalidSubject {
			t.Fatalf("Subscribe(%q, %q) = %v", s.Subject, s.Queue, err)
		}
	}
}

func TestAutoUnsubscribe(t *testing.T) {
	b := New(Options{})
	r := &recorder{}
	s := subscribe(t, b, r, "x", "")
	if b.AutoUnsubscribe(s, 3) {
		t.Fatal("left before any delivery")
	}
	for range 5 {
		b.Publish(nil, []byte("x"), nil, nil, nil)
	}
	if len(r.got[s]) != 3 || !s.Removed() || b.NumSubscriptions() != 0 {
		t.Fatalf("got %d deliveries, removed %v, %d subscriptions left", len(r.got[s]), s.Removed(), b.NumSubscriptions())
	}
	s2 := subscribe(t, b, r, "y", "")
	b.Publish(nil, []byte("y"), nil, nil, nil)
	b.Publish(nil, []byte("y"), nil, nil, nil)
	if !b.AutoUnsubscribe(s2, 1) || !s2.Removed() {
		t.Fatal("a limit already reached must unsubscribe at once")
	}
	b.Unsubscribe(s2) // a second removal is harmless
}

func TestWaitForInterest(t *testing.T) {
	b := New(Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.WaitForInterest(ctx, "late.subject") }()
	subscribe(t, b, &recorder{}, "late.*", "")
	if err := <-done; err != nil {
		t.Fatalf("WaitForInterest: %v", err)
	}
	short, cancelShort := context.WithCancel(context.Background())
	cancelShort()
	if err := b.WaitForInterest(short, "nobody"); err != context.Canceled {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// TestOneOffSubjectsNotCached: inbox replies and ack subjects are matched
// without filling the match cache, and still delivered.
func TestOneOffSubjectsNotCached(t *testing.T) {
	b := New(Options{})
	r := &recorder{}
	inbox := subscribe(t, b, r, "_INBOX.req.*", "")
	acks := subscribe(t, b, r, "$JS.ACK.S.C.>", "")
	hot := subscribe(t, b, r, "orders.new", "")
	for i := range 50 {
		b.Publish(nil, []byte("_INBOX.req."+string(rune('a'+i%26))+"x"), nil, nil, nil)
		b.Publish(nil, []byte("$JS.ACK.S.C.1.2.3.4.5"), nil, nil, nil)
	}
	if n := b.IndexStats().Cached; n != 0 {
		t.Fatalf("%d one-off subjects cached", n)
	}
	b.Publish(nil, []byte("orders.new"), nil, nil, nil)
	if n := b.IndexStats().Cached; n != 1 {
		t.Fatalf("ordinary subject not cached: %d entries", n)
	}
	if len(r.got[inbox]) != 50 || len(r.got[acks]) != 50 || len(r.got[hot]) != 1 {
		t.Fatalf("deliveries %d %d %d", len(r.got[inbox]), len(r.got[acks]), len(r.got[hot]))
	}
}
