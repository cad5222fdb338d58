package test

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Watch, Keys, History and object-store Get need consumers, which are a
// separate issue; these tests cover what streams alone serve.

// TestJetStreamKV drives a bucket with the jetstream package.
func TestJetStreamKV(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	c := ctx(t)
	kv, err := js.CreateKeyValue(c, jetstream.KeyValueConfig{Bucket: "cfg", History: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Creating the same bucket again is idempotent.
	if _, err := js.CreateKeyValue(c, jetstream.KeyValueConfig{Bucket: "cfg", History: 3}); err != nil {
		t.Fatalf("idempotent create: %v", err)
	}
	if _, err := js.CreateKeyValue(c, jetstream.KeyValueConfig{Bucket: "cfg", History: 5}); !errors.Is(err, jetstream.ErrBucketExists) {
		t.Fatalf("different config: %v", err)
	}

	rev, err := kv.Put(c, "a", []byte("1"))
	if err != nil || rev != 1 {
		t.Fatalf("put: %d %v", rev, err)
	}
	e, err := kv.Get(c, "a")
	if err != nil || string(e.Value()) != "1" || e.Revision() != 1 || e.Operation() != jetstream.KeyValuePut {
		t.Fatalf("get: %+v %v", e, err)
	}
	if rev, err = kv.Update(c, "a", []byte("2"), 1); err != nil || rev != 2 {
		t.Fatalf("update: %d %v", rev, err)
	}
	if _, err := kv.Update(c, "a", []byte("x"), 1); !errors.Is(err, jetstream.ErrKeyExists) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := kv.Create(c, "a", []byte("x")); !errors.Is(err, jetstream.ErrKeyExists) {
		t.Fatalf("create existing: %v", err)
	}
	if rev, err = kv.Create(c, "b", []byte("b1")); err != nil || rev != 3 {
		t.Fatalf("create: %d %v", rev, err)
	}
	e, err = kv.GetRevision(c, "a", 1)
	if err != nil || string(e.Value()) != "1" {
		t.Fatalf("get revision: %+v %v", e, err)
	}

	if err := kv.Delete(c, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(c, "b"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	// Create over a delete marker succeeds.
	if rev, err = kv.Create(c, "b", []byte("b2")); err != nil || rev != 5 {
		t.Fatalf("create after delete: %d %v", rev, err)
	}
	if err := kv.Purge(c, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(c, "a"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("get purged: %v", err)
	}
	st, err := kv.Status(c)
	if err != nil || st.Bucket() != "cfg" || st.History() != 3 || st.Values() != 4 {
		t.Fatalf("status: %+v %v", st, err)
	}
	if _, err := kv.Get(c, "nope"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if err := js.DeleteKeyValue(c, "cfg"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.KeyValue(c, "cfg"); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Fatalf("deleted bucket: %v", err)
	}
}

// TestJetStreamKVLegacy uses the legacy JetStreamContext KV API.
func TestJetStreamKVLegacy(t *testing.T) {
	s := jsServer(t)
	nc := connect(t, s)
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "legacy", Storage: nats.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString("k", "v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put("k", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get("k")
	if err != nil || string(e.Value()) != "v2" || e.Revision() != 2 {
		t.Fatalf("get: %+v %v", e, err)
	}
	if _, err := kv.Update("k", []byte("v3"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create("k", []byte("x")); !errors.Is(err, nats.ErrKeyExists) {
		t.Fatalf("create existing: %v", err)
	}
	if err := kv.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get("k"); !errors.Is(err, nats.ErrKeyNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	// History 1: the bucket keeps one revision per key.
	si, err := js.StreamInfo("KV_legacy")
	if err != nil || si.State.Msgs != 1 {
		t.Fatalf("stream state: %+v %v", si.State, err)
	}
	kv2, err := js.KeyValue("legacy")
	if err != nil {
		t.Fatal(err)
	}
	if kv2.Bucket() != "legacy" {
		t.Fatal(kv2.Bucket())
	}
}

// TestJetStreamKVTTL creates a bucket with limit markers and writes keys
// with per-key TTLs (expiry itself is covered by the package's clocked tests).
func TestJetStreamKVTTL(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	c := ctx(t)
	kv, err := js.CreateKeyValue(c, jetstream.KeyValueConfig{Bucket: "ttl", LimitMarkerTTL: 2 * time.Second, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(c, "KV_ttl")
	if err != nil {
		t.Fatal(err)
	}
	if cfg := st.CachedInfo().Config; !cfg.AllowMsgTTL || cfg.SubjectDeleteMarkerTTL != 2*time.Second ||
		cfg.Metadata["_nats.req.level"] != "1" {
		t.Fatalf("config %+v", cfg)
	}
	if _, err := kv.Create(c, "k", []byte("v"), jetstream.KeyTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(c, "k", jetstream.PurgeTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(c, "k"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("get purged: %v", err)
	}
	m, err := st.GetLastMsgForSubject(c, "$KV.ttl.k")
	if err != nil || m.Header.Get("Nats-TTL") != "1m0s" || m.Header.Get("KV-Operation") != "PURGE" {
		t.Fatalf("purge marker %+v %v", m, err)
	}
}
