package monitor

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Paths served, as nats-server names them.
const (
	RootPath     = "/"
	VarzPath     = "/varz"
	ConnzPath    = "/connz"
	SubszPath    = "/subsz"
	RoutezPath   = "/routez"
	GatewayzPath = "/gatewayz"
	LeafzPath    = "/leafz"
	AccountzPath = "/accountz"
	HealthzPath  = "/healthz"
	JszPath      = "/jsz"
	MetricsPath  = "/metrics"
)

// Options configure a Handler.
type Options struct {
	Server Server
	// JetStream returns the JetStream provider, or nil while JetStream is
	// disabled; it is called on every request, so JetStream may start after
	// the monitor does.
	JetStream func() JetStream
	Logger    *slog.Logger
	// Now returns the current time; nil means time.Now. Tests pin it.
	Now func() time.Time
}

// Handler serves the monitoring endpoints. It is safe for concurrent use.
type Handler struct {
	srv     Server
	js      func() JetStream
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
	metrics *prometheus.Registry
	cpu     cpuSampler

	reqs struct {
		sync.Mutex
		// byPath counts requests per endpoint, for /varz http_req_stats.
		byPath map[string]uint64
	}
}

// New returns a Handler reading from opts.Server.
func New(opts Options) *Handler {
	h := &Handler{srv: opts.Server, js: opts.JetStream, log: opts.Logger, now: opts.Now}
	if h.js == nil {
		h.js = func() JetStream { return nil }
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.reqs.byPath = make(map[string]uint64)
	h.metrics = newRegistry(h)
	h.mux = http.NewServeMux()
	for path, fn := range map[string]http.HandlerFunc{
		VarzPath:          h.serveVarz,
		ConnzPath:         h.serveConnz,
		SubszPath:         h.serveSubsz,
		"/subscriptionsz": h.serveSubsz,
		RoutezPath:        h.serveRoutez,
		GatewayzPath:      h.serveGatewayz,
		LeafzPath:         h.serveLeafz,
		AccountzPath:      h.serveAccountz,
		HealthzPath:       h.serveHealthz,
		JszPath:           h.serveJsz,
		MetricsPath:       h.serveMetrics,
	} {
		h.mux.HandleFunc("GET "+path, h.counted(path, fn))
	}
	h.mux.HandleFunc("GET /{$}", h.counted(RootPath, h.serveRoot))
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) counted(path string, fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.reqs.Lock()
		h.reqs.byPath[path]++
		h.reqs.Unlock()
		fn(w, r)
	}
}

func (h *Handler) reqStats() map[string]uint64 {
	h.reqs.Lock()
	defer h.reqs.Unlock()
	out := make(map[string]uint64, len(h.reqs.byPath))
	for k, v := range h.reqs.byPath {
		out[k] = v
	}
	return out
}

func (h *Handler) jetStream() JetStream { return h.js() }

// writeJSON writes v indented, as nats-server does, with the headers it sends.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		h.log.Error("monitor response not encoded", "error", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// badRequest answers 400 with a plain-text reason, as nats-server does for a
// malformed query option.
func badRequest(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(msg))
}

// query decodes query options, remembering the first error.
type query struct {
	r   *http.Request
	err string
}

func (q *query) str(name string) string { return q.r.URL.Query().Get(name) }

func (q *query) boolean(name string) bool {
	s := q.str(name)
	if s == "" || q.err != "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		q.err = fmt.Sprintf("Error decoding boolean for '%s': %v", name, err)
	}
	return v
}

func (q *query) integer(name string) int {
	s := q.str(name)
	if s == "" || q.err != "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		q.err = fmt.Sprintf("Error decoding int for '%s': %v", name, err)
	}
	return v
}

func (q *query) uint64(name string) uint64 {
	s := q.str(name)
	if s == "" || q.err != "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		q.err = fmt.Sprintf("Error decoding uint64 for '%s': %v", name, err)
	}
	return v
}

// page applies offset and limit to n items and returns the bounds to keep.
func page(n, offset, limit int) (lo, hi int) {
	lo = min(max(offset, 0), n)
	hi = min(lo+limit, n)
	return lo, hi
}

// uptime formats a duration as nats-server does in /varz and /connz:
// "1y2d3h4m5s", leaving out leading zero units ("0s" for nothing).
func uptime(d time.Duration) string {
	tsecs := int64(d / time.Second)
	tmins, secs := tsecs/60, tsecs%60
	thrs, mins := tmins/60, tmins%60
	tdays, hrs := thrs/24, thrs%24
	years, days := tdays/365, tdays%365
	switch {
	case years > 0:
		return fmt.Sprintf("%dy%dd%dh%dm%ds", years, days, hrs, mins, secs)
	case days > 0:
		return fmt.Sprintf("%dd%dh%dm%ds", days, hrs, mins, secs)
	case hrs > 0:
		return fmt.Sprintf("%dh%dm%ds", hrs, mins, secs)
	case mins > 0:
		return fmt.Sprintf("%dm%ds", mins, secs)
	default:
		return fmt.Sprintf("%ds", secs)
	}
}

const rootPage = `<html lang="en">
<head><title>holdfast monitoring</title></head>
<body>
<a href=./varz>General /varz</a><br>
<a href=./jsz>JetStream /jsz</a><br>
<a href=./connz>Connections /connz</a><br>
<a href=./accountz>Accounts /accountz</a><br>
<a href=./subsz>Subscriptions /subsz</a><br>
<a href=./routez>Routes /routez</a><br>
<a href=./leafz>LeafNodes /leafz</a><br>
<a href=./gatewayz>Gateways /gatewayz</a><br>
<a href=./healthz>Health Probe /healthz</a><br>
<a href=./metrics>Prometheus /metrics</a><br>
</body>
</html>
`

func (h *Handler) serveRoot(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(rootPage))
}
