package jsapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Samples of nats-server v2.15.2 responses, from the "observed" captures in
// JETSTREAM-API.md and JETSTREAM-MESSAGING.md. Abridged captures were
// completed with the fields the server always writes, in its key order.
// Each must decode strictly and re-encode to the same bytes.
var wireSamples = []struct {
	name string
	json string
	into func() any
}{
	{
		name: "account info, no limits (API §6)",
		json: `{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":0,"reserved_memory":0,"reserved_storage":0,"streams":0,"consumers":0,"limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false},"api":{"level":5,"total":0,"errors":0}}`,
		into: func() any { return new(AccountInfoResponse) },
	},
	{
		name: "stream create, defaults (API §3.1, §7)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"ORDERS","subjects":["orders.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.2"}},"created":"2026-11-25T10:05:09.038481594Z","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"cluster":{"leader":"hf1"},"ts":"2026-11-25T10:05:09.038635152Z","did_create":true}`,
		into: func() any { return new(StreamCreateResponse) },
	},
	{
		name: "KV bucket stream info with subjects (KV §10)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_info_response","total":2,"offset":0,"limit":100000,"config":{"name":"KV_cfg","subjects":["$KV.cfg.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":5,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":true,"consumer_limits":{},"allow_msg_ttl":true,"subject_delete_marker_ttl":900000000000},"created":"2026-11-25T10:06:35.1Z","state":{"messages":4,"bytes":180,"first_seq":1,"first_ts":"2026-11-25T10:06:35.2Z","last_seq":4,"last_ts":"2026-11-25T10:06:35.358165839Z","num_subjects":2,"subjects":{"$KV.cfg.a":3,"$KV.cfg.b":1},"consumer_count":0},"cluster":{"leader":"hf1"},"ts":"2026-11-25T10:06:36Z"}`,
		into: func() any { return new(StreamInfoResponse) },
	},
	{
		name: "stream info error keeps paging fields (API §1)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0}`,
		into: func() any { return new(StreamInfoResponse) },
	},
	{
		name: "purge error keeps purged (API §3.5)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_purge_response","error":{"code":400,"err_code":10003,"description":"bad request"},"purged":0}`,
		into: func() any { return new(StreamPurgeResponse) },
	},
	{
		name: "purge success",
		json: `{"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":12}`,
		into: func() any { return new(StreamPurgeResponse) },
	},
	{
		name: "stream delete",
		json: `{"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true}`,
		into: func() any { return new(StreamDeleteResponse) },
	},
	{
		name: "stream names, empty is null (API §3.6)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_names_response","total":0,"offset":0,"limit":1024,"streams":null}`,
		into: func() any { return new(StreamNamesResponse) },
	},
	{
		name: "stream list, empty is []",
		json: `{"type":"io.nats.jetstream.api.v1.stream_list_response","total":0,"offset":0,"limit":256,"streams":[]}`,
		into: func() any { return new(StreamListResponse) },
	},
	{
		name: "msg get (API §3.7)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"orders.a","seq":1,"hdrs":"TkFUUy8xLjANClgtRm9vOiBiYXINCg0K","data":"aGVsbG8=","time":"2026-11-25T10:05:09.038481594Z"}}`,
		into: func() any { return new(MsgGetResponse) },
	},
	{
		name: "msg get not found",
		json: `{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":404,"err_code":10037,"description":"no message found"}}`,
		into: func() any { return new(MsgGetResponse) },
	},
	{
		name: "consumer create, pull defaults (API §4.2)",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORDERS","name":"C2","created":"2026-11-25T10:07:00.5Z","config":{"name":"C2","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"filter_subject":"orders.a","replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"inactive_threshold":5000000000,"num_replicas":0,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.2"}},"delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":3,"ts":"2026-11-25T10:07:00.500123Z"}`,
		into: func() any { return new(ConsumerCreateResponse) },
	},
	{
		name: "consumer info, paused push with pins",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_info_response","stream_name":"ORDERS","name":"P","created":"2026-11-25T10:07:00Z","config":{"durable_name":"P","name":"P","deliver_policy":"by_start_sequence","opt_start_seq":4,"ack_policy":"all","ack_wait":30000000000,"max_deliver":-1,"backoff":[1000000000,5000000000],"filter_subjects":["a","b"],"replay_policy":"original","max_ack_pending":1000,"flow_control":true,"deliver_subject":"dlv","deliver_group":"q","idle_heartbeat":5000000000,"num_replicas":0,"pause_until":"2026-11-25T11:00:00Z","priority_groups":["g"],"priority_policy":"pinned_client","priority_timeout":120000000000},"delivered":{"consumer_seq":2,"stream_seq":5,"last_active":"2026-11-25T10:07:01Z"},"ack_floor":{"consumer_seq":1,"stream_seq":4,"last_active":"2026-11-25T10:07:02Z"},"num_ack_pending":1,"num_redelivered":0,"num_waiting":0,"num_pending":0,"push_bound":true,"paused":true,"pause_remaining":3000000000000,"ts":"2026-11-25T10:10:00Z","priority_groups":[{"group":"g","pinned_client_id":"abc","pinned_ts":"2026-11-25T10:07:00Z"}]}`,
		into: func() any { return new(ConsumerInfoResponse) },
	},
	{
		name: "consumer not found",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_info_response","error":{"code":404,"err_code":10014,"description":"consumer not found"}}`,
		into: func() any { return new(ConsumerInfoResponse) },
	},
	{
		name: "consumer names (API §4.5)",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_names_response","total":4,"offset":0,"limit":1024,"consumers":["C1","C2","D1","GxJzQ1MN"]}`,
		into: func() any { return new(ConsumerNamesResponse) },
	},
	{
		name: "consumer list, empty is []",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_list_response","total":0,"offset":0,"limit":256,"consumers":[]}`,
		into: func() any { return new(ConsumerListResponse) },
	},
	{
		name: "consumer pause resumed, zero time (API §4.6)",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_pause_response","paused":false,"pause_until":"0001-01-01T00:00:00Z"}`,
		into: func() any { return new(ConsumerPauseResponse) },
	},
	{
		name: "consumer unpin (API §4.7)",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_unpin_response"}`,
		into: func() any { return new(ConsumerUnpinResponse) },
	},
	{
		name: "consumer reset error keeps reset_seq",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_reset_response","error":{"code":400,"err_code":10204,"description":"invalid reset: not allowed"},"reset_seq":0}`,
		into: func() any { return new(ConsumerResetResponse) },
	},
	{
		name: "consumer delete",
		json: `{"type":"io.nats.jetstream.api.v1.consumer_delete_response","success":true}`,
		into: func() any { return new(ConsumerDeleteResponse) },
	},
	{
		name: "restore response (API §3.9)",
		json: `{"type":"io.nats.jetstream.api.v1.stream_restore_response","deliver_subject":"$JS.SNAPSHOT.RESTORE.ORDERS.abc"}`,
		into: func() any { return new(StreamRestoreResponse) },
	},
	{
		name: "PubAck error (MESSAGING §1.1)",
		json: `{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"ORDERS","seq":0}`,
		into: func() any { return new(PubAckResponse) },
	},
	{
		name: "PubAck too many requests",
		json: `{"error":{"code":429,"err_code":10167,"description":"too many requests"},"stream":"S","seq":0}`,
		into: func() any { return new(PubAckResponse) },
	},
	{
		name: "max deliveries advisory (MESSAGING §12)",
		json: `{"type":"io.nats.jetstream.advisory.v1.max_deliver","id":"WrVYxq3o","timestamp":"2026-11-25T10:08:10.997784175Z","stream":"IMD","consumer":"C","stream_seq":1,"deliveries":1}`,
		into: func() any { return new(MaxDeliverAdvisory) },
	},
	{
		name: "terminated advisory",
		json: `{"type":"io.nats.jetstream.advisory.v1.terminated","id":"WrVYxq3p","timestamp":"2026-11-25T10:08:11Z","stream":"IMD","consumer":"C2","consumer_seq":1,"stream_seq":1,"deliveries":1,"reason":"done here"}`,
		into: func() any { return new(TerminatedAdvisory) },
	},
	{
		name: "nak advisory",
		json: `{"type":"io.nats.jetstream.advisory.v1.nak","id":"WrVYxq3q","timestamp":"2026-11-25T10:08:12Z","stream":"IMD","consumer":"C","consumer_seq":1,"stream_seq":1,"deliveries":1}`,
		into: func() any { return new(NakAdvisory) },
	},
	{
		name: "ack metric",
		json: `{"type":"io.nats.jetstream.metric.v1.consumer_ack","id":"WrVYxq3r","timestamp":"2026-11-25T10:08:13Z","stream":"SMP","consumer":"S","consumer_seq":1,"stream_seq":1,"ack_time":603036915,"deliveries":1}`,
		into: func() any { return new(ConsumerAckMetric) },
	},
	{
		name: "stream action advisory",
		json: `{"type":"io.nats.jetstream.advisory.v1.stream_action","id":"WrVYxq3s","timestamp":"2026-11-25T10:08:14Z","stream":"S","action":"create","domain":"hub"}`,
		into: func() any { return new(StreamActionAdvisory) },
	},
}

func TestWireSamplesRoundTrip(t *testing.T) {
	for _, s := range wireSamples {
		t.Run(s.name, func(t *testing.T) {
			v := s.into()
			if err := Decode([]byte(s.json), v); err != nil {
				t.Fatalf("decode: %v", err)
			}
			got, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			// encoding/json escapes <, > and & (as nats-server's output
			// does); the captures show them literally.
			if unescapeHTML(got) != s.json {
				t.Errorf("re-encoded differently\n got: %s\nwant: %s", got, s.json)
			}
		})
	}
}

func unescapeHTML(b []byte) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

// TestWireSampleValues spot-checks decoded values of the samples.
func TestWireSampleValues(t *testing.T) {
	var cr StreamCreateResponse
	if err := Decode([]byte(wireSamples[1].json), &cr); err != nil {
		t.Fatal(err)
	}
	if cr.Err() != nil || cr.Config.MaxMsgSize != -1 || cr.Config.Duplicates != 2*time.Minute ||
		!cr.State.FirstTime.IsZero() || cr.Created.Nanosecond() != 38481594 || !cr.DidCreate {
		t.Errorf("stream create decoded wrongly: %+v", cr)
	}
	var ir StreamInfoResponse
	if err := Decode([]byte(wireSamples[3].json), &ir); err != nil {
		t.Fatal(err)
	}
	if ir.StreamInfo != nil || !errors.Is(ir.Err(), JSStreamNotFoundErr) {
		t.Errorf("stream info error decoded wrongly: %+v", ir)
	}
	var pa PubAckResponse
	if err := Decode([]byte(`{"stream":"ORDERS","seq":2,"duplicate": true}`), &pa); err != nil {
		t.Fatal(err)
	}
	if pa.Error != nil || pa.PubAck == nil || *pa.PubAck != (PubAck{Stream: "ORDERS", Sequence: 2, Duplicate: true}) {
		t.Errorf("duplicate PubAck decoded wrongly: %+v", pa)
	}
}

func TestPubAckAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		ack  PubAck
		want string
	}{
		{"stored", PubAck{Stream: "ORDERS", Sequence: 1}, `{"stream":"ORDERS","seq":1}`},
		{"domain", PubAck{Stream: "ORDERS", Domain: "hub", Sequence: 1}, `{"stream":"ORDERS","domain":"hub","seq":1}`},
		{"duplicate", PubAck{Stream: "ORDERS", Sequence: 2, Duplicate: true}, `{"stream":"ORDERS","seq":2,"duplicate": true}`},
		{"counter", PubAck{Stream: "S", Sequence: 7, Value: "42"}, `{"stream":"S","seq":7,"val":"42"}`},
		{"batch", PubAck{Stream: "S", Sequence: 9, BatchID: "b1", BatchSize: 3}, `{"stream":"S","seq":9,"batch":"b1","count":3}`},
		{"escaped", PubAck{Stream: "a\"b", Sequence: 1}, `{"stream":"a\"b","seq":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.ack.AppendJSON(nil)
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var back PubAck
			if err := json.Unmarshal(got, &back); err != nil || back != tt.ack {
				t.Errorf("decode %s = %+v, %v", got, back, err)
			}
		})
	}
}

// TestRequestsDecode decodes request bodies as clients send them.
func TestRequestsDecode(t *testing.T) {
	tests := []struct {
		name string
		json string
		into any
	}{
		{"stream create pedantic", `{"name":"S","subjects":["s.>"],"retention":"interest","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"discard":"new","max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"storage":"memory","num_replicas":1,"duplicate_window":0,"compression":"s2","allow_direct":true,"mirror_direct":false,"consumer_limits":{},"pedantic":true}`, new(StreamCreateRequest)},
		{"stream info", `{"deleted_details":true,"subjects_filter":">","offset":10}`, new(StreamInfoRequest)},
		{"stream names", `{"offset":0,"subject":"$KV.*.>"}`, new(StreamNamesRequest)},
		{"purge", `{"filter":"a.b","keep":1}`, new(StreamPurgeRequest)},
		{"msg get", `{"last_by_subj":"$KV.b.k","no_hdr":true}`, new(MsgGetRequest)},
		{"direct get batch", `{"seq":1,"batch":2,"max_bytes":100,"multi_last":["$KV.cfg.>"],"up_to_seq":9,"start_time":"2026-11-25T10:00:00Z"}`, new(MsgGetRequest)},
		{"msg delete", `{"seq":3,"no_erase":true}`, new(MsgDeleteRequest)},
		{"consumer create", `{"stream_name":"S","config":{"name":"C","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"replay_policy":"instant","num_replicas":0},"action":"create","pedantic":false}`, new(ConsumerCreateRequest)},
		{"consumer names", `{"offset":2}`, new(ConsumerNamesRequest)},
		{"pause", `{"pause_until":"2026-11-25T11:00:00Z"}`, new(ConsumerPauseRequest)},
		{"unpin", `{"group":"g"}`, new(ConsumerUnpinRequest)},
		{"reset", `{"seq":5}`, new(ConsumerResetRequest)},
		{"pull", `{"expires":30000000000,"batch":500,"max_bytes":1024,"idle_heartbeat":5000000000,"group":"g","min_pending":1,"min_ack_pending":2,"id":"pin","priority":3}`, new(NextRequest)},
		{"snapshot", `{"deliver_subject":"_INBOX.x","no_consumers":true,"chunk_size":131072,"window_size":8388608,"jsck":true}`, new(StreamSnapshotRequest)},
		{"restore", `{"config":{"name":"S","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"discard":"old","storage":"file","num_replicas":1,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false},"state":{"messages":1,"bytes":2,"first_seq":1,"first_ts":"0001-01-01T00:00:00Z","last_seq":1,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0}}`, new(StreamRestoreRequest)},
		{"step down", `{"placement":{"cluster":"c","preferred":"s1"}}`, new(LeaderStepDownRequest)},
		{"server remove", `{"peer":"s1","peer_id":"id"}`, new(MetaServerRemoveRequest)},
		{"nak delay", `{"delay":5000000000}`, new(NakOptions)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Decode([]byte(tt.json), tt.into); err != nil {
				t.Fatal(err)
			}
		})
	}
	var cr ConsumerCreateRequest
	if err := Decode([]byte(tests[7].json), &cr); err != nil || cr.Action != ActionCreate || cr.Config.AckPolicy != AckExplicit {
		t.Errorf("consumer create decoded wrongly: %+v, %v", cr, err)
	}
	var nr NextRequest
	if err := Decode([]byte(tests[12].json), &nr); err != nil || nr.Batch != 500 || nr.Group != "g" || nr.Priority != 3 {
		t.Errorf("pull request decoded wrongly: %+v, %v", nr, err)
	}
}
