package filestore

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"
)

// testFS runs the same checks against the OS and the in-memory FS.
func TestFS(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   func(t *testing.T) (FS, string)
	}{
		{"os", func(t *testing.T) (FS, string) { return OSFS{}, t.TempDir() }},
		{"mem", func(t *testing.T) (FS, string) { return newMemFS(), "/d" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dir := tc.fs(t)
			if err := fsys.MkdirAll(dir); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, "a")
			f, err := fsys.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte("hello world"), 0); err != nil {
				t.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(5); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 8)
			n, err := f.ReadAt(buf, 0)
			if n != 5 || !errors.Is(err, io.EOF) || !bytes.Equal(buf[:n], []byte("hello")) {
				t.Fatalf("ReadAt = %d %v %q", n, err, buf[:n])
			}
			if sz, _ := f.Size(); sz != 5 {
				t.Fatalf("size %d", sz)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := fsys.Rename(name, name+"2"); err != nil {
				t.Fatal(err)
			}
			if err := fsys.SyncDir(dir); err != nil {
				t.Fatal(err)
			}
			names, err := fsys.ReadDir(dir)
			if err != nil || len(names) != 1 || names[0] != "a2" {
				t.Fatalf("ReadDir = %v %v", names, err)
			}
			if _, err := fsys.Open(name); !isNotExist(err) {
				t.Fatalf("Open removed name: %v", err)
			}
			if err := fsys.Remove(name + "2"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMemFSCrash(t *testing.T) {
	m := newMemFS()
	f, _ := m.Create("/d/synced")
	f.WriteAt([]byte("durable"), 0)
	f.Sync()
	f.WriteAt([]byte("+lost"), 7)
	g, _ := m.Create("/d/nodirsync")
	g.WriteAt([]byte("x"), 0)
	g.Sync()
	m.SyncDir("/d") // both entries durable
	h, _ := m.Create("/d/unlisted")
	h.Sync()
	m.Remove("/d/nodirsync") // not durable: comes back

	c := m.crash(nil)
	if got := c.files(); len(got) != 2 || got[0] != "/d/nodirsync" || got[1] != "/d/synced" {
		t.Fatalf("files after crash: %v", got)
	}
	if c.size("/d/synced") != 7 {
		t.Fatalf("unsynced write survived")
	}
	torn := m.crash(func(string, int) int { return 2 })
	if torn.size("/d/synced") != 9 {
		t.Fatalf("torn size %d", torn.size("/d/synced"))
	}
	m.flipBit("/d/synced", 0)
	r, _ := m.Open("/d/synced")
	b := make([]byte, 1)
	r.ReadAt(b, 0)
	if b[0] != 'd'^1 {
		t.Fatalf("bit not flipped")
	}
	m.setFault(func(op, name string) error {
		if op == "write" {
			return partialWrite{n: 1, err: errNoSpace}
		}
		return nil
	})
	if n, err := r.WriteAt([]byte("zz"), 0); n != 1 || !errors.Is(err, errNoSpace) {
		t.Fatalf("partial write = %d %v", n, err)
	}
}
