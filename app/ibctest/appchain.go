package ibctest

import (
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/interchain"
)

// TxEncoder makes one transaction of a chain's own format from messages
// the relayer (or a test) submits from the account at address signer.
type TxEncoder func(signer []byte, msgs ...gogoproto.Message) ([]byte, error)

// RelayTx is the TxEncoder of chains that take the relayer's messages as
// unsigned interchain.RelayTx transactions.
var RelayTx TxEncoder = interchain.NewRelayTx

// AppChain describes a chain whose application is not icsd's: a chain
// that embeds the interchain layer (examples/poaprovider, for one).
type AppChain struct {
	// App is the application; InitChain, FinalizeBlock, Commit and Query
	// go to it.
	App abcitypes.Application
	// AppState is InitChain's app_state.
	AppState []byte
	// ValidatorKeys are the consensus keys of the validators InitChain
	// returns; the chain signs its headers with them.
	ValidatorKeys []ed25519.PrivKey
	// Encode makes the chain's transactions; nil for RelayTx.
	Encode TxEncoder
}

// NewAppChain starts the chain cfg describes on clock, with chain id id,
// and commits its first block. Account 0 only names the relayer: its
// address is the signer Encode gets from Submitter and Tx. The chain's
// validator set is the one the application returns, from InitChain and
// from every block.
func NewAppChain(t testing.TB, clock *Clock, id string, cfg AppChain) *Chain {
	c := newChain(t, clock, id)
	c.encode = cfg.Encode
	if c.encode == nil {
		c.encode = RelayTx
	}
	c.Accounts = []ed25519.PrivKey{ed25519.GenPrivKeyFromSecret([]byte(id + "/account/0"))}
	for _, k := range cfg.ValidatorKeys {
		c.AddSigner(k)
	}
	c.ValidatorKeys = append([]ed25519.PrivKey(nil), cfg.ValidatorKeys...)
	c.initChain(cfg.App, cfg.AppState)
	return c
}
