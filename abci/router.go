package abci

import (
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/state"
)

// route executes one encoded message for signer in block b.
type route func(s state.Store, b Block, signer, msg []byte) ([]abcitypes.Event, error)

// handle registers a typed handler for the message type of T.
func handle[T any, PT interface {
	*T
	gogoproto.Message
	Unmarshal([]byte) error
}](a *App, h func(s state.Store, b Block, signer []byte, m PT) ([]abcitypes.Event, error)) {
	url := auth.TypeURL(PT(new(T)))
	if _, dup := a.routes[url]; dup {
		panic(fmt.Sprintf("abci: route %s registered twice", url))
	}
	a.routes[url] = func(s state.Store, b Block, signer, bz []byte) ([]abcitypes.Event, error) {
		m := PT(new(T))
		if err := m.Unmarshal(bz); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", auth.ErrTxDecode, url, err)
		}
		return h(s, b, signer, m)
	}
}

// checkRoutes returns ErrUnknownMessage if the transaction has a message no
// module handles.
func (a *App) checkRoutes(tx *auth.DecodedTx) error {
	for i, m := range tx.Body.Msgs {
		if _, ok := a.routes[m.TypeUrl]; !ok {
			return fmt.Errorf("%w: message %d: %q", ErrUnknownMessage, i, m.TypeUrl)
		}
	}
	return nil
}
