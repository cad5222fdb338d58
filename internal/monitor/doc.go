// Package monitor serves nats-server's HTTP monitoring endpoints (/varz,
// /connz, /subsz, /routez, /gatewayz, /leafz, /accountz, /healthz, /jsz) and a
// Prometheus /metrics endpoint, so that existing dashboards, `nats server`
// tooling and Kubernetes probes work against holdfast unchanged.
//
// The package is read-only and owns no server state. It declares what it reads
// as two small interfaces: Server (identity, counters, connections,
// subscriptions), which package server implements, and JetStream (usage,
// streams, consumers, removal accounting, store timings), which the JetStream
// subsystem implements; a nil JetStream renders the "disabled" forms nats-server
// uses. Every request takes fresh snapshots through these interfaces and
// renders JSON from the copies, so no lock of the message path is held while
// a response is encoded or written.
//
// JSON field names, their order and the query options follow nats-server 2.15.2
// (server/monitor.go there); test/monitor_test.go runs against both servers to
// keep them the same. /metrics is holdfast's own (nats-server has none; it relies
// on a separate exporter); docs/monitoring.md lists the metric names and labels.
package monitor
