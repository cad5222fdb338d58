package test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestMonitorRemovalAccounting runs a seeded random workload against a stream
// of each retention policy — publishes (some de-duplicated), consumer acks,
// NAKs and TERMs, deletes, purges, limits, consumer deletion — and checks
// issue 9's identity from /jsz: every message published and stored either
// is still stored or was removed under a named reason.
func TestMonitorRemovalAccounting(t *testing.T) {
	if servertest.External() {
		t.Skip("removal accounting is holdfast's own /jsz field")
	}
	for _, retention := range []jetstream.RetentionPolicy{jetstream.LimitsPolicy, jetstream.InterestPolicy, jetstream.WorkQueuePolicy} {
		t.Run(retention.String(), func(t *testing.T) {
			s := monitored(t, func(o *server.Options) { o.JetStream = true })
			_, js := jsConnect(t, s)
			st := createStream(t, js, jetstream.StreamConfig{Name: "ACC", Subjects: []string{"acc.*"}, Retention: retention,
				MaxMsgs: 40, MaxMsgsPerSubject: 15})
			rng := rand.New(rand.NewPCG(uint64(retention)+1, 9))
			cons, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "W", AckPolicy: jetstream.AckExplicitPolicy,
				MaxDeliver: 2, AckWait: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			var stored uint64 // PubAcks that stored a new message
			for i := range 400 {
				switch op := rng.IntN(10); {
				case op < 6:
					id := fmt.Sprintf("m%d", rng.IntN(300)) // repeats are de-duplicated
					ack, err := js.Publish(ctx(t), fmt.Sprintf("acc.%d", rng.IntN(4)), []byte("x"), jetstream.WithMsgID(id))
					if err != nil {
						t.Fatalf("step %d: publish: %v", i, err)
					}
					if !ack.Duplicate {
						stored++
					}
				case op < 8:
					msgs, err := cons.FetchNoWait(3)
					if err != nil {
						t.Fatal(err)
					}
					for m := range msgs.Messages() {
						switch rng.IntN(3) {
						case 0:
							err = m.DoubleAck(ctx(t))
						case 1:
							err = m.Nak()
						default:
							err = m.Term()
						}
						if err != nil {
							t.Fatal(err)
						}
					}
				case op < 9:
					info, err := st.Info(ctx(t))
					if err != nil {
						t.Fatal(err)
					}
					if info.State.Msgs > 0 {
						_ = st.DeleteMsg(ctx(t), info.State.FirstSeq) // may race an ack; either removal counts
					}
				default:
					if rng.IntN(4) == 0 {
						if err := st.Purge(ctx(t), jetstream.WithPurgeSubject(fmt.Sprintf("acc.%d", rng.IntN(4)))); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if retention == jetstream.InterestPolicy {
				// The last consumer going away releases everything it held.
				if err := st.DeleteConsumer(ctx(t), "W"); err != nil {
					t.Fatal(err)
				}
			}
			var jz jszStreams
			getJSON(t, s, "/jsz?streams=true", &jz)
			sd := jz.Accounts[0].Streams[0]
			var removed uint64
			for _, n := range sd.Removed {
				removed += n
			}
			if sd.State.Msgs+removed != stored {
				t.Fatalf("stored now %d + removed %d (%v) != %d published and stored", sd.State.Msgs, removed, sd.Removed, stored)
			}
			t.Logf("%s: %d stored, %d still there, removed %v", retention, stored, sd.State.Msgs, sd.Removed)
		})
	}
}
