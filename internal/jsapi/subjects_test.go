package jsapi

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseAckSubject(t *testing.T) {
	tests := []struct {
		subject string
		want    AckMeta
		wantErr bool
	}{
		{
			subject: "$JS.ACK.ORDERS.C1.1.1.1.1795601120344492620.3",
			want:    AckMeta{Stream: "ORDERS", Consumer: "C1", Delivered: 1, StreamSeq: 1, ConsumerSeq: 1, Timestamp: 1795601120344492620, Pending: 3},
		},
		{
			subject: "$JS.ACK._.AbCd1234.ORDERS.C1.2.5.7.1795601120344492620.0",
			want:    AckMeta{AccountHash: "AbCd1234", Stream: "ORDERS", Consumer: "C1", Delivered: 2, StreamSeq: 5, ConsumerSeq: 7, Timestamp: 1795601120344492620},
		},
		{
			subject: "$JS.ACK.hub.AbCd1234.S.C.1.2.3.4.5.extra",
			want:    AckMeta{Domain: "hub", AccountHash: "AbCd1234", Stream: "S", Consumer: "C", Delivered: 1, StreamSeq: 2, ConsumerSeq: 3, Timestamp: 4, Pending: 5},
		},
		{subject: "$JS.ACK.S.C.1.2.3.4", wantErr: true},                      // 8 tokens
		{subject: "$JS.ACK.x.S.C.1.2.3.4.5", wantErr: true},                  // 10 tokens
		{subject: "$JS.ACK.S.C.1.2.x.4.5", wantErr: true},                    // not a number
		{subject: "$JS.ACK.S.C.1.2.-3.4.5", wantErr: true},                   // negative
		{subject: "$JS.ACK..C.1.2.3.4.5", wantErr: true},                     // empty stream
		{subject: "$JS.FC.S.C.1.2.3.4.5", wantErr: true},                     // wrong prefix
		{subject: "_INBOX.ACK.S.C.1.2.3.4.5", wantErr: true},                 // wrong prefix
		{subject: "$JS.ACK.S.C.1.2.3.4.99999999999999999999", wantErr: true}, // overflow
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			got, err := ParseAckSubject(tt.subject)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestAppendAckSubject(t *testing.T) {
	m := AckMeta{Stream: "ORDERS", Consumer: "C1", Delivered: 1, StreamSeq: 2, ConsumerSeq: 3, Timestamp: 1795601120344492620, Pending: 4}
	got := string(m.AppendAckSubject(nil))
	want := fmt.Sprintf(AckSubjectT, "ORDERS", "C1", 1, 2, 3, int64(1795601120344492620), 4)
	if got != want || got != "$JS.ACK.ORDERS.C1.1.2.3.1795601120344492620.4" {
		t.Fatalf("got %s, want %s", got, want)
	}
	back, err := ParseAckSubject(got)
	if err != nil || back != m {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}

// TestSubjectTemplates checks the templates against their wildcard forms
// and the token positions.
func TestSubjectTemplates(t *testing.T) {
	pairs := []struct{ tmpl, pattern string }{
		{APIStreamCreateT, APIStreamCreate}, {APIStreamUpdateT, APIStreamUpdate},
		{APIStreamInfoT, APIStreamInfo}, {APIStreamDeleteT, APIStreamDelete},
		{APIStreamPurgeT, APIStreamPurge}, {APIStreamSnapshotT, APIStreamSnapshot},
		{APIStreamRestoreT, APIStreamRestore}, {APIMsgGetT, APIMsgGet}, {APIMsgDeleteT, APIMsgDelete},
		{APIDirectGetT, APIDirectGet}, {APIConsumerCreateT, APIConsumerCreate},
		{APIConsumerNamesT, APIConsumerNames}, {APIConsumerListT, APIConsumerList},
		{APIConsumerInfoT, APIConsumerInfo}, {APIConsumerDeleteT, APIConsumerDelete},
		{APIConsumerPauseT, APIConsumerPause}, {APIConsumerUnpinT, APIConsumerUnpin},
		{APIConsumerResetT, APIConsumerReset}, {APIRequestNextT, APIRequestNext},
		{APIDurableCreateT, APIDurableCreate}, {APIStreamLeaderStepDownT, APIStreamLeaderStepDown},
		{APIConsumerLeaderStepDownT, APIConsumerLeaderStepDown}, {APIStreamRemovePeerT, APIStreamRemovePeer},
		{APIAccountPurgeT, APIAccountPurge}, {APIAccountStreamMoveT, APIAccountStreamMove},
		{APIAccountStreamCancelMoveT, APIAccountStreamCancelMove},
	}
	for _, p := range pairs {
		if got := strings.ReplaceAll(p.tmpl, "%s", "*"); got != p.pattern {
			t.Errorf("%s does not match %s", p.tmpl, p.pattern)
		}
	}
	toks := strings.Split(fmt.Sprintf(APIConsumerInfoT, "S", "C"), ".")
	if toks[APIStreamToken-1] != "S" || toks[APIConsumerToken-1] != "C" {
		t.Errorf("token positions wrong: %v", toks)
	}
	if got := fmt.Sprintf(APIConsumerCreateFilteredT, "S", "C", "orders.*"); got != "$JS.API.CONSUMER.CREATE.S.C.orders.*" {
		t.Errorf("filtered create = %s", got)
	}
}
