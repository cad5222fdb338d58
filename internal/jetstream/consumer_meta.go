package jetstream

import (
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// A durable consumer's config lives in
// <stream dir>/consumers/<name>/meta.json, in the stream meta file's
// format (meta.go): {"checksum":"<sha256>","meta":{"config":…,"created":…}},
// written to a temporary file, fsynced, renamed, directory fsynced. Its
// delivery state lives in the stream store's ConsumerStore.

type consumerMetaFile struct {
	Config  jsapi.ConsumerConfig `json:"config"`
	Created time.Time            `json:"created"`
}

func consumerDir(streamDir, name string) string {
	return filepath.Join(streamDir, "consumers", name)
}

// writeConsumerMeta durably replaces a durable consumer's meta file.
func writeConsumerMeta(dir string, m consumerMetaFile) error { return writeMetaFile(dir, m) }

// readConsumerMeta loads and verifies a durable consumer's meta file.
func readConsumerMeta(dir string) (consumerMetaFile, error) {
	var m consumerMetaFile
	err := readMetaFile(dir, &m)
	return m, err
}

// recoverConsumers starts the durable consumers found in a recovered
// stream's directory, with their persisted delivery state.
func (st *stream) recoverConsumers() {
	root := filepath.Join(st.dir, "consumers")
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		m, err := readConsumerMeta(dir)
		if err != nil {
			st.log.Error("consumer not recovered", "dir", dir, "error", err)
			continue
		}
		cs, err := st.store.ConsumerStore(m.Config.Name)
		if err != nil {
			st.log.Error("consumer not recovered", "consumer", m.Config.Name, "error", err)
			continue
		}
		state, err := cs.State()
		if err != nil {
			st.log.Error("consumer state not recovered", "consumer", m.Config.Name, "error", err)
			continue
		}
		c, err := st.newConsumer(m.Config, m.Created, state)
		if err != nil {
			st.log.Error("consumer not recovered", "consumer", m.Config.Name, "error", err)
			continue
		}
		st.cons.add(c)
		if err := c.start(); err != nil {
			st.cons.remove(c)
			st.log.Error("consumer not started", "consumer", m.Config.Name, "error", err)
			continue
		}
		st.refreshDeadLetterLimits()
		st.log.Info("consumer recovered", "consumer", m.Config.Name,
			"delivered", state.Delivered.Stream, "ack_floor", state.AckFloor.Stream, "parked", len(state.Parked))
	}
}

// consumerMetadata returns cfg as shown to clients, with the server's
// version and API level in the metadata.
func (js *JetStream) consumerMetadata(cfg jsapi.ConsumerConfig) jsapi.ConsumerConfig {
	md := maps.Clone(cfg.Metadata)
	if md == nil {
		md = make(map[string]string, 2)
	}
	md[jsapi.MetaServerVersion] = js.opts.Version
	md[jsapi.MetaServerLevel] = strconv.Itoa(APILevel)
	cfg.Metadata = md
	return cfg
}
