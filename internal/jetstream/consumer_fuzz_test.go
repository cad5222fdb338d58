package jetstream

import (
	"testing"
	"time"
)

// FuzzNextRequest: pull request bodies never panic and always yield a
// positive batch when accepted.
func FuzzNextRequest(f *testing.F) {
	for _, s := range []string{"", "5", "-3", `{"batch":10,"expires":1000000000}`, `{"no_wait":true}`, `{"batch":"x"}`, "{", "  7  ", `{"idle_heartbeat":-1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nr, err := parseNextRequest(body)
		if err == nil && nr.Batch <= 0 {
			t.Fatalf("batch %d accepted from %q", nr.Batch, body)
		}
	})
}

// FuzzAckPayload: ack payloads never panic; NAK delays are never negative
// unless the client sent one.
func FuzzAckPayload(f *testing.F) {
	for _, s := range []string{"", "+ACK", "+OK", "-NAK", `-NAK {"delay":5000000000}`, "-NAK 5s", "-NAK garbage", "+WPI", "+NXT 5", `+NXT {"batch":2}`, "+TERM", "+TERM reason here", "bogus"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		kind, rest := parseAck(p)
		if kind == ackNak {
			_, _ = nakDelay(rest)
		}
		if kind == ackIgnore && rest != nil {
			t.Fatalf("ignored payload %q has a rest", p)
		}
	})
}

func TestNakDelay(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"", 0, ""},
		{`{"delay":5000000000}`, 5 * time.Second, ""},
		{`{"delay":1000000000,"error":"db down"}`, time.Second, "db down"},
		{`{"error":"bad input"}`, 0, "bad input"},
		{"2s", 2 * time.Second, ""},
		{"garbage", 0, ""},
		{`{"delay":"x"}`, 0, ""},
	}
	for _, tc := range tests {
		if got, errText := nakDelay([]byte(tc.in)); got != tc.want || errText != tc.wantErr {
			t.Errorf("nakDelay(%q) = %v %q, want %v %q", tc.in, got, errText, tc.want, tc.wantErr)
		}
	}
}
