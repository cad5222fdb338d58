package filestore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// memFS is an in-memory FS for tests that models what survives a power
// failure: file data as of its last Sync, and directory entries as of the last
// SyncDir of their directory. It can also tear unsynced appends at any byte,
// flip bits, and fail operations on demand.
type memFS struct {
	mu      sync.Mutex
	nodes   map[string]*memNode // current namespace
	durable map[string]*memNode // namespace that survives a crash
	syncs   int                 // number of file syncs, for batching assertions
	// fault, when set, is asked before every operation; a non-nil error fails
	// it. For "write", a partialWrite error writes its first n bytes first.
	fault func(op, name string) error
}

type memNode struct {
	data     []byte
	synced   []byte
	dirty    int64 // lowest offset changed since the last sync
	dirtyEnd int64 // end of the bytes changed since the last sync (<= dirty: none)
}

// sync makes data durable, copying only what changed.
func (n *memNode) sync() {
	k := min(n.dirty, int64(len(n.synced)), int64(len(n.data)))
	n.synced = append(n.synced[:k], n.data[k:]...)
	n.dirty, n.dirtyEnd = int64(len(n.data)), 0
}

// changed records that [off, end) was written.
func (n *memNode) changed(off, end int64) {
	if end <= off {
		return
	}
	n.dirty = min(n.dirty, off)
	n.dirtyEnd = max(n.dirtyEnd, end)
}

// partialWrite makes a write store n bytes and then fail with err.
type partialWrite struct {
	n   int
	err error
}

func (p partialWrite) Error() string { return fmt.Sprintf("partial write of %d bytes: %v", p.n, p.err) }
func (p partialWrite) Unwrap() error { return p.err }

func newMemFS() *memFS {
	return &memFS{nodes: map[string]*memNode{}, durable: map[string]*memNode{}}
}

func (m *memFS) check(op, name string) error {
	if m.fault == nil {
		return nil
	}
	return m.fault(op, name)
}

func (m *memFS) setFault(f func(op, name string) error) {
	m.mu.Lock()
	m.fault = f
	m.mu.Unlock()
}

func (m *memFS) Create(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = path.Clean(name)
	if err := m.check("create", name); err != nil {
		return nil, &fs.PathError{Op: "create", Path: name, Err: err}
	}
	n := &memNode{}
	m.nodes[name] = n
	return &memFile{fs: m, name: name, node: n}, nil
}

func (m *memFS) Open(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = path.Clean(name)
	if err := m.check("open", name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	n, ok := m.nodes[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, name: name, node: n}, nil
}

func (m *memFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	oldname, newname = path.Clean(oldname), path.Clean(newname)
	if err := m.check("rename", oldname); err != nil {
		return &fs.PathError{Op: "rename", Path: oldname, Err: err}
	}
	n, ok := m.nodes[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	delete(m.nodes, oldname)
	m.nodes[newname] = n
	return nil
}

func (m *memFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = path.Clean(name)
	if err := m.check("remove", name); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	if _, ok := m.nodes[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.nodes, name)
	return nil
}

func (m *memFS) RemoveAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = path.Clean(dir)
	for name := range m.nodes {
		if strings.HasPrefix(name, dir+"/") {
			delete(m.nodes, name)
		}
	}
	// RemoveAll is used by Destroy; treat it as durable at once.
	for name := range m.durable {
		if strings.HasPrefix(name, dir+"/") {
			delete(m.durable, name)
		}
	}
	return nil
}

func (m *memFS) MkdirAll(string) error { return nil }

func (m *memFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = path.Clean(dir)
	var names []string
	for name := range m.nodes {
		if path.Dir(name) == dir {
			names = append(names, path.Base(name))
		}
	}
	slices.Sort(names)
	return names, nil
}

func (m *memFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = path.Clean(dir)
	if err := m.check("syncdir", dir); err != nil {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: err}
	}
	for name := range m.durable {
		if path.Dir(name) == dir {
			if _, ok := m.nodes[name]; !ok {
				delete(m.durable, name)
			}
		}
	}
	for name, n := range m.nodes {
		if path.Dir(name) == dir {
			m.durable[name] = n
		}
	}
	return nil
}

// crash returns the filesystem as a power failure would leave it: only durable
// directory entries, each with its synced data. tear, when set, decides how many
// bytes of the unsynced writes of a file survive (0..unsynced): a prefix of the
// range written since the last sync, whether appended past the end or written
// over preallocated zeros, laid over the synced data.
func (m *memFS) crash(tear func(name string, unsynced int) int) *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := newMemFS()
	names := make([]string, 0, len(m.durable))
	for name := range m.durable {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic order for tear's random choices
	for _, name := range names {
		n := m.durable[name]
		data := bytes.Clone(n.synced)
		from, to := n.dirty, min(n.dirtyEnd, int64(len(n.data)))
		if tear != nil && from < to && from <= int64(len(n.synced)) && bytes.Equal(n.data[:from], n.synced[:from]) {
			end := from + int64(tear(name, int(to-from)))
			if end > int64(len(data)) {
				data = append(data, make([]byte, end-int64(len(data)))...)
			}
			copy(data[from:end], n.data[from:end])
		}
		c.nodes[name] = &memNode{data: data, synced: bytes.Clone(data), dirty: int64(len(data))}
		c.durable[name] = c.nodes[name]
	}
	return c
}

// flipBit flips one bit of a file, in its current and its synced contents.
func (m *memFS) flipBit(name string, bit int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[path.Clean(name)]
	if n == nil {
		panic("flipBit: no file " + name)
	}
	i, mask := bit/8, byte(1)<<(bit%8)
	if i < int64(len(n.data)) {
		n.data[i] ^= mask
	}
	if i < int64(len(n.synced)) {
		n.synced[i] ^= mask
	}
}

// size returns the current size of a file, or -1.
func (m *memFS) size(name string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[path.Clean(name)]
	if n == nil {
		return -1
	}
	return int64(len(n.data))
}

// files lists every current file path, sorted.
func (m *memFS) files() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.nodes {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

type memFile struct {
	fs     *memFS
	name   string
	node   *memNode
	closed bool
}

var errFileClosed = errors.New("memfs: file closed")

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return 0, errFileClosed
	}
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return 0, errFileClosed
	}
	n := len(p)
	err := f.fs.check("write", f.name)
	if err != nil {
		var pw partialWrite
		if !errors.As(err, &pw) {
			return 0, &fs.PathError{Op: "write", Path: f.name, Err: err}
		}
		n = min(pw.n, len(p))
		err = &fs.PathError{Op: "write", Path: f.name, Err: pw.err}
	}
	end := off + int64(n)
	if end > int64(len(f.node.data)) {
		f.node.data = append(f.node.data, make([]byte, end-int64(len(f.node.data)))...)
	}
	copy(f.node.data[off:end], p[:n])
	f.node.changed(off, end)
	return n, err
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return errFileClosed
	}
	if err := f.fs.check("sync", f.name); err != nil {
		return &fs.PathError{Op: "sync", Path: f.name, Err: err}
	}
	f.fs.syncs++
	f.node.sync()
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return errFileClosed
	}
	if err := f.fs.check("truncate", f.name); err != nil {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: err}
	}
	if size <= int64(len(f.node.data)) {
		f.node.data = f.node.data[:size:size]
		f.node.dirty = min(f.node.dirty, size)
		f.node.dirtyEnd = min(f.node.dirtyEnd, size)
	} else {
		f.node.changed(int64(len(f.node.data)), size)
		f.node.data = append(f.node.data, make([]byte, size-int64(len(f.node.data)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.node.data)), nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.closed = true
	return nil
}

var (
	errNoSpace = syscall.ENOSPC
	errIO      = syscall.EIO
)
