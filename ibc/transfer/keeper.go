package transfer

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// PortID is the port transfer channels are bound to.
const PortID = "transfer"

// Version is the ICS-20 version of transfer channels.
const Version = "ics20-1"

// Bounds on what a transfer may carry, as ibc-go sets them.
const (
	MaxReceiverLen = 2048  // bytes of MsgTransfer.Receiver
	MaxMemoLen     = 32768 // bytes of MsgTransfer.Memo
)

// Bank is what the package needs from the bank: chain/bank's Keeper
// satisfies it. Send, Mint and Burn return an error wrapping
// bank.ErrInsufficientFunds when a balance is too small; on any error the
// caller discards the store it passed.
type Bank interface {
	Balance(s state.Store, addr []byte, denom string) uint64
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	Mint(s state.Store, addr []byte, coins []coin.Coin) error
	Burn(s state.Store, addr []byte, coins []coin.Coin) error
}

// Channels is what the package needs from the channel and packet keepers.
//
// SendPacket sends a packet with data on the open channel (sourcePort,
// sourceChannel): it checks that the channel is open and that the timeout
// (a zero height or a zero timestamp means none) has not already passed on
// the counterparty as the client knows it, assigns the channel's next send
// sequence, stores the packet commitment and returns the sequence and the
// send_packet event. It writes only to s, and nothing on error. Later the packet keeper calls
// OnAcknowledgementPacket or OnTimeoutPacket for that packet exactly once.
//
// Counterparty returns the counterparty end of the channel (portID,
// channelID), and false when this chain has no such channel.
type Channels interface {
	SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error)
	Counterparty(s state.Store, portID, channelID string) (channeltypes.Counterparty, bool)
}

// Keeper runs ICS-20 transfers. It holds no state: every method takes the
// store it works on. Prefix is the chain's bech32 prefix: senders are
// encoded and receivers decoded with it.
//
// AfterRecv, when set, is called after every packet received with success,
// on the same store, with the packet, its decoded data, the receiver and
// the coin the receiver was credited (a voucher as this chain names it, or
// this chain's own token released from escrow). It may move what the
// receiver got, on a cache it writes itself; it cannot fail the receive.
// The events it returns follow the receive's.
type Keeper struct {
	Bank      Bank
	Channels  Channels
	Prefix    string
	AfterRecv func(s state.Store, height int64, packet channeltypes.Packet, data FungibleTokenPacketData, receiver []byte, credited coin.Coin) []abci.Event
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// EscrowAddress returns the escrow account of the channel (portID,
// channelID): the first 20 bytes of SHA-256("ics20-1" || 0x00 || portID
// "/" channelID), the address ibc-go gives the same channel's escrow.
func EscrowAddress(portID, channelID string) []byte {
	return address.Module(Version + "\x00" + portID + "/" + channelID)
}

// DefaultParams enables both directions.
func DefaultParams() Params { return Params{SendEnabled: true, ReceiveEnabled: true} }

// Params returns the parameters; DefaultParams when none were set.
func (Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), ParamsKey())
	if !ok {
		return DefaultParams()
	}
	return p
}

// SetParams stores the parameters.
func (Keeper) SetParams(s state.Store, p Params) {
	typed.Set(kv(s), ParamsKey(), &p)
}

// DenomTrace returns the trace of the voucher denom, and false when this
// chain never minted it.
func (Keeper) DenomTrace(s state.Store, denom string) (DenomTrace, bool) {
	return typed.Get[DenomTrace](kv(s), DenomTraceKey(denom))
}

// DenomTraces returns the trace of every voucher this chain has minted,
// sorted by denomination.
func (Keeper) DenomTraces(s state.Store) []DenomTrace {
	return typed.All[DenomTrace](kv(s), []byte(prefixDenomTrace))
}

// setDenomTrace records the trace of a voucher unless it is known.
func (k Keeper) setDenomTrace(s state.Store, voucher string) {
	key := DenomTraceKey(voucher)
	if kv(s).Has(key) {
		return
	}
	path, base := SplitDenom(voucher)
	typed.Set(kv(s), key, &DenomTrace{Denom: voucher, Path: path, BaseDenom: base})
}

// TotalEscrow returns the amount of denom that all escrow accounts hold
// because of transfers.
func (Keeper) TotalEscrow(s state.Store, denom string) uint64 {
	a, _ := typed.Get[coin.Amount](kv(s), TotalEscrowKey(denom))
	return a.Amount
}

// TotalEscrows returns every non-zero total escrow, sorted by denomination.
func (Keeper) TotalEscrows(s state.Store) []coin.Coin {
	var out []coin.Coin
	typed.Each(kv(s), []byte(prefixTotalEscrow), func(denom []byte, a coin.Amount) {
		out = append(out, coin.Coin{Denom: string(denom), Amount: a.Amount})
	})
	return out
}

func (Keeper) setTotalEscrow(s state.Store, denom string, v uint64) {
	if v == 0 {
		kv(s).Delete(TotalEscrowKey(denom))
		return
	}
	typed.Set(kv(s), TotalEscrowKey(denom), &coin.Amount{Amount: v})
}

// EscrowBalance returns the balance of denom in the escrow account of the
// transfer channel channelID.
func (k Keeper) EscrowBalance(s state.Store, channelID, denom string) uint64 {
	return k.Bank.Balance(s, EscrowAddress(PortID, channelID), denom)
}

// escrow moves coin from sender to the escrow account of the channel and
// counts it in the total escrow.
func (k Keeper) escrow(s state.Store, portID, channelID string, sender []byte, c coin.Coin) error {
	total := k.TotalEscrow(s, c.Denom)
	if total+c.Amount < total {
		return fmt.Errorf("%w: total escrow of %s", ErrOverflow, c.Denom)
	}
	if err := k.Bank.Send(s, sender, EscrowAddress(portID, channelID), []coin.Coin{c}); err != nil {
		return fmt.Errorf("escrow %s: %w", c, err)
	}
	k.setTotalEscrow(s, c.Denom, total+c.Amount)
	return nil
}

// unescrow releases coin from the escrow account of the channel to
// receiver. It returns ErrInsufficientEscrow when the channel's escrow or
// the total escrow holds less.
func (k Keeper) unescrow(s state.Store, portID, channelID string, receiver []byte, c coin.Coin) error {
	total := k.TotalEscrow(s, c.Denom)
	if total < c.Amount {
		return fmt.Errorf("%w: release %s, total escrow %d", ErrInsufficientEscrow, c, total)
	}
	esc := EscrowAddress(portID, channelID)
	if have := k.Bank.Balance(s, esc, c.Denom); have < c.Amount {
		return fmt.Errorf("%w: release %s from %s/%s, which holds %d", ErrInsufficientEscrow, c, portID, channelID, have)
	}
	if err := k.Bank.Send(s, esc, receiver, []coin.Coin{c}); err != nil {
		return fmt.Errorf("unescrow %s: %w", c, err)
	}
	k.setTotalEscrow(s, c.Denom, total-c.Amount)
	return nil
}
