package bank

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/address"
	"github.com/abci-ics/ics/state"
)

// Keeper reads and writes balances and supply in the bank store. It holds no
// state of its own: every method takes the store it works on. Prefix is the
// chain's bech32 prefix, used in events.
type Keeper struct {
	Prefix string
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func getAmount(st state.KVStore, key []byte) uint64 {
	bz := st.Get(key)
	if bz == nil {
		return 0
	}
	var a Amount
	if err := a.Unmarshal(bz); err != nil {
		panic(fmt.Sprintf("bank: corrupt amount under key %x: %v", key, err))
	}
	return a.Amount
}

func setAmount(st state.KVStore, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	a := Amount{Amount: v}
	bz, err := a.Marshal()
	if err != nil {
		panic(fmt.Sprintf("bank: marshal amount: %v", err))
	}
	st.Set(key, bz)
}

// Balance returns addr's balance of denom (0 when it has none).
func (Keeper) Balance(s state.Store, addr []byte, denom string) uint64 {
	return getAmount(kv(s), BalanceKey(addr, denom))
}

// Balances returns all of addr's non-zero balances, sorted by denomination.
func (Keeper) Balances(s state.Store, addr []byte) []Coin {
	p := balancesPrefix(addr)
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Coin
	for ; it.Valid(); it.Next() {
		var a Amount
		if err := a.Unmarshal(it.Value()); err != nil {
			panic(fmt.Sprintf("bank: corrupt balance under key %x: %v", it.Key(), err))
		}
		out = append(out, Coin{Denom: string(it.Key()[len(p):]), Amount: a.Amount})
	}
	return out
}

// Supply returns the total supply of denom.
func (Keeper) Supply(s state.Store, denom string) uint64 {
	return getAmount(kv(s), SupplyKey(denom))
}

// TotalSupply returns the supply of every denomination, sorted.
func (Keeper) TotalSupply(s state.Store) []Coin {
	p := []byte{prefixSupply}
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Coin
	for ; it.Valid(); it.Next() {
		var a Amount
		if err := a.Unmarshal(it.Value()); err != nil {
			panic(fmt.Sprintf("bank: corrupt supply under key %x: %v", it.Key(), err))
		}
		out = append(out, Coin{Denom: string(it.Key()[1:]), Amount: a.Amount})
	}
	return out
}

// Send moves coins from one address to another. It returns
// ErrInsufficientFunds when from lacks any of them and ErrInvalidAmount or
// ErrInvalidDenom for invalid coins; on error the caller must discard the
// store it passed, since some coins may already have moved.
func (k Keeper) Send(s state.Store, from, to []byte, coins []Coin) error {
	if len(from) != address.Len || len(to) != address.Len {
		return fmt.Errorf("%w: addresses must be %d bytes", ErrInvalidAddress, address.Len)
	}
	st := kv(s)
	for _, c := range coins {
		if err := c.Validate(); err != nil {
			return err
		}
		if bytes.Equal(from, to) {
			if getAmount(st, BalanceKey(from, c.Denom)) < c.Amount {
				return fmt.Errorf("%w: have %d%s, need %s", ErrInsufficientFunds, getAmount(st, BalanceKey(from, c.Denom)), c.Denom, c)
			}
			continue
		}
		fk := BalanceKey(from, c.Denom)
		have := getAmount(st, fk)
		if have < c.Amount {
			return fmt.Errorf("%w: have %d%s, need %s", ErrInsufficientFunds, have, c.Denom, c)
		}
		tk := BalanceKey(to, c.Denom)
		got, err := add(getAmount(st, tk), c.Amount)
		if err != nil {
			return fmt.Errorf("send %s: recipient balance: %w", c, err)
		}
		setAmount(st, fk, have-c.Amount)
		setAmount(st, tk, got)
	}
	return nil
}

// Mint creates coins in addr's balance and adds them to the supply.
func (Keeper) Mint(s state.Store, addr []byte, coins []Coin) error {
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
		bk := BalanceKey(addr, c.Denom)
		bal, err := add(getAmount(st, bk), c.Amount)
		if err != nil {
			return fmt.Errorf("mint %s: balance: %w", c, err)
		}
		setAmount(st, SupplyKey(c.Denom), sup)
		setAmount(st, bk, bal)
	}
	return nil
}

// Burn destroys coins from addr's balance and removes them from the supply.
func (Keeper) Burn(s state.Store, addr []byte, coins []Coin) error {
	st := kv(s)
	for _, c := range coins {
		if err := c.Validate(); err != nil {
			return err
		}
		bk := BalanceKey(addr, c.Denom)
		bal := getAmount(st, bk)
		if bal < c.Amount {
			return fmt.Errorf("%w: burn %s from a balance of %d%s", ErrInsufficientFunds, c, bal, c.Denom)
		}
		sup := getAmount(st, SupplyKey(c.Denom))
		if sup < c.Amount {
			panic(fmt.Sprintf("bank: supply of %s (%d) below a balance (%d)", c.Denom, sup, bal))
		}
		setAmount(st, bk, bal-c.Amount)
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
	if err := ValidateCoins(m.Amount); err != nil {
		return nil, err
	}
	if err := k.Send(s, m.From, m.To, m.Amount); err != nil {
		return nil, err
	}
	return []abci.Event{k.TransferEvent(m.From, m.To, m.Amount)}, nil
}

// TransferEvent is the event emitted for every transfer.
func (k Keeper) TransferEvent(from, to []byte, coins []Coin) abci.Event {
	return abci.Event{Type: "transfer", Attributes: []abci.EventAttribute{
		{Key: "sender", Value: address.Encode(k.Prefix, from), Index: true},
		{Key: "recipient", Value: address.Encode(k.Prefix, to), Index: true},
		{Key: "amount", Value: FormatCoins(coins), Index: false},
	}}
}
