package ibctest

import (
	"bytes"
	"context"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/abci/snapshots"
)

// StateSync replaces the chain's application by that of a new node that
// joined by state sync. The application is reopened with a snapshot store
// that takes a snapshot every block, one block is committed, and a new
// application over an empty database restores that block's snapshot
// through the ABCI snapshot methods, given the block's app hash as
// CometBFT's light client would. It fails the test unless every chunk is
// accepted and the new application reports the block's height and app
// hash; the chain runs on the new application from then on.
func (c *Chain) StateSync() {
	t := c.T
	if c.App == nil {
		t.Fatalf("%s: StateSync: not an icsd chain", c.ID)
	}
	ctx := context.Background()
	src, err := snapshots.Open(t.TempDir(), snapshots.Options{Interval: 1, KeepRecent: 1, ChunkSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.App.Close(); err != nil {
		t.Fatal(err)
	}
	old, err := c.open(c.db, abci.Options{Snapshots: src})
	if err != nil {
		t.Fatalf("%s: reopen: %v", c.ID, err)
	}
	c.App, c.app = old, old
	c.NextBlock()
	src.Wait()
	list, err := old.ListSnapshots(ctx, &abcitypes.RequestListSnapshots{})
	if err != nil || len(list.Snapshots) != 1 || list.Snapshots[0].Height != uint64(c.Height) {
		t.Fatalf("%s: snapshots at height %d: %v %v", c.ID, c.Height, list, err)
	}
	snap := list.Snapshots[0]

	dst, err := snapshots.Open(t.TempDir(), snapshots.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := dbm.NewMemDB()
	a, err := c.open(db, abci.Options{Snapshots: dst})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := a.OfferSnapshot(ctx, &abcitypes.RequestOfferSnapshot{Snapshot: snap, AppHash: c.appHash})
	if err != nil || offer.Result != abcitypes.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("%s: offer of snapshot %d: %v %v", c.ID, snap.Height, offer, err)
	}
	for i := range snap.Chunks {
		chunk, err := old.LoadSnapshotChunk(ctx, &abcitypes.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: i})
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.ApplySnapshotChunk(ctx, &abcitypes.RequestApplySnapshotChunk{Index: i, Chunk: chunk.Chunk, Sender: "peer"})
		if err != nil || res.Result != abcitypes.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("%s: chunk %d of %d: %v %v", c.ID, i, snap.Chunks, res, err)
		}
	}
	info, err := a.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil || info.LastBlockHeight != c.Height || !bytes.Equal(info.LastBlockAppHash, c.appHash) {
		t.Fatalf("%s: restored at %d, %X; the chain is at %d, %X (%v)", c.ID, info.LastBlockHeight, info.LastBlockAppHash, c.Height, c.appHash, err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	c.App, c.app, c.db = a, a, db
}
