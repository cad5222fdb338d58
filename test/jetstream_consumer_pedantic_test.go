package test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestConsumerPedanticAndStreamLimits checks the adjustments a consumer
// create makes silently, the 10157 "pedantic mode" refusals of the same
// adjustments, and the stream's consumer_limits (JETSTREAM-API.md §4.1,
// §10). Every expectation was recorded from nats-server 2.15.2.
func TestConsumerPedanticAndStreamLimits(t *testing.T) {
	s := jsServer(t)
	nc, js := jsConnect(t, s)
	createStream(t, js, jetstream.StreamConfig{Name: "L", Subjects: []string{"l.>"},
		ConsumerLimits: jetstream.StreamConsumerLimits{MaxAckPending: 50, InactiveThreshold: time.Minute}})
	createStream(t, js, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}})

	const over = "consumer max ack pending exceeds system limit of 50"
	type want struct {
		code                  int // 0: created
		desc                  string
		ackWait, inactive     time.Duration
		maxDeliver, maxAckPen int
	}
	cases := []struct {
		name, stream, config string
		plain, pedantic      want
	}{
		{"stream limits applied", "L", `{"durable_name":"a","ack_policy":"explicit"}`,
			want{ackWait: 30 * time.Second, inactive: time.Minute, maxDeliver: -1, maxAckPen: 50},
			want{code: 10157, desc: "pedantic mode: max_ack_pending must be set if it's configured in stream limits"}},
		{"stream inactive threshold applied", "L", `{"durable_name":"a","ack_policy":"explicit","max_ack_pending":50}`,
			want{ackWait: 30 * time.Second, inactive: time.Minute, maxDeliver: -1, maxAckPen: 50},
			want{code: 10157, desc: "pedantic mode: inactive_threshold must be set if it's configured in stream limits"}},
		{"ephemeral takes the stream's inactive threshold", "L", `{"ack_policy":"explicit","max_ack_pending":5}`,
			want{ackWait: 30 * time.Second, inactive: time.Minute, maxDeliver: -1, maxAckPen: 5},
			want{code: 10157, desc: "pedantic mode: inactive_threshold must be set if it's configured in stream limits"}},
		{"within stream limits", "L", `{"durable_name":"b","ack_policy":"explicit","max_ack_pending":50,"inactive_threshold":1000000000}`,
			want{ackWait: 30 * time.Second, inactive: time.Second, maxDeliver: -1, maxAckPen: 50},
			want{ackWait: 30 * time.Second, inactive: time.Second, maxDeliver: -1, maxAckPen: 50}},
		{"unlimited ack pending under a stream limit", "L", `{"durable_name":"c","ack_policy":"explicit","max_ack_pending":-1,"inactive_threshold":1000000000}`,
			want{ackWait: 30 * time.Second, inactive: time.Second, maxDeliver: -1, maxAckPen: -1},
			want{ackWait: 30 * time.Second, inactive: time.Second, maxDeliver: -1, maxAckPen: -1}},
		{"ack none takes the stream's max ack pending", "L", `{"durable_name":"d","ack_policy":"none","inactive_threshold":1000000000}`,
			want{inactive: time.Second, maxDeliver: -1, maxAckPen: 50},
			want{code: 10157, desc: "pedantic mode: max_ack_pending must be set if it's configured in stream limits"}},
		{"max ack pending over the stream limit", "L", `{"durable_name":"e","ack_policy":"explicit","max_ack_pending":500,"inactive_threshold":1000000000}`,
			want{code: 10121, desc: over}, want{code: 10121, desc: over}},
		{"ack none over the stream limit", "L", `{"durable_name":"f","ack_policy":"none","max_ack_pending":500,"inactive_threshold":1000000000}`,
			want{code: 10121, desc: over}, want{code: 10121, desc: over}},
		{"inactive threshold over the stream limit", "L", `{"durable_name":"g","ack_policy":"explicit","max_ack_pending":50,"inactive_threshold":100000000000}`,
			want{code: 10153, desc: "consumer inactive threshold exceeds system limit of 1m0s"},
			want{code: 10153, desc: "consumer inactive threshold exceeds system limit of 1m0s"}},
		{"backoff replaces ack wait", "T", `{"durable_name":"h","ack_policy":"explicit","backoff":[1000000000,2000000000]}`,
			want{ackWait: time.Second, maxDeliver: -1, maxAckPen: 1000},
			want{code: 10157, desc: "pedantic mode: first backoff value has to equal batch AckWait"}},
		{"backoff equal to ack wait", "T", `{"durable_name":"i","ack_policy":"explicit","ack_wait":1000000000,"backoff":[1000000000,2000000000]}`,
			want{ackWait: time.Second, maxDeliver: -1, maxAckPen: 1000},
			want{ackWait: time.Second, maxDeliver: -1, maxAckPen: 1000}},
		{"max deliver below -1", "T", `{"durable_name":"j","ack_policy":"explicit","max_deliver":-5}`,
			want{ackWait: 30 * time.Second, maxDeliver: -1, maxAckPen: 1000},
			want{code: 10157, desc: "pedantic mode: max_deliver must be set to -1"}},
		{"max ack pending below -1", "T", `{"durable_name":"k","ack_policy":"explicit","max_ack_pending":-5}`,
			want{ackWait: 30 * time.Second, maxDeliver: -1, maxAckPen: -1},
			want{code: 10157, desc: "pedantic mode: max_ack_pending must be set to -1"}},
		{"max deliver is checked first", "T", `{"durable_name":"l","ack_policy":"explicit","max_deliver":-3,"max_ack_pending":-4,"backoff":[1000000000]}`,
			want{ackWait: time.Second, maxDeliver: -1, maxAckPen: -1},
			want{code: 10157, desc: "pedantic mode: max_deliver must be set to -1"}},
		{"max ack pending before backoff", "T", `{"durable_name":"m","ack_policy":"explicit","max_ack_pending":-4,"backoff":[1000000000]}`,
			want{ackWait: time.Second, maxDeliver: -1, maxAckPen: -1},
			want{code: 10157, desc: "pedantic mode: max_ack_pending must be set to -1"}},
	}
	for _, tc := range cases {
		for _, pedantic := range []bool{true, false} { // pedantic first: it must create nothing
			w, mode := tc.plain, "plain"
			if pedantic {
				w, mode = tc.pedantic, "pedantic"
			}
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				body, err := json.Marshal(map[string]any{"stream_name": tc.stream, "config": json.RawMessage(tc.config), "pedantic": pedantic})
				if err != nil {
					t.Fatal(err)
				}
				var name struct {
					Durable string `json:"durable_name"`
				}
				if err := json.Unmarshal([]byte(tc.config), &name); err != nil {
					t.Fatal(err)
				}
				subj := "$JS.API.CONSUMER.CREATE." + tc.stream
				if name.Durable != "" {
					subj += "." + name.Durable
				}
				r := request(t, nc, subj, string(body))
				if w.code != 0 {
					wantAPIError(t, r, w.code, w.desc)
					return
				}
				wantOK(t, r)
				var info struct {
					Config struct {
						AckWait       time.Duration `json:"ack_wait"`
						Inactive      time.Duration `json:"inactive_threshold"`
						MaxDeliver    int           `json:"max_deliver"`
						MaxAckPending int           `json:"max_ack_pending"`
					} `json:"config"`
				}
				if err := json.Unmarshal(r.raw, &info); err != nil {
					t.Fatal(err)
				}
				got := want{ackWait: info.Config.AckWait, inactive: info.Config.Inactive,
					maxDeliver: info.Config.MaxDeliver, maxAckPen: info.Config.MaxAckPending}
				if got != w {
					t.Fatalf("config: got %+v, want %+v", got, w)
				}
			})
		}
	}
}
