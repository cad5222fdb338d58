package monitor

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names are holdfast's own; docs/monitoring.md lists them with their
// labels and the prometheus-nats-exporter names they replace.
const namespace = "holdfast"

var (
	streamLabels   = []string{"account", "stream"}
	consumerLabels = []string{"account", "stream", "consumer"}
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
}

// Server metrics.
var (
	descInfo          = desc("info", "Server identity; always 1.", "server_id", "server_name", "version", "compat_version")
	descStart         = desc("start_time_seconds", "When the server started, in seconds since the epoch.")
	descConns         = desc("connections", "Open client connections.")
	descTotalConns    = desc("connections_total", "Client connections accepted since start.")
	descSubs          = desc("subscriptions", "Client subscriptions.")
	descInMsgs        = desc("in_messages_total", "Messages received from clients.")
	descInBytes       = desc("in_bytes_total", "Payload and header bytes received from clients.")
	descOutMsgs       = desc("out_messages_total", "Messages delivered to clients.")
	descOutBytes      = desc("out_bytes_total", "Payload and header bytes delivered to clients.")
	descSlowConsumers = desc("slow_consumers_total", "Connections closed because they could not keep up.")
	descStale         = desc("stale_connections_total", "Connections closed because they stopped answering PINGs.")
	descJSEnabled     = desc("jetstream_enabled", "1 when JetStream is running.")
)

// JetStream metrics: present once a JetStream provider is plugged in.
var (
	descJSMemory     = desc("jetstream_memory_bytes", "Bytes held by memory-storage streams.")
	descJSStore      = desc("jetstream_storage_bytes", "Bytes held by file-storage streams.")
	descAPIRequests  = desc("jetstream_api_requests_total", "$JS.API requests, by request type.", "type")
	descAPIErrors    = desc("jetstream_api_errors_total", "$JS.API requests answered with an error, by request type.", "type")
	descStreamMsgs   = desc("stream_messages", "Messages stored in the stream.", streamLabels...)
	descStreamBytes  = desc("stream_bytes", "Bytes stored in the stream.", streamLabels...)
	descStreamFirst  = desc("stream_first_seq", "Sequence of the oldest stored message.", streamLabels...)
	descStreamLast   = desc("stream_last_seq", "Sequence of the newest message.", streamLabels...)
	descStreamCons   = desc("stream_consumers", "Consumers of the stream.", streamLabels...)
	descRemoved      = desc("stream_removed_messages_total", "Messages that left the stream, by reason.", append(streamLabels, "reason")...)
	descConsPending  = desc("consumer_pending_messages", "Messages matching the consumer not yet delivered.", consumerLabels...)
	descConsAckPend  = desc("consumer_ack_pending_messages", "Messages delivered and not yet acknowledged.", consumerLabels...)
	descConsRedeliv  = desc("consumer_redelivered_messages", "Messages delivered more than once and not yet acknowledged.", consumerLabels...)
	descConsWaiting  = desc("consumer_waiting_requests", "Pull requests waiting for messages.", consumerLabels...)
	descConsParked   = desc("consumer_parked_messages", "Messages that reached max_deliver and wait for an operator.", consumerLabels...)
	descConsDead     = desc("consumer_dead_lettered_messages_total", "Messages moved to the consumer's dead-letter stream.", consumerLabels...)
	descFsyncs       = desc("store_fsyncs_total", "fsync calls made by the file store.")
	descFsyncSeconds = desc("store_fsync_seconds", "Duration of file-store fsync calls.")
	descBytesWritten = desc("store_written_bytes_total", "Bytes written by the file store.")
	descCommitBatch  = desc("store_commit_batch_messages", "Messages made durable by one group commit.")
)

// collector renders metrics from fresh snapshots on every scrape: counters
// live in the server and JetStream, never in the registry.
type collector struct{ h *Handler }

func newRegistry(h *Handler) *prometheus.Registry {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(
		collector{h},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) {
	promhttp.HandlerFor(h.metrics, promhttp.HandlerOpts{ErrorLog: slogAdapter{h}}).ServeHTTP(w, r)
}

// Describe implements prometheus.Collector.
func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descInfo, descStart, descConns, descTotalConns, descSubs, descInMsgs, descInBytes, descOutMsgs,
		descOutBytes, descSlowConsumers, descStale, descJSEnabled, descJSMemory, descJSStore, descAPIRequests,
		descAPIErrors, descStreamMsgs, descStreamBytes, descStreamFirst, descStreamLast, descStreamCons,
		descRemoved, descConsPending, descConsAckPend, descConsRedeliv, descConsWaiting, descConsParked,
		descConsDead, descFsyncs, descFsyncSeconds, descBytesWritten, descCommitBatch,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	info, st := c.h.srv.Info(), c.h.srv.Stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(descInfo, 1, info.ID, info.Name, info.Build, info.Version)
	gauge(descStart, float64(info.Start.UnixNano())/1e9)
	gauge(descConns, float64(st.Conns))
	counter(descTotalConns, st.TotalConns)
	gauge(descSubs, float64(st.Subscriptions))
	counter(descInMsgs, st.InMsgs)
	counter(descInBytes, st.InBytes)
	counter(descOutMsgs, st.OutMsgs)
	counter(descOutBytes, st.OutBytes)
	counter(descSlowConsumers, st.SlowConsumers)
	counter(descStale, st.StaleConnections)
	js := c.h.jetStream()
	if js == nil {
		gauge(descJSEnabled, 0)
		return
	}
	gauge(descJSEnabled, 1)
	collectJetStream(ch, js.Snapshot(), gauge, counter)
}

func collectJetStream(ch chan<- prometheus.Metric, snap *JetStreamSnapshot,
	gauge func(*prometheus.Desc, float64, ...string), counter func(*prometheus.Desc, uint64, ...string)) {
	gauge(descJSMemory, float64(snap.Stats.Memory))
	gauge(descJSStore, float64(snap.Stats.Store))
	for _, a := range snap.Stats.APIByType {
		counter(descAPIRequests, a.Requests, a.Type)
		counter(descAPIErrors, a.Errors, a.Type)
	}
	for _, acc := range snap.Accounts {
		for _, s := range acc.Streams {
			l := []string{acc.Name, s.Info.Config.Name}
			gauge(descStreamMsgs, float64(s.Info.State.Msgs), l...)
			gauge(descStreamBytes, float64(s.Info.State.Bytes), l...)
			gauge(descStreamFirst, float64(s.Info.State.FirstSeq), l...)
			gauge(descStreamLast, float64(s.Info.State.LastSeq), l...)
			gauge(descStreamCons, float64(len(s.Consumers)), l...)
			for _, reason := range RemovalReasons {
				counter(descRemoved, s.Removed[reason], append(l, reason)...)
			}
			for _, cs := range s.Consumers {
				cl := append(l[:2:2], cs.Info.Name)
				gauge(descConsPending, float64(cs.Info.NumPending), cl...)
				gauge(descConsAckPend, float64(cs.Info.NumAckPending), cl...)
				gauge(descConsRedeliv, float64(cs.Info.NumRedelivered), cl...)
				gauge(descConsWaiting, float64(cs.Info.NumWaiting), cl...)
				gauge(descConsParked, float64(cs.Parked), cl...)
				counter(descConsDead, cs.DeadLettered, cl...)
			}
		}
	}
	counter(descFsyncs, snap.Store.Fsyncs)
	counter(descBytesWritten, snap.Store.BytesWritten)
	histogram(ch, descFsyncSeconds, snap.Store.FsyncSeconds)
	histogram(ch, descCommitBatch, snap.Store.CommitBatch)
}

func histogram(ch chan<- prometheus.Metric, d *prometheus.Desc, h Histogram) {
	ch <- prometheus.MustNewConstHistogram(d, h.Count, h.Sum, h.Buckets)
}

// slogAdapter passes promhttp's encoding errors to the handler's logger.
type slogAdapter struct{ h *Handler }

func (a slogAdapter) Println(v ...any) {
	a.h.log.Error("metrics not written", "error", fmt.Sprint(v...))
}
