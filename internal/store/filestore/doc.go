// Package filestore is the durable message store: append-only segment files
// with group commit, per-segment offset indexes and checksummed records.
package filestore
