package bank

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Keeper reads and writes balances and supply. It holds no state of its
// own: every method takes the store it works on. Prefix is the chain's
// bech32 prefix, used in events.
//
// With Accounts set, balances of the native denomination live in account
// records (see Accounts) and every other balance in the bank store; with
// Accounts nil, every balance lives in the bank store. The supply of every
// denomination is always in the bank store.
type Keeper struct {
	Prefix   string
	Accounts Accounts
}

// Accounts keeps balances of the chain's native denomination inside the
// account records of another module (the app wires the auth keeper), so
// that a transfer of it writes one record per account: the sender's
// record, which also holds the nonce its transaction bumps, and the
// recipient's.
type Accounts interface {
	// NativeDenom returns the denomination kept in account records, ""
	// before genesis.
	NativeDenom(s state.Store) string
	// NativeBalance returns addr's balance of the native denomination.
	NativeBalance(s state.Store, addr []byte) uint64
	// SetNativeBalance sets addr's balance of the native denomination,
	// creating its record if needed.
	SetNativeBalance(s state.Store, addr []byte, amount uint64)
	// IterateNativeBalances calls fn for every non-zero native balance, in
	// address order.
	IterateNativeBalances(s state.Store, fn func(addr []byte, amount uint64))
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// native reports whether balances of denom live in account records.
func (k Keeper) native(s state.Store, denom string) bool {
	return k.Accounts != nil && denom == k.Accounts.NativeDenom(s)
}

func (k Keeper) balance(s state.Store, addr []byte, denom string) uint64 {
	if k.native(s, denom) {
		return k.Accounts.NativeBalance(s, addr)
	}
	return getAmount(kv(s), BalanceKey(addr, denom))
}

func (k Keeper) setBalance(s state.Store, addr []byte, denom string, v uint64) {
	if k.native(s, denom) {
		k.Accounts.SetNativeBalance(s, addr, v)
		return
	}
	setAmount(kv(s), BalanceKey(addr, denom), v)
}

func getAmount(st state.KVStore, key []byte) uint64 {
	a, _ := typed.Get[coin.Amount](st, key)
	return a.Amount
}

func setAmount(st state.KVStore, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	typed.Set(st, key, &coin.Amount{Amount: v})
}

// Balance returns addr's balance of denom (0 when it has none).
func (k Keeper) Balance(s state.Store, addr []byte, denom string) uint64 {
	return k.balance(s, addr, denom)
}

// Balances returns all of addr's non-zero balances, sorted by denomination.
func (k Keeper) Balances(s state.Store, addr []byte) []coin.Coin {
	var out []coin.Coin
	typed.Each(kv(s), balancesPrefix(addr), func(denom []byte, a coin.Amount) {
		out = append(out, coin.Coin{Denom: string(denom), Amount: a.Amount})
	})
	if k.Accounts == nil {
		return out
	}
	if n := k.Accounts.NativeBalance(s, addr); n > 0 {
		out = append(out, coin.Coin{Denom: k.Accounts.NativeDenom(s), Amount: n})
		slices.SortFunc(out, func(a, b coin.Coin) int { return strings.Compare(a.Denom, b.Denom) })
	}
	return out
}

// Supply returns the total supply of denom.
func (Keeper) Supply(s state.Store, denom string) uint64 {
	return getAmount(kv(s), SupplyKey(denom))
}

// TotalSupply returns the supply of every denomination, sorted.
func (Keeper) TotalSupply(s state.Store) []coin.Coin {
	var out []coin.Coin
	typed.Each(kv(s), []byte{prefixSupply}, func(denom []byte, a coin.Amount) {
		out = append(out, coin.Coin{Denom: string(denom), Amount: a.Amount})
	})
	return out
}

// Send moves coins from one address to another. It returns
// ErrInsufficientFunds when from lacks any of them and ErrInvalidAmount or
// ErrInvalidDenom for invalid coins; on error the caller must discard the
// store it passed, since some coins may already have moved.
func (k Keeper) Send(s state.Store, from, to []byte, coins []coin.Coin) error {
	if len(from) != address.Len || len(to) != address.Len {
		return fmt.Errorf("%w: addresses must be %d bytes", ErrInvalidAddress, address.Len)
	}
	for _, c := range coins {
		if err := c.Validate(); err != nil {
			return err
		}
		have := k.balance(s, from, c.Denom)
		if have < c.Amount {
			return fmt.Errorf("%w: have %d%s, need %s", ErrInsufficientFunds, have, c.Denom, c)
		}
		if bytes.Equal(from, to) {
			continue
		}
		got, err := add(k.balance(s, to, c.Denom), c.Amount)
		if err != nil {
			return fmt.Errorf("send %s: recipient balance: %w", c, err)
		}
		k.setBalance(s, from, c.Denom, have-c.Amount)
		k.setBalance(s, to, c.Denom, got)
	}
	return nil
}

// Mint creates coins in addr's balance and adds them to the supply.
func (k Keeper) Mint(s state.Store, addr []byte, coins []coin.Coin) error {
	if len(addr) != address.Len {
		return fmt.Errorf("%w: addresses must be %d bytes", ErrInvalidAddress, address.Len)
	}
	st := kv(s)
	for _, c := range coins {
		if err := c.Validate(); err != nil {
			return err
		}
		sup, err := add(getAmount(st, SupplyKey(c.Denom)), c.Amount)
		if err != nil {
			return fmt.Errorf("mint %s: supply: %w", c, err)
		}
		bal, err := add(k.balance(s, addr, c.Denom), c.Amount)
		if err != nil {
			return fmt.Errorf("mint %s: balance: %w", c, err)
		}
		setAmount(st, SupplyKey(c.Denom), sup)
		k.setBalance(s, addr, c.Denom, bal)
	}
	return nil
}

// Burn destroys coins from addr's balance and removes them from the supply.
func (k Keeper) Burn(s state.Store, addr []byte, coins []coin.Coin) error {
	st := kv(s)
	for _, c := range coins {
		if err := c.Validate(); err != nil {
			return err
		}
		bal := k.balance(s, addr, c.Denom)
		if bal < c.Amount {
			return fmt.Errorf("%w: burn %s from a balance of %d%s", ErrInsufficientFunds, c, bal, c.Denom)
		}
		sup := getAmount(st, SupplyKey(c.Denom))
		if sup < c.Amount {
			panic(fmt.Sprintf("bank: supply of %s (%d) below a balance (%d)", c.Denom, sup, bal))
		}
		k.setBalance(s, addr, c.Denom, bal-c.Amount)
		setAmount(st, SupplyKey(c.Denom), sup-c.Amount)
	}
	return nil
}

// HandleSend executes MsgSend for signer. It returns ErrInvalidAddress when
// the message's sender is not the signer.
func (k Keeper) HandleSend(s state.Store, signer []byte, m *MsgSend) ([]abci.Event, error) {
	if !bytes.Equal(m.From, signer) {
		return nil, fmt.Errorf("%w: sender %X is not the signer %X", ErrInvalidAddress, m.From, signer)
	}
	if len(m.To) != address.Len {
		return nil, fmt.Errorf("%w: recipient must be %d bytes, got %d", ErrInvalidAddress, address.Len, len(m.To))
	}
	if err := coin.ValidateCoins(m.Amount); err != nil {
		return nil, err
	}
	if err := k.Send(s, m.From, m.To, m.Amount); err != nil {
		return nil, err
	}
	return []abci.Event{k.TransferEvent(m.From, m.To, m.Amount)}, nil
}

// TransferEvent is the event emitted for every transfer.
func (k Keeper) TransferEvent(from, to []byte, coins []coin.Coin) abci.Event {
	return abci.Event{Type: "transfer", Attributes: []abci.EventAttribute{
		{Key: "sender", Value: address.Encode(k.Prefix, from), Index: true},
		{Key: "recipient", Value: address.Encode(k.Prefix, to), Index: true},
		{Key: "amount", Value: coin.FormatCoins(coins), Index: false},
	}}
}

// add returns a+b or ErrOverflow.
func add(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrOverflow
	}
	return s, nil
}
