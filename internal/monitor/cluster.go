package monitor

import (
	"net/http"
	"time"
)

// holdfast is a single server: /routez, /gatewayz and /leafz answer in the
// shape nats-server uses when none are configured, so tools that poll them
// keep working.

// Routez is the /routez response.
type Routez struct {
	ID        string     `json:"server_id"`
	Name      string     `json:"server_name"`
	Now       time.Time  `json:"now"`
	NumRoutes int        `json:"num_routes"`
	Routes    []struct{} `json:"routes"`
}

// Gatewayz is the /gatewayz response.
type Gatewayz struct {
	ID               string              `json:"server_id"`
	Now              time.Time           `json:"now"`
	OutboundGateways map[string]struct{} `json:"outbound_gateways"`
	InboundGateways  map[string]struct{} `json:"inbound_gateways"`
}

// Leafz is the /leafz response.
type Leafz struct {
	ID       string     `json:"server_id"`
	Now      time.Time  `json:"now"`
	NumLeafs int        `json:"leafnodes"`
	Leafs    []struct{} `json:"leafs"`
}

func (h *Handler) serveRoutez(w http.ResponseWriter, _ *http.Request) {
	info := h.srv.Info()
	h.writeJSON(w, http.StatusOK, &Routez{ID: info.ID, Name: info.Name, Now: h.now().UTC(), Routes: []struct{}{}})
}

func (h *Handler) serveGatewayz(w http.ResponseWriter, _ *http.Request) {
	h.writeJSON(w, http.StatusOK, &Gatewayz{
		ID: h.srv.Info().ID, Now: h.now().UTC(),
		OutboundGateways: map[string]struct{}{}, InboundGateways: map[string]struct{}{},
	})
}

func (h *Handler) serveLeafz(w http.ResponseWriter, _ *http.Request) {
	h.writeJSON(w, http.StatusOK, &Leafz{ID: h.srv.Info().ID, Now: h.now().UTC(), Leafs: []struct{}{}})
}
