// Package snapshots keeps a node's state snapshots on disk, for CometBFT
// state sync: it takes them, lists them, serves their chunks, and receives
// the chunks of a snapshot a new node restores.
//
// # Taking
//
// A Store takes a snapshot every Interval committed heights: after the
// Commit of such a height, the app holds that version of its state
// (state.MultiStore.Export, so pruning keeps it) and hands it to Take,
// which returns at once. A goroutine writes the version's state stream
// (see package state) into chunk files of ChunkSize bytes, hashing each
// chunk with SHA-256, then writes the metadata. It works in a directory
// named "<height>.tmp" and renames it to "<height>" only once everything is
// written and synced, so a snapshot that failed or was cut short by a
// crash never looks complete (Open removes the leftovers). Then it deletes
// all but the KeepRecent most recent snapshots. One snapshot is taken at a
// time: a height that comes due while one is still being written is
// skipped.
//
// # The snapshot CometBFT sees
//
// Format is 1: the chunks are consecutive pieces of the state stream.
// Metadata is the chunks' SHA-256 hashes, 32 bytes each, in order, and
// Hash is the SHA-256 of Metadata. A peer can therefore check every chunk
// on its own as it arrives; the app hash the restored state must have
// comes from CometBFT's light client, which checked it against the chain.
//
// # Restoring
//
// Restore starts receiving an offered snapshot into the directory
// "restore.tmp": it checks the format and that Metadata holds one hash per
// chunk and hashes to Hash. Apply then takes the chunks in order and
// refuses one whose hash is not the metadata's (ErrChunkHash), changing
// nothing, so that the app can ask for it again from another peer. Once
// every chunk is in, Open reads the whole stream back for snapshot.Restore.
//
// Directory layout, under the Store's directory (a node's
// data/snapshots):
//
//	<height>/meta.json   the snapshot's height, format and chunk hashes
//	<height>/<n>         chunk n
//	<height>.tmp/        a snapshot being written
//	restore.tmp/         the chunks of a snapshot being restored
package snapshots

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/abci-ics/ics/state/snapshot"
	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// Format is the snapshot format of this package: the state stream of
// format snapshot.Format, cut into chunks.
const Format uint32 = snapshot.Format

// DefaultChunkSize is the chunk size when Options.ChunkSize is 0.
const DefaultChunkSize = 10 << 20

// Logger is what the Store logs through; abci.Logger satisfies it.
type Logger interface {
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

// Options configure a Store.
type Options struct {
	// Interval is how often, in heights, a snapshot is taken: at every
	// height that is a multiple of it. 0 takes none; the Store then still
	// serves what it holds and receives snapshots to restore.
	Interval int64
	// KeepRecent is how many snapshots are kept, at least 1 when Interval
	// is set.
	KeepRecent int
	// ChunkSize is the size of every chunk but the last; 0 means
	// DefaultChunkSize.
	ChunkSize int
	Logger    Logger
}

// Exporter is a held committed version of the state: *state.Export.
type Exporter interface {
	// Write writes the version's state stream.
	Write(w io.Writer) error
	// Release lets pruning delete the version again.
	Release()
}

// Store is the snapshots of one node, in one directory. Its methods are
// safe for concurrent use.
type Store struct {
	dir  string
	opts Options

	mu      sync.Mutex
	running bool          // a snapshot is being written
	done    chan struct{} // closed when the running snapshot ends
	closed  bool
}

// meta is what meta.json holds.
type meta struct {
	Height int64    `json:"height"`
	Format uint32   `json:"format"`
	Chunks [][]byte `json:"chunk_hashes"`
}

// Open opens the snapshot store in dir, creating it, and removes what an
// interrupted snapshot or restore left.
func Open(dir string, opts Options) (*Store, error) {
	switch {
	case opts.Interval < 0:
		return nil, fmt.Errorf("snapshots: negative interval %d", opts.Interval)
	case opts.KeepRecent < 0 || opts.Interval > 0 && opts.KeepRecent == 0:
		return nil, fmt.Errorf("snapshots: keep-recent %d: keep at least 1 snapshot", opts.KeepRecent)
	case opts.ChunkSize < 0:
		return nil, fmt.Errorf("snapshots: negative chunk size %d", opts.ChunkSize)
	}
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Logger == nil {
		opts.Logger = nopLogger{}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("snapshots: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("snapshots: %w", err)
			}
		}
	}
	return &Store{dir: dir, opts: opts}, nil
}

type nopLogger struct{}

func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Due reports whether a snapshot is to be taken at height.
func (s *Store) Due(height int64) bool {
	return s.opts.Interval > 0 && height > 0 && height%s.opts.Interval == 0
}

// Take writes a snapshot of height from exp in the background and returns
// at once; exp is released when the snapshot is written or has failed. If
// another snapshot is still being written, or the Store is closed, it
// releases exp and takes none.
func (s *Store) Take(height int64, exp Exporter) {
	s.mu.Lock()
	if s.running || s.closed {
		busy := s.running
		s.mu.Unlock()
		exp.Release()
		if busy {
			s.opts.Logger.Info("snapshot skipped: the previous one is still being written", "height", height)
		}
		return
	}
	s.running = true
	s.done = make(chan struct{})
	done := s.done
	s.mu.Unlock()
	go func() {
		defer close(done)
		err := s.write(height, exp)
		exp.Release()
		if err == nil {
			err = s.prune()
		}
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
		if err != nil {
			s.opts.Logger.Error("snapshot failed", "height", height, "err", err)
		}
	}()
}

// Wait waits for the snapshot being written, if any.
func (s *Store) Wait() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// Close stops the snapshot being written, if any (it is then discarded),
// and waits for it. Take does nothing afterwards.
func (s *Store) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.Wait()
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Store) path(height int64) string {
	return filepath.Join(s.dir, strconv.FormatInt(height, 10))
}

// write writes the snapshot of height into "<height>.tmp", then renames it.
func (s *Store) write(height int64, exp Exporter) (err error) {
	final := s.path(height)
	if _, err := os.Stat(final); err == nil {
		return nil // taken already (a height replayed after a restart)
	}
	tmp := final + ".tmp"
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	w := &chunkWriter{dir: tmp, size: s.opts.ChunkSize, stop: s.isClosed}
	err = exp.Write(w)
	if err == nil {
		err = w.flush()
	}
	if err != nil {
		return err
	}
	b, err := json.Marshal(meta{Height: height, Format: Format, Chunks: w.hashes})
	if err == nil {
		err = writeFile(filepath.Join(tmp, "meta.json"), b)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err == nil {
		s.opts.Logger.Info("snapshot taken", "height", height, "chunks", len(w.hashes))
	}
	return err
}

// prune deletes all but the KeepRecent most recent snapshots.
func (s *Store) prune() error {
	heights, err := s.heights()
	if err != nil || len(heights) <= s.opts.KeepRecent {
		return err
	}
	var errs []error
	for _, h := range heights[s.opts.KeepRecent:] {
		errs = append(errs, os.RemoveAll(s.path(h)))
	}
	return errors.Join(errs...)
}

// heights returns the heights of the complete snapshots, newest first.
func (s *Store) heights() ([]int64, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var hs []int64
	for _, e := range entries {
		if h, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() && h > 0 {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	slices.Reverse(hs)
	return hs, nil
}

func (s *Store) readMeta(height int64) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(s.path(height), "meta.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err == nil && (m.Height != height || len(m.Chunks) == 0) {
		err = fmt.Errorf("snapshot %d: inconsistent metadata", height)
	}
	return m, err
}

// List returns the complete snapshots, newest first, as CometBFT sees
// them.
func (s *Store) List() ([]*abcitypes.Snapshot, error) {
	heights, err := s.heights()
	if err != nil {
		return nil, err
	}
	var out []*abcitypes.Snapshot
	for _, h := range heights {
		m, err := s.readMeta(h)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, err
		}
		md := slices.Concat(m.Chunks...)
		sum := sha256.Sum256(md)
		out = append(out, &abcitypes.Snapshot{Height: uint64(h), Format: m.Format, Chunks: uint32(len(m.Chunks)), Hash: sum[:], Metadata: md})
	}
	return out, nil
}

// LoadChunk returns chunk index of the snapshot of height in format; nil
// (and no error) when there is no such chunk.
func (s *Store) LoadChunk(height uint64, format, index uint32) ([]byte, error) {
	if format != Format || height == 0 || height > 1<<62 {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(s.path(int64(height)), strconv.FormatUint(uint64(index), 10)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// chunkWriter cuts what it is written into chunk files of size bytes,
// hashing each.
type chunkWriter struct {
	dir    string
	size   int
	stop   func() bool
	buf    []byte
	hashes [][]byte
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.stop() {
			return 0, ErrClosed
		}
		k := min(len(p), w.size-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == w.size {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// flush writes the buffered bytes as the next chunk.
func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 && len(w.hashes) > 0 {
		return nil
	}
	sum := sha256.Sum256(w.buf)
	if err := writeFile(filepath.Join(w.dir, strconv.Itoa(len(w.hashes))), w.buf); err != nil {
		return err
	}
	w.hashes = append(w.hashes, sum[:])
	w.buf = w.buf[:0]
	return nil
}

// writeFile writes b to a new file and syncs it.
func writeFile(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// Restore is a snapshot being received: see the package documentation.
type Restore struct {
	dir    string
	snap   abcitypes.Snapshot
	hashes [][]byte
	next   uint32 // the index of the next chunk expected
}

// Restore starts receiving snap, dropping the chunks of any earlier
// restore. It returns ErrFormat for an unknown format and an error
// wrapping ErrInvalid for a snapshot whose description does not hold
// together.
func (s *Store) Restore(snap *abcitypes.Snapshot) (*Restore, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	if snap.Format != Format {
		return nil, fmt.Errorf("%w %d (this node reads %d)", ErrFormat, snap.Format, Format)
	}
	sum := sha256.Sum256(snap.Metadata)
	switch {
	case snap.Height == 0 || snap.Height > 1<<62:
		return nil, fmt.Errorf("%w: height %d", ErrInvalid, snap.Height)
	case snap.Chunks == 0 || uint64(len(snap.Metadata)) != 32*uint64(snap.Chunks):
		return nil, fmt.Errorf("%w: %d chunks, %d bytes of chunk hashes", ErrInvalid, snap.Chunks, len(snap.Metadata))
	case !bytes.Equal(sum[:], snap.Hash):
		return nil, fmt.Errorf("%w: hash %X is not that of its metadata", ErrInvalid, snap.Hash)
	}
	r := &Restore{dir: filepath.Join(s.dir, "restore.tmp"), snap: *snap}
	for i := range int(snap.Chunks) {
		r.hashes = append(r.hashes, snap.Metadata[32*i:32*i+32])
	}
	if err := os.RemoveAll(r.dir); err != nil {
		return nil, err
	}
	if err := os.Mkdir(r.dir, 0o755); err != nil {
		return nil, err
	}
	return r, nil
}

// Height returns the height of the snapshot being restored.
func (r *Restore) Height() int64 { return int64(r.snap.Height) }

// Apply takes chunk index, which must be the next one, and reports
// whether it was the last. A chunk whose hash is not the metadata's is
// refused with an error wrapping ErrChunkHash and changes nothing.
func (r *Restore) Apply(index uint32, chunk []byte) (last bool, err error) {
	if index != r.next {
		return false, fmt.Errorf("snapshots: chunk %d, expected %d", index, r.next)
	}
	if sum := sha256.Sum256(chunk); !bytes.Equal(sum[:], r.hashes[index]) {
		return false, fmt.Errorf("%w: chunk %d", ErrChunkHash, index)
	}
	if err := os.WriteFile(filepath.Join(r.dir, strconv.Itoa(int(index))), chunk, 0o644); err != nil {
		return false, err
	}
	r.next++
	return r.next == r.snap.Chunks, nil
}

// Open returns the stream of the received chunks, once all are in.
func (r *Restore) Open() (io.ReadCloser, error) {
	if r.next != r.snap.Chunks {
		return nil, fmt.Errorf("snapshots: %d of %d chunks received", r.next, r.snap.Chunks)
	}
	return &chunkReader{dir: r.dir, n: int(r.snap.Chunks)}, nil
}

// Close deletes the received chunks.
func (r *Restore) Close() error { return os.RemoveAll(r.dir) }

// chunkReader reads chunk files 0..n-1 of dir one after the other.
type chunkReader struct {
	dir  string
	n, i int
	f    *os.File
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for {
		if c.f == nil {
			if c.i == c.n {
				return 0, io.EOF
			}
			f, err := os.Open(filepath.Join(c.dir, strconv.Itoa(c.i)))
			if err != nil {
				return 0, err
			}
			c.f, c.i = f, c.i+1
		}
		n, err := c.f.Read(p)
		if err == io.EOF {
			err = c.f.Close()
			c.f = nil
			if n == 0 && err == nil {
				continue
			}
		}
		return n, err
	}
}

func (c *chunkReader) Close() error {
	if c.f != nil {
		return c.f.Close()
	}
	return nil
}
