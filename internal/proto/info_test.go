package proto

import (
	"encoding/json"
	"testing"
)

func TestDecodeConnectDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, in                string
		verbose, pedantic, echo bool
		headers, noResponders   bool
		protocol                int
	}{
		{"empty object", `{}`, true, true, true, false, false, 0},
		{"nats.go", `{"verbose":false,"pedantic":false,"tls_required":false,"name":"","lang":"go","version":"1.55.0","protocol":1,"echo":true,"headers":true,"no_responders":true}`,
			false, false, true, true, true, 1},
		{"no echo", `{"echo":false}`, true, true, false, false, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ci, err := DecodeConnect([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if ci.Verbose != tc.verbose || ci.Pedantic != tc.pedantic || ci.Echo != tc.echo ||
				ci.Headers != tc.headers || ci.NoResponders != tc.noResponders || ci.Protocol != tc.protocol {
				t.Errorf("got %+v", ci)
			}
		})
	}
	if _, err := DecodeConnect([]byte(`{"verbose":`)); err == nil {
		t.Error("bad JSON decoded")
	}
}

func TestConnectFields(t *testing.T) {
	ci, err := DecodeConnect([]byte(`{"user":"u","pass":"p","auth_token":"t","jwt":"j","nkey":"UA","sig":"s","name":"n","account":"A","new_account":true}`))
	if err != nil {
		t.Fatal(err)
	}
	want := ConnectInfo{Verbose: true, Pedantic: true, Echo: true, User: "u", Pass: "p", AuthToken: "t", JWT: "j", Nkey: "UA", Sig: "s", Name: "n", Account: "A", NewAccount: true}
	if ci != want {
		t.Errorf("got %+v\nwant %+v", ci, want)
	}
}

// TestServerInfoJSON checks field names, order and omitempty against the
// INFO observed from nats-server (PROTOCOL.md §4).
func TestServerInfoJSON(t *testing.T) {
	info := ServerInfo{
		ServerID: "NB", ServerName: "ref1", Version: "2.15.2", Proto: 1, GoVersion: "go1.26.8",
		Host: "127.0.0.1", Port: 14222, Headers: true, MaxPayload: 1048576, JetStream: true,
		ClientID: 5, ClientIP: "127.0.0.1", APILevel: 5, XKey: "XD",
	}
	got, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"server_id":"NB","server_name":"ref1","version":"2.15.2","proto":1,"go":"go1.26.8","host":"127.0.0.1","port":14222,"headers":true,"max_payload":1048576,"jetstream":true,"client_id":5,"client_ip":"127.0.0.1","api_lvl":5,"xkey":"XD"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got, _ = json.Marshal(ServerInfo{})
	if want := `{"server_id":"","server_name":"","version":"","proto":0,"go":"","host":"","port":0,"headers":false,"max_payload":0}`; string(got) != want {
		t.Errorf("zero value: got %s", got)
	}
}
