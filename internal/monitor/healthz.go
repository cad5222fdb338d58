package monitor

import (
	"encoding/json"
	"net/http"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// HealthStatus is the /healthz response: {"status":"ok"}, or a status and an
// error with HTTP 503, as nats-server writes it.
type HealthStatus struct {
	Status string `json:"status"`
	// StatusCode is set in $SYS.REQ.SERVER.PING.HEALTHZ answers only, as
	// nats-server does; over HTTP the response code carries it.
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
}

// HealthzOptions are /healthz's query options.
type HealthzOptions struct {
	// JSEnabledOnly checks only that JetStream is running, when configured.
	JSEnabledOnly bool
	// JSServerOnly skips the per-stream and per-consumer checks.
	JSServerOnly bool
}

// Health statuses.
const (
	statusOK          = "ok"
	statusUnavailable = "unavailable"
)

func (h *Handler) serveHealthz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	opts := HealthzOptions{
		JSEnabledOnly: q.boolean("js-enabled-only") || q.boolean("js-enabled"),
		JSServerOnly:  q.boolean("js-server-only"),
	}
	if q.err != "" {
		badRequest(w, q.err)
		return
	}
	hs := h.Healthz(opts)
	status := http.StatusOK
	if hs.Error != "" {
		h.log.Warn("healthcheck failed", "error", hs.Error)
		status = http.StatusServiceUnavailable
	}
	// nats-server writes this one compact, so probes that grep it keep working.
	b, _ := json.Marshal(hs)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Healthz decides the health status. Without JetStream in the configuration
// the server is healthy once it serves; with it, JetStream must be running
// and, unless opts say otherwise, have recovered its streams and consumers.
func (h *Handler) Healthz(opts HealthzOptions) *HealthStatus {
	if !h.srv.Info().JetStream {
		return &HealthStatus{Status: statusOK}
	}
	js := h.jetStream()
	if js == nil {
		return &HealthStatus{Status: statusUnavailable, Error: jsapi.JSNotEnabledErr.Error()}
	}
	if opts.JSEnabledOnly {
		return &HealthStatus{Status: statusOK}
	}
	if err := js.Health(opts.JSServerOnly); err != nil {
		return &HealthStatus{Status: statusUnavailable, Error: err.Error()}
	}
	return &HealthStatus{Status: statusOK}
}
