package abci

import (
	"bytes"
	"context"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci/snapshots"
	"github.com/abci-ics/ics/state"
)

var ctx = context.Background()

// snapshotToy returns a toy app (transition adding store "b" at height 3)
// that takes a snapshot every 5 heights, keeps 2, in chunks of 64
// bytes, with pruning keeping only 2 versions.
func snapshotToy(t *testing.T, interval int64) (*App, dbm.DB) {
	t.Helper()
	store, err := snapshots.Open(t.TempDir(), snapshots.Options{Interval: interval, KeepRecent: 2, ChunkSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	db := dbm.NewMemDB()
	a, err := New(db, Options{Chain: toyFactory{plan: 3}, Snapshots: store, State: state.Options{KeepRecent: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, db
}

// runWaiting is runBlocks waiting, after each block, for the snapshot it
// started, as a node whose blocks take longer than a snapshot does.
func runWaiting(t *testing.T, a *App, from, to int64) map[int64][]byte {
	t.Helper()
	hashes := map[int64][]byte{}
	for h := from; h <= to; h++ {
		got, _ := runBlocks(t, a, h, h)
		hashes[h] = got[h]
		a.snaps.Wait()
	}
	return hashes
}

func listSnapshots(t *testing.T, a *App) []*abcitypes.Snapshot {
	t.Helper()
	a.snaps.Wait()
	res, err := a.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Snapshots
}

func heightsOf(snaps []*abcitypes.Snapshot) []uint64 {
	var hs []uint64
	for _, s := range snaps {
		hs = append(hs, s.Height)
	}
	return hs
}

func chunks(t *testing.T, a *App, s *abcitypes.Snapshot) [][]byte {
	t.Helper()
	var out [][]byte
	for i := range s.Chunks {
		res, err := a.LoadSnapshotChunk(ctx, &abcitypes.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
		if err != nil || len(res.Chunk) == 0 {
			t.Fatalf("chunk %d of %d: %v", i, s.Height, err)
		}
		out = append(out, res.Chunk)
	}
	return out
}

func offer(t *testing.T, a *App, s *abcitypes.Snapshot, appHash []byte) abcitypes.ResponseOfferSnapshot_Result {
	t.Helper()
	res, err := a.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: s, AppHash: appHash})
	if err != nil {
		t.Fatal(err)
	}
	return res.Result
}

func apply(t *testing.T, a *App, i uint32, chunk []byte, sender string) *abcitypes.ResponseApplySnapshotChunk {
	t.Helper()
	res, err := a.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: i, Chunk: chunk, Sender: sender})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func dbEmpty(t *testing.T, db dbm.DB) bool {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	return !it.Valid()
}

func info(t *testing.T, a *App) *abcitypes.ResponseInfo {
	t.Helper()
	res, err := a.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSnapshotsTakenAndKept: snapshots are taken at every multiple of the
// interval, in the background, and only the two most recent are kept.
func TestSnapshotsTakenAndKept(t *testing.T) {
	a, _ := snapshotToy(t, 5)
	initToy(t, a)
	runWaiting(t, a, 1, 4)
	if got := listSnapshots(t, a); len(got) != 0 {
		t.Fatalf("snapshots before height 5: %v", heightsOf(got))
	}
	runWaiting(t, a, 5, 12)
	if got := heightsOf(listSnapshots(t, a)); len(got) != 2 || got[0] != 10 || got[1] != 5 {
		t.Fatalf("snapshots at 12: %v, want [10 5]", got)
	}
	runWaiting(t, a, 13, 16)
	snaps := listSnapshots(t, a)
	if got := heightsOf(snaps); len(got) != 2 || got[0] != 15 || got[1] != 10 {
		t.Fatalf("snapshots at 16: %v, want [15 10]", got)
	}
	s := snaps[0]
	if s.Format != snapshots.Format || s.Chunks < 2 || len(s.Metadata) != 32*int(s.Chunks) {
		t.Fatalf("snapshot %+v", s)
	}
	if res, _ := a.LoadSnapshotChunk(ctx, &abcitypes.RequestLoadSnapshotChunk{Height: 5, Format: 1}); len(res.Chunk) != 0 {
		t.Fatal("a removed snapshot still serves chunks")
	}
}

// TestStateSyncRestore: a new node restores the newest snapshot (a
// corrupt chunk is asked for again from another peer and changes
// nothing), reports its height and app hash, has store "b" that the
// transition added, answers queries like the source, and executes the
// next blocks to the source's app hashes.
func TestStateSyncRestore(t *testing.T) {
	src, _ := snapshotToy(t, 5)
	initToy(t, src)
	hashes := runWaiting(t, src, 1, 12)
	snaps := listSnapshots(t, src)
	s := snaps[0]
	if s.Height != 10 {
		t.Fatalf("newest snapshot %d", s.Height)
	}
	parts := chunks(t, src, s)

	dst, db := snapshotToy(t, 0)
	if r := offer(t, dst, &abcitypes.Snapshot{Height: 10, Format: 7, Chunks: s.Chunks, Hash: s.Hash, Metadata: s.Metadata}, hashes[10]); r != abcitypes.ResponseOfferSnapshot_REJECT_FORMAT {
		t.Fatalf("unknown format: %v", r)
	}
	if r := offer(t, dst, &abcitypes.Snapshot{Height: 10, Format: 1, Chunks: s.Chunks + 1, Hash: s.Hash, Metadata: s.Metadata}, hashes[10]); r != abcitypes.ResponseOfferSnapshot_REJECT {
		t.Fatalf("chunk count unlike the metadata: %v", r)
	}
	if r := offer(t, dst, s, hashes[10]); r != abcitypes.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	for i, c := range parts {
		if i == 1 {
			bad := bytes.Clone(c)
			bad[len(bad)/2] ^= 1
			res := apply(t, dst, 1, bad, "peer-bad")
			if res.Result != abcitypes.ResponseApplySnapshotChunk_RETRY || len(res.RefetchChunks) != 1 || res.RefetchChunks[0] != 1 ||
				len(res.RejectSenders) != 1 || res.RejectSenders[0] != "peer-bad" {
				t.Fatalf("corrupt chunk: %+v", res)
			}
		}
		if res := apply(t, dst, uint32(i), c, "peer-good"); res.Result != abcitypes.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %+v", i, res)
		}
	}
	if got := info(t, dst); got.LastBlockHeight != 10 || !bytes.Equal(got.LastBlockAppHash, hashes[10]) {
		t.Fatalf("info after restore: %d %X, want 10 %X", got.LastBlockHeight, got.LastBlockAppHash, hashes[10])
	}
	if !dst.Chain().(toyChain).withB {
		t.Fatal("the restored chain runs without store b")
	}
	q := &abcitypes.RequestQuery{Path: PathStore + "b/key", Data: []byte("height")}
	if got, _ := dst.Query(ctx, q); got.Code != 0 || string(got.Value) != "10" || got.Height != 10 {
		t.Fatalf("query after restore: %+v", got)
	}
	if r := offer(t, dst, s, hashes[10]); r != abcitypes.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer to a node with state: %v", r)
	}
	again, _ := runBlocks(t, dst, 11, 12)
	for h := int64(11); h <= 12; h++ {
		if !bytes.Equal(again[h], hashes[h]) {
			t.Fatalf("height %d after restore: app hash %X, source %X", h, again[h], hashes[h])
		}
	}
	want, _ := src.Query(ctx, q)
	if got, _ := dst.Query(ctx, q); got.Code != 0 || string(got.Value) != "12" || !bytes.Equal(got.Value, want.Value) || got.Height != want.Height {
		t.Fatalf("query at 12: %+v, source %+v", got, want)
	}
	if dbEmpty(t, db) {
		t.Fatal("restored database is empty")
	}
}

// TestStateSyncAppHashMismatch: a snapshot that does not restore to the
// app hash the light client verified is rejected and leaves the state
// empty; the right one is then restored.
func TestStateSyncAppHashMismatch(t *testing.T) {
	src, _ := snapshotToy(t, 5)
	initToy(t, src)
	hashes := runWaiting(t, src, 1, 6)
	s := listSnapshots(t, src)[0]
	parts := chunks(t, src, s)
	dst, db := snapshotToy(t, 0)

	if r := offer(t, dst, s, hashes[4]); r != abcitypes.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	var last *abcitypes.ResponseApplySnapshotChunk
	for i, c := range parts {
		last = apply(t, dst, uint32(i), c, "peer")
	}
	if last.Result != abcitypes.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("last chunk of a snapshot with the wrong app hash: %+v", last)
	}
	if !dbEmpty(t, db) || info(t, dst).LastBlockHeight != 0 || dst.Chain() != nil {
		t.Fatal("a rejected snapshot left state behind")
	}
	if r := apply(t, dst, 0, parts[0], "peer").Result; r != abcitypes.ResponseApplySnapshotChunk_ABORT {
		t.Fatalf("chunk after the rejection: %v", r)
	}
	if r := offer(t, dst, s, hashes[5]); r != abcitypes.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("second offer: %v", r)
	}
	for i, c := range parts {
		last = apply(t, dst, uint32(i), c, "peer")
	}
	if last.Result != abcitypes.ResponseApplySnapshotChunk_ACCEPT || info(t, dst).LastBlockHeight != 5 {
		t.Fatalf("restore after a rejected one: %+v", last)
	}
}

// TestStateSyncOff: without a snapshot store nothing is listed and offers
// are refused.
func TestStateSyncOff(t *testing.T) {
	a := openToy(t, dbm.NewMemDB(), toyFactory{})
	if res, _ := a.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{}); len(res.Snapshots) != 0 {
		t.Fatal("snapshots listed")
	}
	if r := offer(t, a, &abcitypes.Snapshot{Height: 1, Format: 1, Chunks: 1}, []byte{1}); r != abcitypes.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer: %v", r)
	}
}
