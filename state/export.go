package state

import (
	"io"
	"sync"

	"github.com/abci-ics/ics/state/snapshot"
)

// Export is a committed version held for export: pruning leaves it, and
// the versions after it, alone until Release.
type Export struct {
	m       *MultiStore
	version int64
	once    sync.Once
}

// Export holds version (0: the latest) for export, failing like View for
// a version that was never committed or is pruned.
func (m *MultiStore) Export(version int64) (*Export, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.checkVersion(version)
	if err != nil {
		return nil, err
	}
	m.holds.Add(v)
	return &Export{m: m, version: v}, nil
}

// Version returns the held version.
func (e *Export) Version() int64 { return e.version }

// Write writes the held version to w as a snapshot stream. It fails if
// the version cannot be read whole; the caller must then discard what w
// received.
func (e *Export) Write(w io.Writer) error {
	v, err := e.m.View(e.version)
	if err != nil {
		return err
	}
	e.m.mu.RLock()
	h := e.m.history
	e.m.mu.RUnlock()
	return snapshot.Export(e.m.db, h, e.version, v.hash, w)
}

// Release lets pruning delete the version again. It may be called more
// than once.
func (e *Export) Release() {
	e.once.Do(func() {
		e.m.mu.Lock()
		e.m.holds.Release(e.version)
		e.m.mu.Unlock()
	})
}
