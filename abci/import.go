package abci

import (
	"fmt"
	"slices"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state/export"
)

// importState is InitChain of a genesis that is an exported state (package
// export): it writes the state as it is and assembles the chain from it, as
// a node does from state it committed. The validators are the genesis
// file's, which the export wrote from the exported chain's next set. It
// changes nothing when it fails.
func (a *App) importState(req *abcitypes.RequestInitChain, st *export.State) (*abcitypes.ResponseInitChain, error) {
	if names := a.st().Names(); !slices.Equal(st.Names(), names) {
		return nil, fmt.Errorf("%w: the exported state has the stores %q, a new chain of this application %q (a chain whose stores changed by an upgrade cannot start from an export)",
			ErrInvalidGenesis, st.Names(), names)
	}
	if req.InitialHeight != st.Height+1 {
		return nil, fmt.Errorf("%w: the state was exported at height %d, so the chain's initial_height must be %d, not %d",
			ErrInvalidGenesis, st.Height, st.Height+1, req.InitialHeight)
	}
	st.Write(a.st().Working())
	c, err := a.factory.Open(a.st().Working(), st.Names())
	if err == nil && c.ChainID() != req.ChainId {
		err = fmt.Errorf("the state is chain %q's, the genesis is for %q", c.ChainID(), req.ChainId)
	}
	if err != nil {
		a.st().Discard()
		return nil, fmt.Errorf("%w: exported state: %w", ErrInvalidGenesis, err)
	}
	a.setChain(c)
	a.pending = true
	a.genesisHash = a.st().WorkingHash()
	a.lastTime.Store(req.Time.UnixNano())
	a.log.Info("exported state imported", "chain_id", req.ChainId, "exported_height", st.Height, "exported_app_hash", fmt.Sprintf("%X", st.AppHash))
	return &abcitypes.ResponseInitChain{AppHash: a.genesisHash}, nil
}
