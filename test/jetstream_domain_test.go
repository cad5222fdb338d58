package test

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestJetStreamDomain uses the $JS.<domain>.API prefix; servertest does not
// configure a domain for nats-server, so this runs in process only.
func TestJetStreamDomain(t *testing.T) {
	if servertest.External() {
		t.Skip("servertest does not pass the JetStream domain to nats-server")
	}
	s := jsServer(t, func(o *server.Options) { o.Domain = "hub" })
	nc := connect(t, s)
	js, err := jetstream.NewWithDomain(nc, "hub")
	if err != nil {
		t.Fatal(err)
	}
	c := ctx(t)
	createStream(t, js, jetstream.StreamConfig{Name: "DOM", Subjects: []string{"dom"}})
	ack, err := js.Publish(c, "dom", []byte("x"))
	if err != nil || ack.Domain != "hub" || ack.Sequence != 1 {
		t.Fatalf("%+v %v", ack, err)
	}
	ai, err := js.AccountInfo(c)
	if err != nil || ai.Domain != "hub" || ai.Streams != 1 {
		t.Fatalf("account info %+v %v", ai, err)
	}
	kv, err := js.CreateKeyValue(c, jetstream.KeyValueConfig{Bucket: "dkv"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(c, "k", []byte("v")); err != nil {
		t.Fatalf("put through the domain prefix: %v", err)
	}
	e, err := kv.Get(c, "k")
	if err != nil || string(e.Value()) != "v" {
		t.Fatalf("get: %+v %v", e, err)
	}
	if on, level := nc.ConnectedServerJetStream(); !on || level < 1 {
		t.Fatalf("INFO announces jetstream %v, api level %d", on, level)
	}
	legacy, err := nc.JetStream(nats.Domain("hub"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := legacy.StreamInfo("DOM"); err != nil {
		t.Fatal(err)
	}
}

// TestJetStreamObjectPut stores a 5 MiB object and reads its info; Get
// needs an ordered consumer (separate issue).
func TestJetStreamObjectPut(t *testing.T) {
	s := jsServer(t)
	_, js := jsConnect(t, s)
	c := ctx(t)
	obs, err := js.CreateObjectStore(c, jetstream.ObjectStoreConfig{Bucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 5<<20)
	_, _ = io.ReadFull(rand.Reader, data)
	info, err := obs.Put(c, jetstream.ObjectMeta{Name: "big.bin"}, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != uint64(len(data)) || info.Chunks != 40 {
		t.Fatalf("put info %+v", info)
	}
	got, err := obs.GetInfo(c, "big.bin")
	if err != nil || got.Size != info.Size || got.Digest != info.Digest {
		t.Fatalf("get info %+v %v", got, err)
	}
	// Replacing the object purges the old chunks.
	if _, err := obs.PutBytes(c, "big.bin", []byte("small")); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(c, "OBJ_files")
	if err != nil || st.CachedInfo().State.Msgs != 2 {
		t.Fatalf("after replace: %+v %v", st.CachedInfo().State, err)
	}
	if err := obs.Delete(c, "big.bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := obs.GetInfo(c, "big.bin"); err != jetstream.ErrObjectNotFound {
		t.Fatalf("info after delete: %v", err)
	}
}
