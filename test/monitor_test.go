package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// These tests read the monitoring endpoints the way dashboards and probes do.
// They pass against nats-server 2.15.2 too (HOLDFAST_TEST_SERVER), which is how
// the field names and query options are checked: each required-field list
// below was captured from nats-server's answer to the same workload. Counters
// that nats-server's internal system clients also move are compared as deltas
// from a baseline taken before the workload.

// monitored starts a server with monitoring on a random port.
func monitored(t *testing.T, configure ...func(*server.Options)) *servertest.Server {
	t.Helper()
	s := servertest.New(t, append([]func(*server.Options){func(o *server.Options) { o.HTTPPort = server.RandomPort }}, configure...)...)
	if s.MonitorURL() == "" {
		t.Fatal("no monitor URL")
	}
	return s
}

// fetch GETs a monitoring path and returns the status and body.
func fetch(t *testing.T, s *servertest.Server, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(s.MonitorURL() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, body
}

// getJSON GETs a path that must answer 200 with JSON and decodes it into v.
func getJSON(t *testing.T, s *servertest.Server, path string, v any) {
	t.Helper()
	code, hdr, body := fetch(t, s, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// fields decodes a JSON object's keys.
func fields(t *testing.T, s *servertest.Server, path string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	getJSON(t, s, path, &m)
	return m
}

// requireKeys fails unless every name is a key of obj.
func requireKeys[V any](t *testing.T, what string, obj map[string]V, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			t.Errorf("%s: field %q missing", what, n)
		}
	}
}

// Field lists captured from nats-server 2.15.2 with `-m`, a subscriber and a publisher.
var (
	varzFields = []string{
		"server_id", "server_name", "version", "proto", "go", "host", "port", "max_connections",
		"ping_interval", "ping_max", "http_host", "http_port", "http_base_path", "https_port", "auth_timeout",
		"max_control_line", "max_payload", "max_pending", "cluster", "gateway", "leaf", "mqtt", "websocket",
		"jetstream", "tls_timeout", "write_deadline", "start", "now", "uptime", "mem", "cores", "gomaxprocs",
		"cpu", "connections", "total_connections", "routes", "remotes", "leafnodes", "in_msgs", "in_bytes",
		"in_client_msgs", "in_client_bytes", "out_msgs", "out_bytes", "out_client_msgs", "out_client_bytes",
		"slow_consumers", "stale_connections", "stalled_clients", "subscriptions", "http_req_stats",
		"config_load_time", "config_digest", "slow_consumer_stats", "stale_connection_stats",
	}
	connzFields     = []string{"server_id", "now", "num_connections", "total", "offset", "limit", "connections"}
	connInfoFields  = []string{"cid", "kind", "type", "ip", "port", "start", "last_activity", "uptime", "idle", "pending_bytes", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions", "name", "lang", "version"}
	subDetailFields = []string{"subject", "sid", "msgs", "cid"}
	subszFields     = []string{"server_id", "now", "num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout", "total", "offset", "limit"}
	jszFields       = []string{"memory", "storage", "reserved_memory", "reserved_storage", "accounts", "ha_assets", "api", "server_id", "now", "disabled", "config", "streams", "consumers", "messages", "bytes", "total"}
)

type varz struct {
	ServerID         string            `json:"server_id"`
	ServerName       string            `json:"server_name"`
	Version          string            `json:"version"`
	Host             string            `json:"host"`
	Port             int               `json:"port"`
	HTTPPort         int               `json:"http_port"`
	MaxPayload       int               `json:"max_payload"`
	MaxPending       int64             `json:"max_pending"`
	MaxConn          int               `json:"max_connections"`
	PingInterval     time.Duration     `json:"ping_interval"`
	Start            time.Time         `json:"start"`
	Now              time.Time         `json:"now"`
	Uptime           string            `json:"uptime"`
	Mem              int64             `json:"mem"`
	Cores            int               `json:"cores"`
	Connections      int               `json:"connections"`
	TotalConnections uint64            `json:"total_connections"`
	InMsgs           uint64            `json:"in_msgs"`
	InBytes          uint64            `json:"in_bytes"`
	OutMsgs          uint64            `json:"out_msgs"`
	OutBytes         uint64            `json:"out_bytes"`
	SlowConsumers    uint64            `json:"slow_consumers"`
	Subscriptions    int               `json:"subscriptions"`
	HTTPReqStats     map[string]uint64 `json:"http_req_stats"`
	SlowStats        struct {
		Clients uint64 `json:"clients"`
	} `json:"slow_consumer_stats"`
	JetStream map[string]json.RawMessage `json:"jetstream"`
}

type connz struct {
	ServerID string     `json:"server_id"`
	NumConns int        `json:"num_connections"`
	Total    int        `json:"total"`
	Offset   int        `json:"offset"`
	Limit    int        `json:"limit"`
	Conns    []connInfo `json:"connections"`
}

type connInfo struct {
	CID        uint64      `json:"cid"`
	Kind       string      `json:"kind"`
	Type       string      `json:"type"`
	IP         string      `json:"ip"`
	Port       int         `json:"port"`
	Start      time.Time   `json:"start"`
	Stop       *time.Time  `json:"stop"`
	Reason     string      `json:"reason"`
	Pending    int         `json:"pending_bytes"`
	InMsgs     uint64      `json:"in_msgs"`
	OutMsgs    uint64      `json:"out_msgs"`
	InBytes    uint64      `json:"in_bytes"`
	OutBytes   uint64      `json:"out_bytes"`
	NumSubs    int         `json:"subscriptions"`
	Name       string      `json:"name"`
	Lang       string      `json:"lang"`
	Version    string      `json:"version"`
	Uptime     string      `json:"uptime"`
	Idle       string      `json:"idle"`
	Subs       []string    `json:"subscriptions_list"`
	SubsDetail []subDetail `json:"subscriptions_list_detail"`
}

type subDetail struct {
	Account string `json:"account"`
	Subject string `json:"subject"`
	Queue   string `json:"qgroup"`
	SID     string `json:"sid"`
	Msgs    int64  `json:"msgs"`
	CID     uint64 `json:"cid"`
}

type subsz struct {
	NumSubs    int         `json:"num_subscriptions"`
	NumInserts uint64      `json:"num_inserts"`
	NumMatches uint64      `json:"num_matches"`
	Total      int         `json:"total"`
	Offset     int         `json:"offset"`
	Limit      int         `json:"limit"`
	Subs       []subDetail `json:"subscriptions_list"`
}

// flushed fails the test unless the server has processed everything nc sent.
func flushed(t *testing.T, nc *nats.Conn) {
	t.Helper()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestMonitorVarz(t *testing.T) {
	s := monitored(t)
	var before varz
	getJSON(t, s, "/varz", &before)

	sub := connect(t, s, nats.Name("mon-sub"))
	plain, err := sub.SubscribeSync("orders.>")
	if err != nil {
		t.Fatal(err)
	}
	queued, err := sub.QueueSubscribeSync("orders.new", "workers")
	if err != nil {
		t.Fatal(err)
	}
	flushed(t, sub)
	pub := connect(t, s, nats.Name("mon-pub"))
	payload := strings.Repeat("x", 100)
	for range 10 {
		if err := pub.Publish("orders.new", []byte(payload)); err != nil {
			t.Fatal(err)
		}
	}
	flushed(t, pub)
	for range 10 {
		next(t, plain)
		next(t, queued)
	}

	var v varz
	raw := fields(t, s, "/varz")
	requireKeys(t, "/varz", raw, varzFields...)
	getJSON(t, s, "/varz", &v)
	u, _ := url.Parse(s.MonitorURL())
	checks := []struct {
		name      string
		got, want any
	}{
		{"server_id", v.ServerID, pub.ConnectedServerId()},
		{"server_name", v.ServerName, pub.ConnectedServerName()},
		{"version", v.Version, "2.15.2"},
		{"port", fmt.Sprint(v.Port), strings.TrimPrefix(s.Addr(), "127.0.0.1:")},
		{"http_port", fmt.Sprint(v.HTTPPort), u.Port()},
		{"max_payload", v.MaxPayload, 1 << 20},
		{"max_pending", v.MaxPending, int64(64 << 20)},
		{"max_connections", v.MaxConn, 65536},
		{"ping_interval", v.PingInterval, 2 * time.Minute},
		{"connections", v.Connections - before.Connections, 2},
		{"total_connections", v.TotalConnections - before.TotalConnections, uint64(2)},
		{"subscriptions", v.Subscriptions - before.Subscriptions, 2},
		{"in_msgs", v.InMsgs - before.InMsgs, uint64(10)},
		{"in_bytes", v.InBytes - before.InBytes, uint64(1000)},
		{"out_msgs", v.OutMsgs - before.OutMsgs, uint64(20)},
		{"out_bytes", v.OutBytes - before.OutBytes, uint64(2000)},
		{"slow_consumers", v.SlowConsumers, uint64(0)},
		{"http_req_stats[/varz]", v.HTTPReqStats["/varz"] >= 2, true},
		{"jetstream", len(v.JetStream), 0},
		{"start before now", v.Start.Before(v.Now), true},
		{"uptime", strings.HasSuffix(v.Uptime, "s"), true},
		{"mem", v.Mem > 0, true},
		{"cores", v.Cores > 0, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("/varz %s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// connzWorkload opens three named connections, c1..c3, with 1..3
// subscriptions and 3, 1 and 2 published messages of 10 bytes each.
func connzWorkload(t *testing.T, s *servertest.Server) map[string]*nats.Conn {
	t.Helper()
	conns := map[string]*nats.Conn{}
	publishes := map[string]int{"c1": 3, "c2": 1, "c3": 2}
	for i, name := range []string{"c1", "c2", "c3"} {
		nc := connect(t, s, nats.Name(name))
		for j := range i + 1 {
			if _, err := nc.SubscribeSync(fmt.Sprintf("%s.s%d", name, j)); err != nil {
				t.Fatal(err)
			}
		}
		for range publishes[name] {
			if err := nc.Publish("sink", []byte("0123456789")); err != nil {
				t.Fatal(err)
			}
		}
		flushed(t, nc)
		conns[name] = nc
	}
	return conns
}

func names(cz connz) []string {
	var out []string
	for _, c := range cz.Conns {
		out = append(out, c.Name)
	}
	return out
}

func TestMonitorConnz(t *testing.T) {
	s := monitored(t)
	conns := connzWorkload(t, s)

	raw := fields(t, s, "/connz")
	requireKeys(t, "/connz", raw, connzFields...)
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw["connections"], &list); err != nil || len(list) != 3 {
		t.Fatalf("/connz connections: %v, %d entries", err, len(list))
	}
	requireKeys(t, "/connz connection", list[0], connInfoFields...)

	var cz connz
	getJSON(t, s, "/connz", &cz)
	if cz.NumConns != 3 || cz.Total != 3 || cz.Offset != 0 || cz.Limit != 1024 || cz.ServerID != conns["c1"].ConnectedServerId() {
		t.Fatalf("/connz header: %+v", cz)
	}
	if got := names(cz); !slices.Equal(got, []string{"c1", "c2", "c3"}) {
		t.Fatalf("/connz default order %v, want by cid", got)
	}
	for i, c := range cz.Conns {
		wantIn := []uint64{3, 1, 2}[i]
		if c.NumSubs != i+1 || c.InMsgs != wantIn || c.InBytes != 10*wantIn || c.OutMsgs != 0 ||
			c.Kind != "Client" || c.Type != "nats" || c.IP != "127.0.0.1" || c.Port == 0 ||
			c.Lang != "go" || c.Version != nats.Version || c.Uptime == "" || c.Idle == "" || c.Stop != nil {
			t.Errorf("/connz %s: %+v", c.Name, c)
		}
		if i > 0 && c.CID <= cz.Conns[i-1].CID {
			t.Errorf("/connz cids not ascending: %d after %d", c.CID, cz.Conns[i-1].CID)
		}
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"sort=cid", []string{"c1", "c2", "c3"}},
		{"sort=start", []string{"c1", "c2", "c3"}},
		{"sort=subs", []string{"c3", "c2", "c1"}},
		{"sort=msgs_from", []string{"c1", "c3", "c2"}},
		{"sort=bytes_from", []string{"c1", "c3", "c2"}},
		{"sort=subs&offset=1&limit=1", []string{"c2"}},
		{"sort=subs&offset=2", []string{"c1"}},
		{"offset=5", nil},
		{"cid=" + fmt.Sprint(cz.Conns[1].CID), []string{"c2"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var got connz
			getJSON(t, s, "/connz?"+tc.query, &got)
			if !slices.Equal(names(got), tc.want) || got.NumConns != len(tc.want) {
				t.Fatalf("got %v (num_connections %d), want %v", names(got), got.NumConns, tc.want)
			}
		})
	}
	var paged connz
	getJSON(t, s, "/connz?offset=1&limit=1", &paged)
	if paged.Total != 3 || paged.Offset != 1 || paged.Limit != 1 {
		t.Errorf("paging header: total %d offset %d limit %d", paged.Total, paged.Offset, paged.Limit)
	}
	// The rest order by values this workload does not control; they must be accepted.
	for _, key := range []string{"pending", "msgs_to", "bytes_to", "last", "idle", "uptime", "rtt"} {
		var got connz
		getJSON(t, s, "/connz?sort="+key, &got)
		if got.NumConns != 3 {
			t.Errorf("sort=%s: %d connections", key, got.NumConns)
		}
	}
	for _, q := range []string{"sort=bogus", "sort=stop", "sort=reason", "state=bogus", "limit=x", "subs=maybe"} {
		if code, _, body := fetch(t, s, "/connz?"+q); code != http.StatusBadRequest {
			t.Errorf("/connz?%s: status %d (%s), want 400", q, code, body)
		}
	}
}

func TestMonitorConnzSubs(t *testing.T) {
	s := monitored(t)
	nc := connect(t, s, nats.Name("subs"))
	plain, _ := nc.SubscribeSync("a.b")
	if _, err := nc.QueueSubscribeSync("a.*", "q"); err != nil {
		t.Fatal(err)
	}
	flushed(t, nc)
	if err := nc.Publish("a.b", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	flushed(t, nc)
	next(t, plain)

	var cz connz
	getJSON(t, s, "/connz?subs=true", &cz)
	if len(cz.Conns) != 1 || !slices.Equal(sorted(cz.Conns[0].Subs), []string{"a.*", "a.b"}) {
		t.Fatalf("/connz?subs=true: %+v", cz.Conns)
	}
	raw := fields(t, s, "/connz?subs=detail")
	var list []struct {
		Detail []map[string]json.RawMessage `json:"subscriptions_list_detail"`
	}
	if err := json.Unmarshal(raw["connections"], &list); err != nil || len(list) != 1 || len(list[0].Detail) == 0 {
		t.Fatalf("decode: %v", err)
	}
	requireKeys(t, "subscriptions_list_detail", list[0].Detail[0], subDetailFields...)
	getJSON(t, s, "/connz?subs=detail", &cz)
	details := cz.Conns[0].SubsDetail
	slices.SortFunc(details, func(a, b subDetail) int { return strings.Compare(a.Subject, b.Subject) })
	want := []subDetail{
		{Subject: "a.*", Queue: "q", SID: "2", Msgs: 1, CID: cz.Conns[0].CID},
		{Subject: "a.b", SID: "1", Msgs: 1, CID: cz.Conns[0].CID},
	}
	if !slices.Equal(details, want) {
		t.Fatalf("/connz?subs=detail:\n got %+v\nwant %+v", details, want)
	}
}

func TestMonitorConnzAuth(t *testing.T) {
	s := monitored(t, func(o *server.Options) { o.Username, o.Password = "alice", "secret" })
	connect(t, s, nats.UserInfo("alice", "secret"))
	var cz struct {
		Conns []struct {
			User    string `json:"authorized_user"`
			Account string `json:"account"`
			NameTag string `json:"name_tag"`
		} `json:"connections"`
	}
	getJSON(t, s, "/connz?auth=true", &cz)
	if len(cz.Conns) != 1 || cz.Conns[0].User != "alice" || cz.Conns[0].NameTag != "$G" || cz.Conns[0].Account != "" {
		t.Fatalf("/connz?auth=true: %+v", cz.Conns)
	}
	var plain struct {
		Conns []map[string]any `json:"connections"`
	}
	getJSON(t, s, "/connz", &plain)
	if _, ok := plain.Conns[0]["authorized_user"]; ok {
		t.Fatal("authorized_user shown without auth=true")
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestMonitorSubsz(t *testing.T) {
	s := monitored(t)
	nc := connect(t, s)
	for _, sub := range []struct{ subj, queue string }{{"a.b", ""}, {"a.*", ""}, {"x.>", "q"}} {
		if _, err := nc.QueueSubscribeSync(sub.subj, sub.queue); err != nil {
			t.Fatal(err)
		}
	}
	flushed(t, nc)
	for range 3 {
		nc.Publish("a.b", nil)
	}
	flushed(t, nc)

	raw := fields(t, s, "/subsz")
	requireKeys(t, "/subsz", raw, subszFields...)
	var sz subsz
	getJSON(t, s, "/subsz", &sz)
	if sz.NumSubs < 3 || sz.Total != 0 || sz.Subs != nil || sz.Limit != 1024 || sz.NumInserts < 3 || sz.NumMatches < 3 {
		t.Fatalf("/subsz: %+v", sz)
	}
	getJSON(t, s, "/subsz?subs=1&test=a.b", &sz)
	if sz.Total != 2 || len(sz.Subs) != 2 {
		t.Fatalf("/subsz?subs=1&test=a.b: %+v", sz)
	}
	for _, d := range sz.Subs {
		if d.Account != "$G" || (d.Subject != "a.b" && d.Subject != "a.*") || d.SID == "" || d.CID == 0 {
			t.Errorf("subscription %+v", d)
		}
	}
	getJSON(t, s, "/subsz?subs=1&test=x.y.z", &sz)
	if sz.Total != 1 || len(sz.Subs) != 1 || sz.Subs[0].Subject != "x.>" || sz.Subs[0].Queue != "q" {
		t.Fatalf("/subsz?subs=1&test=x.y.z: %+v", sz)
	}
	getJSON(t, s, "/subsz?subs=1&test=a.b&offset=1&limit=1", &sz)
	if sz.Total != 2 || len(sz.Subs) != 1 || sz.Offset != 1 || sz.Limit != 1 {
		t.Fatalf("/subsz paged: %+v", sz)
	}
}

func TestMonitorHealthz(t *testing.T) {
	s := monitored(t)
	for _, q := range []string{"", "?js-enabled-only=true", "?js-server-only=true", "?js-enabled-only=1&js-server-only=false"} {
		code, hdr, body := fetch(t, s, "/healthz"+q)
		if code != http.StatusOK || string(body) != `{"status":"ok"}` || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("/healthz%s: %d %q %q", q, code, hdr.Get("Content-Type"), body)
		}
	}
	if code, _, body := fetch(t, s, "/healthz?js-enabled-only=maybe"); code != http.StatusBadRequest {
		t.Errorf("bad option: %d %s", code, body)
	}
}

func TestMonitorJszDisabled(t *testing.T) {
	s := monitored(t)
	raw := fields(t, s, "/jsz")
	requireKeys(t, "/jsz", raw, jszFields...)
	var jz struct {
		Disabled bool `json:"disabled"`
		Streams  int  `json:"streams"`
		Config   struct {
			MaxMemory int64 `json:"max_memory"`
		} `json:"config"`
		API struct {
			Level int `json:"level"`
		} `json:"api"`
		Accounts []json.RawMessage `json:"account_details"`
	}
	getJSON(t, s, "/jsz?accounts=true&streams=true&consumers=true&config=true", &jz)
	if !jz.Disabled || jz.Streams != 0 || jz.Config.MaxMemory != 0 || jz.API.Level != 0 || jz.Accounts != nil {
		t.Fatalf("/jsz disabled form: %+v", jz)
	}
	if code, _, _ := fetch(t, s, "/jsz?accounts=maybe"); code != http.StatusBadRequest {
		t.Errorf("/jsz?accounts=maybe: %d, want 400", code)
	}
}

func TestMonitorClusterAndAccounts(t *testing.T) {
	s := monitored(t)
	connect(t, s)
	var routez struct {
		NumRoutes int               `json:"num_routes"`
		Routes    []json.RawMessage `json:"routes"`
		Name      string            `json:"server_name"`
	}
	getJSON(t, s, "/routez", &routez)
	if routez.NumRoutes != 0 || routez.Routes == nil || len(routez.Routes) != 0 || routez.Name == "" {
		t.Errorf("/routez: %+v", routez)
	}
	var gatewayz struct {
		Out map[string]any `json:"outbound_gateways"`
		In  map[string]any `json:"inbound_gateways"`
	}
	getJSON(t, s, "/gatewayz", &gatewayz)
	if gatewayz.Out == nil || gatewayz.In == nil || len(gatewayz.Out)+len(gatewayz.In) != 0 {
		t.Errorf("/gatewayz: %+v", gatewayz)
	}
	var leafz struct {
		N     int               `json:"leafnodes"`
		Leafs []json.RawMessage `json:"leafs"`
	}
	getJSON(t, s, "/leafz", &leafz)
	if leafz.N != 0 || leafz.Leafs == nil {
		t.Errorf("/leafz: %+v", leafz)
	}
	var accountz struct {
		Accounts []string `json:"accounts"`
	}
	getJSON(t, s, "/accountz", &accountz)
	if !slices.Contains(accountz.Accounts, "$G") {
		t.Errorf("/accountz: %+v", accountz)
	}
	var detail struct {
		Detail struct {
			Name      string `json:"account_name"`
			Clients   int    `json:"client_connections"`
			JetStream bool   `json:"jetstream_enabled"`
		} `json:"account_detail"`
	}
	getJSON(t, s, "/accountz?acc=$G", &detail)
	if detail.Detail.Name != "$G" || detail.Detail.Clients != 1 || detail.Detail.JetStream {
		t.Errorf("/accountz?acc=$G: %+v", detail)
	}
}

func TestMonitorSlowConsumer(t *testing.T) {
	s := monitored(t, func(o *server.Options) { o.MaxPending = 4096 })
	closed := make(chan struct{})
	slow := connect(t, s, nats.NoReconnect(), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if _, err := slow.SubscribeSync("big"); err != nil {
		t.Fatal(err)
	}
	flushed(t, slow)
	var before varz
	getJSON(t, s, "/varz", &before)
	pub := connect(t, s)
	// One message whose MSG line and payload pass max_pending on their own.
	if err := pub.Publish("big", make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	flushed(t, pub)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("slow consumer was not disconnected")
	}
	var v varz
	getJSON(t, s, "/varz", &v)
	if v.SlowConsumers-before.SlowConsumers != 1 || v.SlowStats.Clients != v.SlowConsumers {
		t.Fatalf("slow_consumers %d (before %d), slow_consumer_stats.clients %d", v.SlowConsumers, before.SlowConsumers, v.SlowStats.Clients)
	}
	if servertest.External() {
		return
	}
	if got := scrape(t, s)["holdfast_slow_consumers_total"]; value(got) != 1 {
		t.Fatalf("holdfast_slow_consumers_total = %v", value(got))
	}
}

// scrape fetches /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, s *servertest.Server) map[string]*dto.MetricFamily {
	t.Helper()
	code, hdr, body := fetch(t, s, "/metrics")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", code, hdr.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return families
}

// value is the value of a family's only unlabelled counter or gauge.
func value(f *dto.MetricFamily) float64 {
	if f == nil || len(f.Metric) != 1 {
		return -1
	}
	m := f.Metric[0]
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

func TestMonitorMetrics(t *testing.T) {
	if servertest.External() {
		t.Skip("nats-server has no /metrics (it relies on prometheus-nats-exporter)")
	}
	s := monitored(t)
	sub := connect(t, s)
	ss, err := sub.SubscribeSync("m.*")
	if err != nil {
		t.Fatal(err)
	}
	flushed(t, sub)
	pub := connect(t, s)
	for range 4 {
		if err := pub.Publish("m.x", []byte("12345")); err != nil {
			t.Fatal(err)
		}
	}
	flushed(t, pub)
	for range 4 {
		next(t, ss)
	}
	families := scrape(t, s)
	for name, want := range map[string]struct {
		typ dto.MetricType
		val float64
	}{
		"holdfast_connections":          {dto.MetricType_GAUGE, 2},
		"holdfast_connections_total":    {dto.MetricType_COUNTER, 2},
		"holdfast_subscriptions":        {dto.MetricType_GAUGE, 1},
		"holdfast_in_messages_total":    {dto.MetricType_COUNTER, 4},
		"holdfast_in_bytes_total":       {dto.MetricType_COUNTER, 20},
		"holdfast_out_messages_total":   {dto.MetricType_COUNTER, 4},
		"holdfast_out_bytes_total":      {dto.MetricType_COUNTER, 20},
		"holdfast_slow_consumers_total": {dto.MetricType_COUNTER, 0},
		"holdfast_jetstream_enabled":    {dto.MetricType_GAUGE, 0},
	} {
		f := families[name]
		if f == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if f.GetType() != want.typ || value(f) != want.val {
			t.Errorf("%s: %v %v, want %v %v", name, f.GetType(), value(f), want.typ, want.val)
		}
	}
	info := families["holdfast_info"]
	if info == nil || len(info.Metric) != 1 {
		t.Fatal("holdfast_info missing")
	}
	labels := map[string]string{}
	for _, l := range info.Metric[0].Label {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["server_id"] != pub.ConnectedServerId() || labels["compat_version"] != "2.15.2" || labels["version"] != server.Version {
		t.Errorf("holdfast_info labels %v", labels)
	}
	if families["go_goroutines"] == nil {
		t.Error("Go runtime metrics missing")
	}
	// No stream metrics while JetStream is disabled.
	if families["holdfast_stream_messages"] != nil {
		t.Error("stream metrics without JetStream")
	}
}

func TestMonitorLifecycle(t *testing.T) {
	if servertest.External() {
		t.Skip("checks the in-process listener")
	}
	off := servertest.New(t)
	if off.Srv.MonitorAddr() != nil || off.MonitorURL() != "" {
		t.Fatalf("monitoring on without HTTPPort: %v", off.Srv.MonitorAddr())
	}
	s := monitored(t)
	base := s.MonitorURL()
	code, hdr, body := fetch(t, s, "/")
	if code != http.StatusOK || !strings.Contains(string(body), "/varz") || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", code, body)
	}
	if code, _, _ := fetch(t, s, "/nope"); code != http.StatusNotFound {
		t.Fatalf("/nope: %d", code)
	}
	s.Shutdown()
	if resp, err := http.Get(base + "/varz"); err == nil {
		resp.Body.Close()
		t.Fatal("monitor still answering after Shutdown")
	}
}

func TestMonitorPortInUse(t *testing.T) {
	if servertest.External() {
		t.Skip("checks the in-process server")
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	srv, err := server.New(&server.Options{Host: "127.0.0.1", Port: server.RandomPort, HTTPPort: busy.Addr().(*net.TCPAddr).Port})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err == nil {
		srv.Shutdown(t.Context())
		t.Fatal("Start succeeded with the monitoring port taken")
	}
	if srv.Addr() != nil || srv.MonitorAddr() != nil {
		t.Fatalf("listeners left open: %v %v", srv.Addr(), srv.MonitorAddr())
	}
}
