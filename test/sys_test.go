package test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/holdfast-mq/holdfast/internal/auth"
	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// withSystemAccount configures an application user and a system-account
// user, as nats-server's `accounts { SYS: { users } }` + `system_account`.
func withSystemAccount(o *server.Options) {
	o.ServerName = "hf-sys"
	o.JetStream = true
	o.Users = []auth.User{{Name: "app", Password: "app"}}
	o.SystemAccount = "SYS"
	o.SystemUsers = []auth.User{{Name: "sys", Password: "sys"}}
}

// sysRequest sends a $SYS request as nc and decodes the reply's top level.
func sysRequest(t *testing.T, nc *nats.Conn, subj, body string) map[string]json.RawMessage {
	t.Helper()
	msg, err := nc.Request(subj, []byte(body), 10*time.Second)
	if err != nil {
		t.Fatalf("%s: %v", subj, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(msg.Data, &top); err != nil {
		t.Fatalf("%s: %v: %s", subj, err, msg.Data)
	}
	return top
}

// hasKeys fails unless the JSON object raw has every key; these are the
// field names nats-server 2.15.2 sends and natscli reads.
func hasKeys(t *testing.T, what string, raw json.RawMessage, keys ...string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v: %s", what, err, raw)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s lacks %q: %s", what, k, raw)
		}
	}
	return m
}

func TestSysServerRequests(t *testing.T) {
	s := servertest.New(t, withSystemAccount)
	sys := connect(t, s, nats.UserInfo("sys", "sys"))
	id := sys.ConnectedServerId()

	ping := sysRequest(t, sys, "$SYS.REQ.SERVER.PING", "")
	srv := hasKeys(t, "server", ping["server"], "name", "host", "id", "ver", "jetstream", "flags", "seq", "time")
	var name, gotID, ver string
	_ = json.Unmarshal(srv["name"], &name)
	_ = json.Unmarshal(srv["id"], &gotID)
	_ = json.Unmarshal(srv["ver"], &ver)
	if name != "hf-sys" || gotID != id || ver != "2.15.2" || string(srv["jetstream"]) != "true" {
		t.Errorf("server %s", ping["server"])
	}
	hasKeys(t, "statsz", ping["statsz"], "start", "mem", "cores", "cpu", "connections", "total_connections",
		"active_accounts", "subscriptions", "sent", "received", "slow_consumers", "active_servers", "jetstream", "gomaxprocs")

	for _, subj := range []string{"$SYS.REQ.SERVER.PING.VARZ", "$SYS.REQ.SERVER." + id + ".VARZ"} {
		v := sysRequest(t, sys, subj, "")
		data := hasKeys(t, subj, v["data"], "server_id", "server_name", "version", "connections", "in_msgs", "jetstream", "start", "now")
		if string(data["server_id"]) != `"`+id+`"` {
			t.Errorf("%s: server_id %s", subj, data["server_id"])
		}
	}
	jsz := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.JSZ", `{"accounts":true}`)
	hasKeys(t, "jsz", jsz["data"], "server_id", "now", "memory", "storage", "api", "config", "streams", "consumers", "messages", "bytes", "total")
	hz := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.HEALTHZ", "")
	if string(hz["data"]) != `{"status":"ok","status_code":200}` {
		t.Errorf("healthz %s", hz["data"])
	}
	cz := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.CONNZ", "")
	hasKeys(t, "connz", cz["data"], "server_id", "now", "num_connections", "total", "offset", "limit", "connections")
	sz := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.SUBSZ", "")
	hasKeys(t, "subsz", sz["data"], "server_id", "now", "num_subscriptions", "total", "offset", "limit")
	bad := sysRequest(t, sys, "$SYS.REQ.SERVER.PING.VARZ", "garbage")
	hasKeys(t, "error", bad["error"], "code", "description")
}

// TestSysServerFilter sends a PING for another server name, then one for
// this server: only the second is answered. The server answers $SYS requests
// in order, so an answer to the first would have arrived first.
func TestSysServerFilter(t *testing.T) {
	s := servertest.New(t, withSystemAccount)
	sys := connect(t, s, nats.UserInfo("sys", "sys"))
	inbox := sys.NewRespInbox()
	sub, err := sys.SubscribeSync(inbox + ".*")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ reply, body string }{
		{inbox + ".other", `{"server_name":"other-server"}`},
		{inbox + ".prefix", `{"server_name":"hf","exact_match":true}`},
		{inbox + ".mine", `{"server_name":"hf"}`},
	} {
		if err := sys.PublishRequest("$SYS.REQ.SERVER.PING.VARZ", r.reply, []byte(r.body)); err != nil {
			t.Fatal(err)
		}
	}
	if m := next(t, sub); m.Subject != inbox+".mine" {
		t.Fatalf("first answer on %s, want only the matching request answered", m.Subject)
	}
}

// TestSysRestricted: an application user cannot reach the $SYS services (no
// responders, as in nats-server, where they live in another account) and does
// not see a system user's $SYS traffic.
func TestSysRestricted(t *testing.T) {
	s := servertest.New(t, withSystemAccount)
	app := connect(t, s, nats.UserInfo("app", "app"))
	if _, err := app.Request("$SYS.REQ.SERVER.PING", nil, 10*time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("application user's PING: %v, want no responders", err)
	}
	spy, err := app.SubscribeSync("$SYS.>")
	if err != nil {
		t.Fatal(err)
	}
	flushed(t, app)
	sys := connect(t, s, nats.UserInfo("sys", "sys"))
	sysRequest(t, sys, "$SYS.REQ.SERVER.PING", "")
	// The PING reached the server before its answer left, so a copy for
	// the spy would be queued before this marker.
	if err := app.Publish("$SYS.marker", nil); err != nil {
		t.Fatal(err)
	}
	if m := next(t, spy); m.Subject != "$SYS.marker" {
		t.Fatalf("application user saw %s", m.Subject)
	}
}

// TestSysCLI runs `nats server ls`, `server info`, `server check server`
// and `server check jetstream` with the system user.
func TestSysCLI(t *testing.T) {
	s := servertest.New(t, withSystemAccount)
	sysArgs := []string{"--user", "sys", "--password", "sys"}
	out := cli(t, s, append(sysArgs, "server", "ls")...)
	if !strings.Contains(out, "hf-sys") || !strings.Contains(out, "2.15.2") {
		t.Errorf("server ls:\n%s", out)
	}
	out = cli(t, s, append(sysArgs, "server", "info")...)
	if !strings.Contains(out, "Server information for hf-sys") || !strings.Contains(out, "API Support Level") {
		t.Errorf("server info:\n%s", out)
	}
	out = cli(t, s, append(sysArgs, "server", "check", "server", "--name", "hf-sys")...)
	if !strings.HasPrefix(out, "OK hf-sys") {
		t.Errorf("server check server:\n%s", out)
	}
	// JetStream is an application account's: nats-server has none in the system account.
	out = cli(t, s, "--user", "app", "--password", "app", "server", "check", "jetstream")
	if !strings.HasPrefix(out, "OK JetStream") {
		t.Errorf("server check jetstream:\n%s", out)
	}
}
