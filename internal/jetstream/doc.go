// Package jetstream is holdfast's JetStream subsystem: streams, the
// publish path into them, and the handlers of the $JS.API endpoints that
// manage and read them (JETSTREAM-API.md, JETSTREAM-MESSAGING.md).
//
// # Shape
//
// A JetStream is created by the server with New and started with Start,
// before the listener accepts clients; Shutdown stops it after the last
// client connection closed. It talks to the rest of holdfast only through
// the broker: it subscribes "$JS.API.INFO" and "$JS.API.STREAM.>" (and the
// "$JS.<domain>.API" forms when a domain is configured), every subject of
// every stream, and "$JS.API.DIRECT.GET.<stream>[.>]" (queue group _sys_)
// for streams with allow_direct.
//
// API requests arrive through broker.Subscriber.Deliver on the publisher's
// goroutine. Deliver copies the request into a bounded queue and returns;
// a few worker goroutines owned by the subsystem serve the queue and
// publish the JSON reply. A full queue is answered at once with
// 429/10167 "too many requests" (nats-server drops its queue silently at
// 10 000 pending requests, leaving clients to time out).
//
// Publishes on a stream subject are handled inline in the stream's
// Deliver: the stream lock is taken, the Nats-* headers are checked in
// nats-server's order (JETSTREAM-MESSAGING.md §1.3), and the message is
// appended to the store. The PubAck is NOT sent there: the append carries a
// store.Waiter whose Done, called once the store made the record durable
// (fsync with group commit by default), publishes the PubAck. A duplicate
// (Nats-Msg-Id within duplicate_window) is acknowledged once its original
// is durable. Errors are answered immediately, as error PubAcks.
//
// # Storage
//
// Memory streams use memstore; file streams use filestore under
// <store_dir>/jetstream/$G/streams/<name>/msgs. Each stream's config lives
// next to it in meta.json (see meta.go for the format), written with
// fsync, rename and a directory fsync. Start recovers every stream whose
// meta file verifies; memory streams are not persisted and, as on
// nats-server, are gone after a restart. The Nats-Msg-Id
// window is rebuilt from the stored headers of messages younger than the
// window, so de-duplication survives a restart.
//
// Limits that discard old messages (max_msgs, max_bytes, max_age,
// max_msgs_per_subject, per-message TTL) are enforced by the store; this
// package decides discard-new rejections before appending, runs the
// expiry timer, and writes subject delete markers.
//
// Consumers (CONSUMER.* endpoints, pull and push delivery, acks, durable
// state, interest and work-queue retention) are in the consumer*.go,
// pull.go, push.go, ack.go and retention.go files; docs/consumers.md
// describes them. Their ack state is the pure core in package ackstate.
//
// # Not here
//
// Mirrors,
// sources, counters, batches and schedules are rejected with a 10052
// error naming the feature.
package jetstream
