package app

import (
	"errors"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Accounts are the modules every icsd chain has: auth (account records,
// nonces, fees and the signed transaction envelope) and bank, wired to each
// other (the native denomination's balance lives in the account record).
// It implements the transaction half of abci.Chain.
type Accounts struct {
	chainID string
	// Prefix is the chain's bech32 account prefix.
	Prefix string
	Auth   auth.Keeper
	Bank   *bank.Keeper
}

// NewAccounts wires auth and bank for chain chainID with bech32 prefix
// prefix.
func NewAccounts(chainID, prefix string) *Accounts {
	a := &Accounts{chainID: chainID, Prefix: prefix, Bank: &bank.Keeper{Prefix: prefix}}
	a.Auth = auth.Keeper{Bank: a.Bank}
	a.Bank.Accounts = a.Auth
	return a
}

// OpenAccounts wires auth and bank for the chain whose committed state is
// s, reading its chain id and prefix there. It fails on state without a
// chain id, which no InitChain wrote.
func OpenAccounts(s state.Store) (*Accounts, error) {
	var k auth.Keeper
	id := k.ChainID(s)
	if id == "" {
		return nil, errors.New("app: committed state has no chain id")
	}
	return NewAccounts(id, k.Params(s).Bech32Prefix), nil
}

// ChainID is the chain's id.
func (a *Accounts) ChainID() string { return a.chainID }

// InitGenesis writes the auth and bank genesis. Errors wrap
// abci.ErrInvalidGenesis.
func (a *Accounts) InitGenesis(s state.Store, g *Genesis) error {
	if err := a.Auth.InitGenesis(s, a.chainID, &g.Auth); err != nil {
		return fmt.Errorf("%w: %w", abci.ErrInvalidGenesis, err)
	}
	if err := a.Bank.InitGenesis(s, &g.Bank); err != nil {
		return fmt.Errorf("%w: %w", abci.ErrInvalidGenesis, err)
	}
	return nil
}

// FeeCollectorAddress is the address that receives transaction fees.
func FeeCollectorAddress() []byte { return address.Module(auth.FeeCollector) }

// tx is a decoded auth transaction as the pipeline sees it.
type tx struct {
	*auth.DecodedTx
	msgs []abci.Msg
}

func (t tx) Signer() []byte             { return t.DecodedTx.Signer }
func (t tx) Msgs() []abci.Msg           { return t.msgs }
func decoded(t abci.Tx) *auth.DecodedTx { return t.(tx).DecodedTx }

// DecodeTx decodes an auth transaction (auth.DecodeTx): icsd's native
// envelope or the Cosmos SDK's.
func (a *Accounts) DecodeTx(raw []byte) (abci.Tx, error) { return wrap(auth.DecodeTx(raw)) }

// DecodeUnsignedTx decodes a transaction to simulate, whose signature is
// not checked (auth.DecodeUnsignedTx).
func (a *Accounts) DecodeUnsignedTx(raw []byte) (abci.Tx, error) {
	return wrap(auth.DecodeUnsignedTx(raw))
}

func wrap(d *auth.DecodedTx, err error) (abci.Tx, error) {
	if err != nil {
		return nil, err
	}
	msgs := make([]abci.Msg, len(d.Body.Msgs))
	for i, m := range d.Body.Msgs {
		msgs[i] = abci.Msg{TypeURL: m.TypeUrl, Value: m.Value}
	}
	return tx{d, msgs}, nil
}

// MinimumFee returns a node's mempool policy (abci.Options.Admit) that
// refuses transactions paying less than min, or in another denomination:
// a node's own floor above the chain's (auth's MinFee parameter, which
// every block enforces).
func MinimumFee(min coin.Coin) func(abci.Tx) error {
	return func(t abci.Tx) error {
		if fee := decoded(t).Body.Fee; fee.Denom != min.Denom || fee.Amount < min.Amount {
			return fmt.Errorf("%w: paid %s, this node's minimum is %s", auth.ErrInsufficientFee, fee, min)
		}
		return nil
	}
}

// VerifyTxs checks the chain id of each transaction and all ed25519
// signatures in one batch verification, falling back to one by one when
// the batch fails. SDK transactions (secp256k1) are verified one by one.
func (a *Accounts) VerifyTxs(txs []abci.Tx, errs []error) {
	bv := ed25519.NewBatchVerifier()
	var batch []int
	for i, t := range txs {
		d := decoded(t)
		if d.SDK() {
			errs[i] = d.Verify(a.chainID)
			continue
		}
		if err := d.CheckChainID(a.chainID); err != nil {
			errs[i] = err
			continue
		}
		if err := bv.Add(ed25519.PubKey(d.PubKey), d.SignBytes(), d.Signature); err != nil {
			errs[i] = fmt.Errorf("%w: %w", auth.ErrInvalidSignature, err)
			continue
		}
		batch = append(batch, i)
	}
	if len(batch) == 0 {
		return
	}
	if ok, _ := bv.Verify(); ok {
		return
	}
	for _, i := range batch {
		errs[i] = decoded(txs[i]).VerifySignature()
	}
}

// Ante checks the nonce and charges the fee (auth.Keeper.Ante).
func (a *Accounts) Ante(s state.Store, t abci.Tx, size int) ([]abcitypes.Event, error) {
	ev, err := a.Auth.Ante(s, decoded(t), size)
	if err != nil {
		return nil, err
	}
	return []abcitypes.Event{ev}, nil
}
