package app

import (
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/state"
)

// Handler runs one encoded message for signer in block b.
type Handler func(s state.Store, b abci.Block, signer, msg []byte) ([]abcitypes.Event, error)

// Routes maps message type URLs to their handlers.
type Routes map[string]Handler

// Handle registers a typed handler for the message type of T. It panics
// when the type is registered twice, a wiring error.
func Handle[T any, PT interface {
	*T
	gogoproto.Message
	Unmarshal([]byte) error
}](r Routes, h func(s state.Store, b abci.Block, signer []byte, m PT) ([]abcitypes.Event, error)) {
	url := auth.TypeURL(PT(new(T)))
	if _, dup := r[url]; dup {
		panic(fmt.Sprintf("app: route %s registered twice", url))
	}
	r[url] = func(s state.Store, b abci.Block, signer, bz []byte) ([]abcitypes.Event, error) {
		m := PT(new(T))
		if err := m.Unmarshal(bz); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", auth.ErrTxDecode, url, err)
		}
		return h(s, b, signer, m)
	}
}

// Route registers the messages of the accounts every chain has: bank
// sends.
func (a *Accounts) Route(r Routes) {
	Handle(r, func(s state.Store, _ abci.Block, signer []byte, m *bank.MsgSend) ([]abcitypes.Event, error) {
		return a.Bank.HandleSend(s, signer, m)
	})
}

// LayerBlock is the block as the interchain layer sees it.
func LayerBlock(b abci.Block) interchain.Block {
	return interchain.Block{Height: b.Height, Time: b.Time, LastCommit: b.LastCommit, AppHash: b.AppHash, NextValidatorsHash: b.NextValidatorsHash}
}

// RouteIBCGo registers the handlers of ibc-go's message types (see
// package ibcgo, whose Routes and ProviderRoutes make hs): they translate
// each message and run it through the interchain layer's handler of the
// icsd message that does the same.
func RouteIBCGo(r Routes, hs map[string]ibcgo.Handler) {
	for url, h := range hs {
		if _, dup := r[url]; dup {
			panic(fmt.Sprintf("app: route %s registered twice", url))
		}
		r[url] = func(s state.Store, b abci.Block, signer, msg []byte) ([]abcitypes.Event, error) {
			return h(s, LayerBlock(b), signer, msg)
		}
	}
}
