package auth

import (
	"bytes"
	"fmt"
	"sort"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Bank is what auth needs of the bank: balances and transfers.
type Bank interface {
	Balance(s state.Store, addr []byte, denom string) uint64
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
}

// Keeper reads and writes accounts and parameters in the auth store.
type Keeper struct {
	Bank Bank
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// Params returns the stored parameters. They are written at genesis; a
// missing record is a broken invariant.
func (Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), []byte{keyParams})
	if !ok {
		panic("auth: broken invariant: parameters missing from state")
	}
	return p
}

// SetParams validates and stores p.
func (Keeper) SetParams(s state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	typed.Set(kv(s), []byte{keyParams}, &p)
	return nil
}

// ChainID returns the chain id recorded at genesis.
func (Keeper) ChainID(s state.Store) string { return string(kv(s).Get([]byte{keyChainID})) }

// Account returns addr's account and whether it exists.
func (Keeper) Account(s state.Store, addr []byte) (Account, bool) {
	return typed.Get[Account](kv(s), AccountKey(addr))
}

// SetAccount stores a.
func (Keeper) SetAccount(s state.Store, a Account) {
	typed.Set(kv(s), AccountKey(a.Address), &a)
}

// NativeDenom implements bank.Accounts: the fee denomination of the
// genesis parameters, whose balances account records hold.
func (Keeper) NativeDenom(s state.Store) string { return string(kv(s).Get([]byte{keyNative})) }

// NativeBalance implements bank.Accounts.
func (k Keeper) NativeBalance(s state.Store, addr []byte) uint64 {
	a, _ := k.Account(s, addr)
	return a.Balance
}

// SetNativeBalance implements bank.Accounts. An address receiving its
// first native coins gets a record (with no public key yet); records are
// never deleted.
func (k Keeper) SetNativeBalance(s state.Store, addr []byte, amount uint64) {
	a, found := k.Account(s, addr)
	if !found {
		if amount == 0 {
			return
		}
		a = Account{Address: bytes.Clone(addr)}
	}
	a.Balance = amount
	k.SetAccount(s, a)
}

// IterateNativeBalances implements bank.Accounts.
func (Keeper) IterateNativeBalances(s state.Store, fn func(addr []byte, amount uint64)) {
	typed.Each(kv(s), []byte{prefixAccount}, func(_ []byte, a Account) {
		if a.Balance > 0 {
			fn(a.Address, a.Balance)
		}
	})
}

// Ante runs the stateful checks of a decoded transaction whose signature
// was verified, and charges it: the size against the parameters, the
// account (created on first use if the address holds funds, else
// ErrUnknownAccount), the public key and its type (ErrInvalidSignature if
// the account has another one), an SDK transaction's fee payer (the signer
// or none), the nonce (ErrBadNonce; a *SequenceError for an SDK
// transaction), and the fee (ErrInsufficientFee below the minimum or above
// the balance; a simulated transaction's zero fee counts as the minimum).
// On success the fee is in the fee collector and the nonce has increased.
// On error the caller discards s.
func (k Keeper) Ante(s state.Store, tx *DecodedTx, txBytes int) (abci.Event, error) {
	p := k.Params(s)
	if uint64(txBytes) > p.MaxTxBytes {
		return abci.Event{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTxTooLarge, txBytes, p.MaxTxBytes)
	}
	if uint32(len(tx.Body.Msgs)) > p.MaxMsgs {
		return abci.Event{}, fmt.Errorf("%w: %d messages, limit %d", ErrTxDecode, len(tx.Body.Msgs), p.MaxMsgs)
	}
	if uint32(len(tx.Body.Memo)) > p.MaxMemoBytes {
		return abci.Event{}, fmt.Errorf("%w: memo of %d bytes, limit %d", ErrTxDecode, len(tx.Body.Memo), p.MaxMemoBytes)
	}
	fee := tx.Body.Fee
	if tx.simulate && fee.Amount == 0 {
		fee = p.MinFee
	}
	if fee.Denom != p.MinFee.Denom || fee.Amount < p.MinFee.Amount {
		return abci.Event{}, fmt.Errorf("%w: paid %s, minimum %s", ErrInsufficientFee, fee, p.MinFee)
	}
	acc, found := k.Account(s, tx.Signer)
	if !found {
		if k.Bank.Balance(s, tx.Signer, p.MinFee.Denom) == 0 {
			return abci.Event{}, fmt.Errorf("%w: %s has no account and no %s", ErrUnknownAccount, address.Encode(p.Bech32Prefix, tx.Signer), p.MinFee.Denom)
		}
		acc = Account{Address: tx.Signer}
	}
	if acc.PubKey == nil {
		acc.PubKey, acc.KeyType = tx.PubKey, tx.KeyType
	} else if acc.KeyType != tx.KeyType || !bytes.Equal(acc.PubKey, tx.PubKey) {
		return abci.Event{}, fmt.Errorf("%w: public key does not match the account's", ErrInvalidSignature)
	}
	if tx.sdk != nil && tx.sdk.Payer != "" && tx.sdk.Payer != address.Encode(p.Bech32Prefix, tx.Signer) {
		return abci.Event{}, fmt.Errorf("%w: fee payer %s is not the signer", ErrTxDecode, tx.sdk.Payer)
	}
	if tx.Body.Nonce != acc.Nonce {
		if tx.sdk != nil {
			return abci.Event{}, &SequenceError{Expected: acc.Nonce, Got: tx.Body.Nonce}
		}
		return abci.Event{}, fmt.Errorf("%w: expected %d, got %d", ErrBadNonce, acc.Nonce, tx.Body.Nonce)
	}
	if fee.Amount > 0 {
		if err := k.Bank.Send(s, tx.Signer, address.Module(FeeCollector), []coin.Coin{fee}); err != nil {
			return abci.Event{}, fmt.Errorf("%w: %v", ErrInsufficientFee, err)
		}
		// The fee may have been taken from the balance in the record.
		if cur, ok := k.Account(s, tx.Signer); ok {
			acc.Balance = cur.Balance
		}
	}
	acc.Nonce++
	k.SetAccount(s, acc)
	signer := address.Encode(p.Bech32Prefix, tx.Signer)
	return abci.Event{Type: "tx", Attributes: []abci.EventAttribute{
		{Key: "signer", Value: signer, Index: true},
		{Key: "nonce", Value: fmt.Sprint(tx.Body.Nonce), Index: true},
		{Key: "fee", Value: fee.String()},
	}}, nil
}

// InitGenesis validates gs and writes the chain id, the parameters and the
// accounts (in address order).
func (k Keeper) InitGenesis(s state.Store, chainID string, gs *GenesisState) error {
	if chainID == "" {
		return fmt.Errorf("%w: empty chain id", ErrInvalidGenesis)
	}
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	accs := make([]Account, 0, len(gs.Accounts))
	seen := make(map[string]struct{}, len(gs.Accounts))
	for i, ga := range gs.Accounts {
		addr, err := address.Decode(gs.Params.Bech32Prefix, ga.Address)
		if err != nil {
			return fmt.Errorf("%w: account %d: %v", ErrInvalidGenesis, i, err)
		}
		if _, dup := seen[string(addr)]; dup {
			return fmt.Errorf("%w: account %s appears twice", ErrInvalidGenesis, ga.Address)
		}
		seen[string(addr)] = struct{}{}
		if len(ga.PubKey) > 0 && !bytes.Equal(keyAddress(ga.KeyType, ga.PubKey), addr) {
			return fmt.Errorf("%w: account %s: public key does not match the address", ErrInvalidGenesis, ga.Address)
		}
		var pk []byte
		if len(ga.PubKey) > 0 {
			pk = ga.PubKey
		}
		accs = append(accs, Account{Address: addr, PubKey: pk, Nonce: ga.Nonce, KeyType: ga.KeyType})
	}
	sort.Slice(accs, func(i, j int) bool { return bytes.Compare(accs[i].Address, accs[j].Address) < 0 })
	kv(s).Set([]byte{keyChainID}, []byte(chainID))
	if err := k.SetParams(s, gs.Params); err != nil {
		return err
	}
	kv(s).Set([]byte{keyNative}, []byte(gs.Params.MinFee.Denom))
	for _, a := range accs {
		k.SetAccount(s, a)
	}
	return nil
}

// ExportGenesis returns the parameters and every account.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	p := k.Params(s)
	gs := &GenesisState{Params: p}
	typed.Each(kv(s), []byte{prefixAccount}, func(_ []byte, a Account) {
		gs.Accounts = append(gs.Accounts, GenesisAccount{Address: address.Encode(p.Bech32Prefix, a.Address), PubKey: a.PubKey, Nonce: a.Nonce, KeyType: a.KeyType})
	})
	return gs
}

// DefaultGenesis returns a genesis with default parameters and no accounts.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// keyAddress returns the address of a public key of type kt: nil for a
// key of the wrong size or an unknown type, which matches no address.
func keyAddress(kt KeyType, pub []byte) []byte {
	switch {
	case kt == KEY_TYPE_ED25519 && len(pub) == ed25519.PubKeySize:
		return address.FromPubKey(pub)
	case kt == KEY_TYPE_SECP256K1 && len(pub) == secp256k1.PubKeySize:
		return sdktx.Address(pub)
	}
	return nil
}
