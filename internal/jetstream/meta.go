package jetstream

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// The meta file of a stream, <store_dir>/jetstream/$G/streams/<name>/meta.json:
//
//	{"checksum":"<sha256 hex of the meta bytes>","meta":{"config":{...},"created":"..."}}
//
// The checksum covers the exact bytes of "meta" as written, so a torn or
// bit-flipped file is detected and the stream is not recovered from it.
// The file is written to meta.json.tmp, fsynced, renamed over meta.json,
// and the directory is fsynced, so a crash leaves the old or the new file.
const metaFile = "meta.json"

// ErrMetaCorrupt marks a meta file whose checksum does not match.
var ErrMetaCorrupt = errors.New("jetstream: stream meta file corrupt")

type streamMeta struct {
	Config  jsapi.StreamConfig `json:"config"`
	Created time.Time          `json:"created"`
}

type metaEnvelope struct {
	Checksum string          `json:"checksum"`
	Meta     json.RawMessage `json:"meta"`
}

// writeMeta durably replaces the stream meta file in dir.
func writeMeta(dir string, m streamMeta) error { return writeMetaFile(dir, m) }

// readMeta loads and verifies the stream meta file in dir.
func readMeta(dir string) (streamMeta, error) {
	var m streamMeta
	err := readMetaFile(dir, &m)
	return m, err
}

// writeMetaFile durably replaces dir's meta file with v in the checksummed
// envelope: write a temporary file, fsync, rename, fsync the directory.
func writeMetaFile(dir string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	data, err := json.Marshal(metaEnvelope{Checksum: hex.EncodeToString(sum[:]), Meta: body})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp := filepath.Join(dir, metaFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("jetstream: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("jetstream: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, metaFile)); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("jetstream: sync dir %s: %w", dir, err)
	}
	return nil
}

// readMetaFile loads dir's meta file into v after verifying its checksum.
func readMetaFile(dir string, v any) error {
	path := filepath.Join(dir, metaFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var env metaEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMetaCorrupt, path, err)
	}
	sum := sha256.Sum256(env.Meta)
	if hex.EncodeToString(sum[:]) != env.Checksum {
		return fmt.Errorf("%w: %s: checksum mismatch", ErrMetaCorrupt, path)
	}
	if err := json.Unmarshal(env.Meta, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMetaCorrupt, path, err)
	}
	return nil
}
