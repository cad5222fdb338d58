package proto

import (
	"encoding/json"
	"fmt"
)

// ServerInfo is the JSON of the INFO op (PROTOCOL.md §4). Field order and
// omitempty follow nats-server, so that encoding/json output matches the
// observed INFO line; clients must not depend on the order.
type ServerInfo struct {
	ServerID       string   `json:"server_id"`
	ServerName     string   `json:"server_name"`
	Version        string   `json:"version"`
	Proto          int      `json:"proto"`
	GitCommit      string   `json:"git_commit,omitempty"`
	GoVersion      string   `json:"go"`
	Host           string   `json:"host"`
	Port           int      `json:"port"`
	Headers        bool     `json:"headers"`
	AuthRequired   bool     `json:"auth_required,omitempty"`
	TLSRequired    bool     `json:"tls_required,omitempty"`
	TLSVerify      bool     `json:"tls_verify,omitempty"`
	TLSAvailable   bool     `json:"tls_available,omitempty"`
	MaxPayload     int32    `json:"max_payload"`
	JetStream      bool     `json:"jetstream,omitempty"`
	IP             string   `json:"ip,omitempty"`
	ClientID       uint64   `json:"client_id,omitempty"`
	ClientIP       string   `json:"client_ip,omitempty"`
	Nonce          string   `json:"nonce,omitempty"`
	Cluster        string   `json:"cluster,omitempty"`
	ClusterDynamic bool     `json:"cluster_dynamic,omitempty"`
	Domain         string   `json:"domain,omitempty"`
	ConnectURLs    []string `json:"connect_urls,omitempty"`
	WSConnectURLs  []string `json:"ws_connect_urls,omitempty"`
	LameDuckMode   bool     `json:"ldm,omitempty"`
	Compression    string   `json:"compression,omitempty"`
	ConnectInfo    bool     `json:"connect_info,omitempty"`
	RemoteAccount  string   `json:"remote_account,omitempty"`
	IsSystemAcc    bool     `json:"acc_is_sys,omitempty"`
	APILevel       int      `json:"api_lvl,omitempty"`
	XKey           string   `json:"xkey,omitempty"`
}

// ConnectInfo is the JSON of the CONNECT op (PROTOCOL.md §5). Tags and
// omitempty follow what nats.go sends. Decode it with DecodeConnect, which
// applies the server's defaults for absent fields.
type ConnectInfo struct {
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	JWT          string `json:"jwt,omitempty"`
	Nkey         string `json:"nkey,omitempty"`
	Sig          string `json:"sig,omitempty"`
	User         string `json:"user,omitempty"`
	Pass         string `json:"pass,omitempty"`
	AuthToken    string `json:"auth_token,omitempty"`
	TLSRequired  bool   `json:"tls_required"`
	Name         string `json:"name"`
	Lang         string `json:"lang"`
	Version      string `json:"version"`
	Protocol     int    `json:"protocol"`
	Echo         bool   `json:"echo"`
	Headers      bool   `json:"headers"`
	NoResponders bool   `json:"no_responders"`

	// Account and NewAccount are never sent by clients; a CONNECT that sets
	// either is an Authorization Violation (PROTOCOL.md §5).
	Account    string `json:"account,omitempty"`
	NewAccount bool   `json:"new_account,omitempty"`
}

// DecodeConnect decodes the Arg of a CONNECT op. Verbose, Pedantic and Echo
// are true unless the JSON sets them, as nats-server pre-fills them before
// decoding (PROTOCOL.md §5, §12.2); every other absent field is zero.
// It checks JSON syntax only; semantic checks (protocol 0 or 1,
// no_responders needs headers, auth) are the caller's.
func DecodeConnect(arg []byte) (ConnectInfo, error) {
	ci := ConnectInfo{Verbose: true, Pedantic: true, Echo: true}
	if err := json.Unmarshal(arg, &ci); err != nil {
		return ConnectInfo{}, fmt.Errorf("proto: decode CONNECT: %w", err)
	}
	return ci, nil
}
