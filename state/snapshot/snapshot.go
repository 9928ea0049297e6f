// Package snapshot writes one committed version of a state.MultiStore as a
// byte stream, and restores such a stream into an empty database. See
// state.MultiStore.Export and Restore, and the state package
// documentation.
//
// # The stream
//
// A stream is, in this order (uvarint: unsigned LEB128; bytes: a uvarint
// length, then the bytes):
//
//	magic     the 8 bytes "icsdsnap", then the uvarint format (Format)
//	version   uvarint: the version V exported
//	upgrades  uvarint count, then for each recorded store upgrade of a
//	          version up to V: uvarint version, bytes (its record)
//	stores    uvarint count, then each live store's name as bytes, sorted
//	trees     for each live store in that order, its IAVL nodes as iavl's
//	          exporter gives them (depth-first, post-order): a byte 1,
//	          the node's height (one byte), uvarint version, bytes key,
//	          and for a leaf (height 0) bytes value; then a byte 0
//	trailer   the 8 bytes "icsdsend"
//
// The nodes keep their versions, so the restored trees hash as the
// exported ones, and the restored app hash is that of V. The same version
// of the same database always gives the same bytes.
//
// # Restore
//
// Import refuses a database that holds any key, checks every part of the
// stream as it reads it (uvarints in their shortest encoding, lengths
// bounded, node heights forming a tree, leaf keys ascending, each inner
// node's key the first key of its right subtree, which no hash covers,
// node versions within 1..V, the store names those the upgrades make live
// at V for the genesis stores given), so that a version has one stream
// only, imports each tree with iavl's importer, and compares the app
// hash of the imported roots with the expected one. Only then does it write the commit record
// (V, first version V, the app hash) and the upgrade records, in one
// synced batch: a database without that record is not committed state.
// On any failure it deletes every key it wrote.
package snapshot

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"

	"github.com/abci-ics/ics/state/internal/record"
	"github.com/abci-ics/ics/state/proof"
)

// Format is the stream format this package writes and reads.
const Format = 1

var (
	magic   = []byte("icsdsnap")
	trailer = []byte("icsdsend")
)

// Bounds on what a stream may claim, so that a malformed stream cannot
// make Import allocate without limit.
const (
	maxKey   = 1 << 16
	maxValue = 64 << 20
	maxName  = 256
	maxCount = 1 << 16 // upgrades, stores
)

// ErrMalformed is wrapped by Import's errors for a stream that cannot be
// read or does not describe a valid multistore version.
var ErrMalformed = errors.New("state: invalid snapshot")

// ErrHashMismatch is wrapped by Import's error when the restored app hash
// is not the expected one; it wraps ErrMalformed.
var ErrHashMismatch = fmt.Errorf("%w: restored app hash mismatch", ErrMalformed)

// cacheSize is the node cache of the trees Export and Import open.
const cacheSize = 10_000

// Export writes version of the stores in db, whose history is h, to w.
// hash is the app hash of version: Export fails if the roots it reads do
// not hash to it, or if a tree's nodes were not all read (iavl's exporter
// stops silently on a read error), so a failed export is never mistaken
// for a complete one. The caller keeps version from being pruned.
func Export(db dbm.DB, h record.History, version int64, hash []byte, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	e := &encoder{w: bw}
	e.raw(magic)
	e.uvarint(Format)
	e.uvarint(uint64(version))
	var ups []record.Upgrade
	for _, u := range h.Upgrades {
		if u.Version <= version {
			ups = append(ups, u)
		}
	}
	e.uvarint(uint64(len(ups)))
	for _, u := range ups {
		e.uvarint(uint64(u.Version))
		e.bytes(u.Encode())
	}
	names := h.LiveAt(version)
	e.uvarint(uint64(len(names)))
	for _, name := range names {
		e.bytes([]byte(name))
	}
	roots := make([][]byte, len(names))
	for i, name := range names {
		if e.err != nil {
			break
		}
		root, err := exportTree(db, name, version, e)
		if err != nil {
			return fmt.Errorf("store %q: %w", name, err)
		}
		roots[i] = root
	}
	e.raw(trailer)
	if e.err != nil {
		return e.err
	}
	if got := proof.AppHash(names, roots); !bytes.Equal(got, hash) {
		return fmt.Errorf("exported roots hash to %X, version %d has app hash %X", got, version, hash)
	}
	return bw.Flush()
}

// exportTree writes the nodes of one tree at version, then the end byte,
// and returns the tree's root hash.
func exportTree(db dbm.DB, name string, version int64, e *encoder) ([]byte, error) {
	mt := iavl.NewMutableTree(record.TreeDB(db, name), cacheSize, true, iavl.NewNopLogger())
	defer mt.Close()
	t, err := mt.GetImmutable(version)
	if err != nil {
		// Pruning the version before may have moved the root node this
		// version shares with it (iavl re-keys such a root in one write)
		// between reading its key and the node: read them again.
		t, err = mt.GetImmutable(version)
	}
	if err != nil {
		return nil, err
	}
	var leaves, inner int64
	if t.Size() > 0 {
		exp, err := t.Export()
		if err != nil {
			return nil, err
		}
		defer exp.Close()
		for e.err == nil {
			n, err := exp.Next()
			if errors.Is(err, iavl.ErrorExportDone) {
				break
			} else if err != nil {
				return nil, err
			}
			e.raw([]byte{1, byte(n.Height)})
			e.uvarint(uint64(n.Version))
			e.bytes(n.Key)
			if n.Height == 0 {
				e.bytes(n.Value)
				leaves++
			} else {
				inner++
			}
		}
	}
	e.raw([]byte{0})
	if e.err == nil && (leaves != t.Size() || t.Size() > 0 && inner != t.Size()-1) {
		return nil, fmt.Errorf("read %d leaves and %d inner nodes of a tree of %d keys at version %d", leaves, inner, t.Size(), version)
	}
	return t.Hash(), e.err
}

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (e *encoder) raw(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(n uint64) { e.raw(binary.AppendUvarint(e.buf[:0], n)) }

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.raw(b)
}

// Import restores the stream r into db, which must hold no key, for a
// multistore whose genesis stores are genesis (sorted), and checks that
// it is version want.Version with app hash want.Hash. It writes the
// commit record last; on any error it deletes what it wrote, and the
// error wraps ErrMalformed or ErrHashMismatch when the stream is at fault.
func Import(db dbm.DB, genesis []string, r io.Reader, want record.Commit) (err error) {
	if empty, err := isEmpty(db); err != nil || !empty {
		return cmpErr(err, errors.New("the database is not empty"))
	}
	defer func() {
		if err != nil {
			if werr := record.DeletePrefix(db, nil); werr != nil {
				err = errors.Join(err, fmt.Errorf("removing the partial restore: %w", werr))
			}
		}
	}()
	d := &decoder{r: bufio.NewReaderSize(r, 1<<20)}
	h, names := d.header(genesis, want.Version)
	roots := make([][]byte, len(names))
	for i, name := range names {
		if d.err != nil {
			break
		}
		roots[i], err = importTree(db, name, want.Version, d)
		if err != nil {
			return fmt.Errorf("store %q: %w", name, err)
		}
	}
	if d.expect(trailer); d.err == nil {
		if _, err := d.r.ReadByte(); err != io.EOF {
			d.fail("data after the trailer")
		}
	}
	if d.err != nil {
		return d.err
	}
	if got := proof.AppHash(names, roots); !bytes.Equal(got, want.Hash) {
		return fmt.Errorf("%w: version %d restored to %X, expected %X", ErrHashMismatch, want.Version, got, want.Hash)
	}
	b := db.NewBatch()
	defer b.Close()
	for _, u := range h.Upgrades {
		err = errors.Join(err, b.Set(u.Key(), u.Encode()))
	}
	c := record.Commit{Version: want.Version, First: want.Version, Hash: want.Hash}
	if err = errors.Join(err, b.Set(record.CommitKey, c.Encode())); err != nil {
		return err
	}
	return b.WriteSync()
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func isEmpty(db dbm.DB) (bool, error) {
	it, err := db.Iterator(nil, nil)
	if err != nil {
		return false, err
	}
	empty := !it.Valid()
	return empty, errors.Join(it.Error(), it.Close())
}

// header reads the stream up to the trees and returns the history and the
// live store names it describes.
func (d *decoder) header(genesis []string, version int64) (record.History, []string) {
	h := record.History{Genesis: genesis}
	d.expect(magic)
	if f := d.uvarint(); d.err == nil && f != Format {
		d.fail("format %d, want %d", f, Format)
	}
	if v := d.uvarint(); d.err == nil && v != uint64(version) {
		d.fail("version %d, want %d", v, version)
	}
	n := d.count()
	for range n {
		v := d.uvarint()
		rec := d.bytes(1 << 20)
		if d.err != nil {
			break
		}
		u := record.Upgrade{Version: int64(v)}
		key := u.Key()
		u, err := record.DecodeUpgrade(key, rec)
		if err == nil && u.Version > version {
			err = fmt.Errorf("upgrade of version %d after version %d", u.Version, version)
		}
		if err == nil {
			h, err = h.Add(u)
		}
		if err != nil {
			d.fail("%v", err)
		}
	}
	var names []string
	n = d.count()
	for range n {
		names = append(names, string(d.bytes(maxName)))
	}
	if want := h.LiveAt(version); d.err == nil && !slices.Equal(names, want) {
		d.fail("stores %q, but the upgrades make %q live at version %d", names, want, version)
	}
	return h, names
}

// importTree imports the nodes of one tree at version and returns its
// root hash.
func importTree(db dbm.DB, name string, version int64, d *decoder) ([]byte, error) {
	t := iavl.NewMutableTree(record.TreeDB(db, name), cacheSize, true, iavl.NewNopLogger())
	defer t.Close()
	imp, err := t.Import(version)
	if err != nil {
		return nil, err
	}
	defer imp.Close()
	// The importer's stack of subtrees: the hash covers everything in a
	// node but an inner node's key, which must be the first key of its
	// right subtree, or lookups in the restored tree go astray.
	type subtree struct {
		height int8
		first  []byte
	}
	var stack []subtree
	var last []byte // the previous leaf's key
	for d.err == nil {
		tag := d.byte()
		if d.err != nil || tag == 0 {
			break
		}
		height := int8(d.byte())
		n := &iavl.ExportNode{Height: height, Version: int64(d.uvarint())}
		n.Key = d.bytes(maxKey)
		if height == 0 {
			n.Value = d.bytes(maxValue)
		}
		k := len(stack)
		switch {
		case d.err != nil:
		case tag != 1 || height < 0:
			d.fail("node tag %d, height %d", tag, height)
		case n.Version < 1 || n.Version > version:
			d.fail("node version %d outside 1..%d", n.Version, version)
		case len(n.Key) == 0:
			d.fail("node with an empty key")
		case height > 0 && (k < 2 || stack[k-1].height >= height || stack[k-2].height >= height):
			d.fail("inner node of height %d without its two children", height)
		case height > 0 && !bytes.Equal(n.Key, stack[k-1].first):
			d.fail("inner node key %X, its right subtree starts at %X", n.Key, stack[k-1].first)
		case height > 0:
			stack = append(stack[:k-2], subtree{height, stack[k-2].first})
		case last != nil && bytes.Compare(n.Key, last) <= 0:
			d.fail("leaf key %X after %X", n.Key, last)
		default:
			stack = append(stack, subtree{0, n.Key})
			last = n.Key
		}
		if d.err != nil {
			break
		}
		if err := imp.Add(n); err != nil {
			d.fail("%v", err)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(stack) > 1 {
		return nil, fmt.Errorf("%w: %d subtrees without a root", ErrMalformed, len(stack))
	}
	if err := imp.Commit(); err != nil {
		return nil, err
	}
	return t.Hash(), nil
}

type decoder struct {
	r   *bufio.Reader
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) readErr(err error) {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	d.fail("%v", err)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	b, err := d.r.ReadByte()
	if err != nil {
		d.readErr(err)
	}
	return b
}

// uvarint reads an unsigned LEB128 number in its shortest encoding, so
// that one stream is the only one to restore a version.
func (d *decoder) uvarint() uint64 {
	var n uint64
	for i := range binary.MaxVarintLen64 {
		b := d.byte()
		switch {
		case d.err != nil:
			return 0
		case b == 0 && i > 0:
			d.fail("uvarint not in its shortest encoding")
			return 0
		case b < 0x80 && i == binary.MaxVarintLen64-1 && b > 1:
			d.fail("uvarint overflows 64 bits")
			return 0
		case b < 0x80:
			return n | uint64(b)<<(7*i)
		}
		n |= uint64(b&0x7f) << (7 * i)
	}
	d.fail("uvarint overflows 64 bits")
	return 0
}

func (d *decoder) count() int {
	n := d.uvarint()
	if n > maxCount {
		d.fail("count %d", n)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes(limit int) []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(limit) {
		d.fail("length %d over %d", n, limit)
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.readErr(err)
		return nil
	}
	return b
}

func (d *decoder) expect(want []byte) {
	got := make([]byte, len(want))
	if d.err == nil {
		if _, err := io.ReadFull(d.r, got); err != nil {
			d.readErr(err)
		} else if !bytes.Equal(got, want) {
			d.fail("expected %q, got %q", want, got)
		}
	}
}

// Restore restores a snapshot stream into db, which must hold no key, for
// a multistore whose genesis stores are names: state.Open(db, names, ...)
// then opens version. It fails unless the stream is of version and
// restores to app hash hash; the error wraps ErrMalformed
// (state.ErrInvalidSnapshot) when the stream is at fault. On failure db is
// left without what Restore wrote.
func Restore(db dbm.DB, names []string, r io.Reader, version int64, hash []byte) error {
	genesis, err := record.CheckNames(names)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return Import(db, genesis, r, record.Commit{Version: version, First: version, Hash: hash})
}
