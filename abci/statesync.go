package abci

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/abci/snapshots"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/snapshot"
)

// restore is the snapshot being restored.
type restore struct {
	r       *snapshots.Restore
	appHash []byte
}

// snapshot hands height to the snapshot store, held, if one is due there.
func (a *App) snapshot(height int64) {
	if a.snaps == nil || !a.snaps.Due(height) {
		return
	}
	exp, err := a.st().Export(height)
	if err != nil {
		a.log.Error("snapshot not taken", "height", height, "err", err)
		return
	}
	a.snaps.Take(height, exp)
}

// ListSnapshots lists the stored snapshots, newest first.
func (a *App) ListSnapshots(_ context.Context, _ *abcitypes.RequestListSnapshots) (*abcitypes.ResponseListSnapshots, error) {
	if a.snaps == nil {
		return &abcitypes.ResponseListSnapshots{}, nil
	}
	list, err := a.snaps.List()
	if err != nil {
		a.log.Error("listing snapshots", "err", err)
	}
	return &abcitypes.ResponseListSnapshots{Snapshots: list}, nil
}

// LoadSnapshotChunk returns a chunk of a stored snapshot, nothing when
// there is no such chunk.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abcitypes.RequestLoadSnapshotChunk) (*abcitypes.ResponseLoadSnapshotChunk, error) {
	if a.snaps == nil {
		return &abcitypes.ResponseLoadSnapshotChunk{}, nil
	}
	chunk, err := a.snaps.LoadChunk(req.Height, req.Format, req.Chunk)
	if err != nil {
		a.log.Error("loading a snapshot chunk", "height", req.Height, "chunk", req.Chunk, "err", err)
	}
	return &abcitypes.ResponseLoadSnapshotChunk{Chunk: chunk}, nil
}

// OfferSnapshot decides whether to restore the offered snapshot.
func (a *App) OfferSnapshot(_ context.Context, req *abcitypes.RequestOfferSnapshot) (*abcitypes.ResponseOfferSnapshot, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	answer := func(r abcitypes.ResponseOfferSnapshot_Result) (*abcitypes.ResponseOfferSnapshot, error) {
		return &abcitypes.ResponseOfferSnapshot{Result: r}, nil
	}
	if a.snaps == nil {
		return answer(abcitypes.ResponseOfferSnapshot_ABORT)
	}
	if c := a.st().LastCommit(); c.Version > 0 || a.pending {
		a.log.Error("snapshot refused: the node has state", "height", c.Version)
		return answer(abcitypes.ResponseOfferSnapshot_ABORT)
	}
	a.dropRestore()
	if req.Snapshot == nil || len(req.AppHash) == 0 {
		return answer(abcitypes.ResponseOfferSnapshot_REJECT)
	}
	r, err := a.snaps.Restore(req.Snapshot)
	switch {
	case errors.Is(err, snapshots.ErrFormat):
		return answer(abcitypes.ResponseOfferSnapshot_REJECT_FORMAT)
	case err != nil:
		a.log.Error("snapshot rejected", "height", req.Snapshot.Height, "err", err)
		return answer(abcitypes.ResponseOfferSnapshot_REJECT)
	}
	a.restore = &restore{r: r, appHash: bytes.Clone(req.AppHash)}
	a.log.Info("restoring a snapshot", "height", req.Snapshot.Height, "chunks", req.Snapshot.Chunks)
	return answer(abcitypes.ResponseOfferSnapshot_ACCEPT)
}

// ApplySnapshotChunk takes the next chunk of the snapshot being restored
// and, after the last, restores the state.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abcitypes.RequestApplySnapshotChunk) (*abcitypes.ResponseApplySnapshotChunk, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	answer := func(r abcitypes.ResponseApplySnapshotChunk_Result) (*abcitypes.ResponseApplySnapshotChunk, error) {
		return &abcitypes.ResponseApplySnapshotChunk{Result: r}, nil
	}
	rs := a.restore
	if rs == nil {
		a.log.Error("snapshot chunk without a snapshot being restored", "chunk", req.Index)
		return answer(abcitypes.ResponseApplySnapshotChunk_ABORT)
	}
	last, err := rs.r.Apply(req.Index, req.Chunk)
	if errors.Is(err, snapshots.ErrChunkHash) {
		a.log.Info("snapshot chunk refused", "chunk", req.Index, "sender", req.Sender, "err", err)
		res := &abcitypes.ResponseApplySnapshotChunk{Result: abcitypes.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}}
		if req.Sender != "" {
			res.RejectSenders = []string{req.Sender}
		}
		return res, nil
	}
	if err != nil {
		a.log.Error("snapshot chunk", "chunk", req.Index, "err", err)
		a.dropRestore()
		return answer(abcitypes.ResponseApplySnapshotChunk_ABORT)
	}
	if !last {
		return answer(abcitypes.ResponseApplySnapshotChunk_ACCEPT)
	}
	err = a.restoreState(rs)
	a.dropRestore()
	switch {
	case errors.Is(err, state.ErrInvalidSnapshot):
		a.log.Error("snapshot rejected", "height", rs.r.Height(), "err", err)
		return answer(abcitypes.ResponseApplySnapshotChunk_REJECT_SNAPSHOT)
	case err != nil:
		a.log.Error("restoring a snapshot", "height", rs.r.Height(), "err", err)
		return answer(abcitypes.ResponseApplySnapshotChunk_ABORT)
	}
	c := a.st().LastCommit()
	a.log.Info("state restored from a snapshot", "height", c.Version, "app_hash", fmt.Sprintf("%X", c.Hash))
	return answer(abcitypes.ResponseApplySnapshotChunk_ACCEPT)
}

// dropRestore deletes the chunks of the snapshot being restored, if any.
func (a *App) dropRestore() {
	if a.restore != nil {
		if err := a.restore.r.Close(); err != nil {
			a.log.Error("removing the chunks of a restore", "err", err)
		}
		a.restore = nil
	}
}

// restoreState restores the received snapshot into the empty state
// database and reopens the state and the chain over it. On an error
// wrapping state.ErrInvalidSnapshot the state is empty again.
func (a *App) restoreState(rs *restore) error {
	stream, err := rs.r.Open()
	if err != nil {
		return err
	}
	defer stream.Close()
	if err := a.st().Close(); err != nil {
		return err
	}
	names := a.factory.Stores()
	err = snapshot.Restore(a.db, names, stream, rs.r.Height(), rs.appHash)
	ms, oerr := state.Open(a.db, names, a.stateOpts)
	if oerr != nil {
		return errors.Join(err, fmt.Errorf("reopening the state: %w", oerr))
	}
	a.ms.Store(ms)
	if err != nil {
		return err
	}
	return a.openChain()
}
