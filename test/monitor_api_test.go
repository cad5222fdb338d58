package test

import (
	"encoding/json"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestMonitorMetricsAPIByType sends $JS.API requests of a few types, some
// failing, and reads them back from /metrics (parsed with the Prometheus
// text parser) by type; /jsz keeps the totals.
func TestMonitorMetricsAPIByType(t *testing.T) {
	if servertest.External() {
		t.Skip("nats-server has no /metrics (it relies on prometheus-nats-exporter)")
	}
	s := monitored(t, func(o *server.Options) { o.JetStream = true })
	nc := connect(t, s)
	requests := []struct {
		subject, body string
		fails         bool
	}{
		{"$JS.API.INFO", "", false},
		{"$JS.API.STREAM.CREATE.ORDERS", `{"name":"ORDERS","subjects":["orders.>"]}`, false},
		{"$JS.API.STREAM.CREATE.ORDERS", `{"name":"OTHER"}`, true}, // name mismatch
		{"$JS.API.STREAM.INFO.ORDERS", "", false},
		{"$JS.API.STREAM.INFO.ORDERS", "", false},
		{"$JS.API.STREAM.INFO.MISSING", "", true},
		{"$JS.API.CONSUMER.CREATE.ORDERS.audit", `{"stream_name":"ORDERS","config":{"name":"audit","ack_policy":"explicit"}}`, false},
		{"$JS.API.CONSUMER.INFO.ORDERS.audit", "", false},
		{"$JS.API.CONSUMER.INFO.ORDERS.nobody", "", true},
		{"$JS.API.STREAM.NAMES", "", false},
	}
	for _, r := range requests {
		msg, err := nc.Request(r.subject, []byte(r.body), 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", r.subject, err)
		}
		var resp struct {
			Error *struct{ Code int } `json:"error"`
		}
		if err := json.Unmarshal(msg.Data, &resp); err != nil || (resp.Error != nil) != r.fails {
			t.Fatalf("%s: %s (want failure: %v)", r.subject, msg.Data, r.fails)
		}
	}
	want := map[string][2]float64{ // requests, errors
		"INFO":            {1, 0},
		"STREAM.CREATE":   {2, 1},
		"STREAM.INFO":     {3, 1},
		"CONSUMER.CREATE": {1, 0},
		"CONSUMER.INFO":   {2, 1},
		"STREAM.NAMES":    {1, 0},
	}
	families := scrape(t, s)
	got := map[string][2]float64{}
	for i, name := range []string{"holdfast_jetstream_api_requests_total", "holdfast_jetstream_api_errors_total"} {
		f := families[name]
		if f == nil || f.GetType() != dto.MetricType_COUNTER {
			t.Fatalf("%s missing or not a counter: %v", name, f)
		}
		for _, m := range f.Metric {
			var typ string
			for _, l := range m.Label {
				if l.GetName() == "type" {
					typ = l.GetValue()
				}
			}
			c := got[typ]
			c[i] = m.Counter.GetValue()
			got[typ] = c
		}
	}
	for typ, w := range want {
		if got[typ] != w {
			t.Errorf("type %s: requests, errors = %v, want %v", typ, got[typ], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("types %v, want %v", got, want)
	}

	var jz struct {
		API struct{ Total, Errors uint64 } `json:"api"`
	}
	getJSON(t, s, "/jsz", &jz)
	if jz.API.Total != uint64(len(requests)) || jz.API.Errors != 3 {
		t.Errorf("/jsz api %+v, want total %d, errors 3", jz.API, len(requests))
	}
}
