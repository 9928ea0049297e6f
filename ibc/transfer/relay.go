package transfer

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Transfer sends m.Token from m.Sender to m.Receiver over the channel
// (m.SourcePort, m.SourceChannel) and returns the packet's sequence and an
// events: ibc_transfer, then the packet's send_packet. It does not check who signed: HandleTransfer does,
// and a module calls Transfer directly to send from its own account.
// A voucher that came in over this channel is burned, anything else is
// escrowed (see the package documentation). Errors: those of
// MsgTransfer.ValidateBasic, ErrInvalidAddress when the keeper's Prefix is
// not a valid bech32 prefix, ErrSendDisabled, ErrChannelNotFound, an error
// wrapping bank.ErrInsufficientFunds, ErrOverflow, and any error of
// Channels.SendPacket, wrapped. Nothing is written on error.
func (k Keeper) Transfer(s state.Store, height int64, now time.Time, m *MsgTransfer) (uint64, []abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return 0, nil, err
	}
	if err := address.ValidatePrefix(k.Prefix); err != nil {
		return 0, nil, fmt.Errorf("%w: keeper prefix: %v", ErrInvalidAddress, err)
	}
	if !k.Params(s).SendEnabled {
		return 0, nil, ErrSendDisabled
	}
	if _, ok := k.Channels.Counterparty(s, m.SourcePort, m.SourceChannel); !ok {
		return 0, nil, fmt.Errorf("%w: %s/%s", ErrChannelNotFound, m.SourcePort, m.SourceChannel)
	}
	c := state.NewCache(s)
	if strings.HasPrefix(m.Token.Denom, tracePrefix(m.SourcePort, m.SourceChannel)) {
		if err := k.Bank.Burn(c, m.Sender, []coin.Coin{m.Token}); err != nil {
			return 0, nil, fmt.Errorf("burn voucher %s: %w", m.Token, err)
		}
	} else if err := k.escrow(c, m.SourcePort, m.SourceChannel, m.Sender, m.Token); err != nil {
		return 0, nil, err
	}
	data := FungibleTokenPacketData{
		Denom:    m.Token.Denom,
		Amount:   strconv.FormatUint(m.Token.Amount, 10),
		Sender:   address.Encode(k.Prefix, m.Sender),
		Receiver: m.Receiver,
		Memo:     m.Memo,
	}
	timeout := clienttypes.Height{RevisionNumber: m.TimeoutRevisionNumber, RevisionHeight: m.TimeoutRevisionHeight}
	seq, sent, err := k.Channels.SendPacket(c, height, now, m.SourcePort, m.SourceChannel, timeout, m.TimeoutTimestamp, data.GetBytes())
	if err != nil {
		return 0, nil, fmt.Errorf("send transfer packet on %s/%s: %w", m.SourcePort, m.SourceChannel, err)
	}
	c.Write()
	return seq, append([]abci.Event{transferEvent(data)}, sent...), nil
}

// OnRecvPacket credits the tokens of a transfer packet to its receiver:
// a token of this chain coming home is released from escrow, any other is
// minted as a voucher. It returns the success acknowledgement, or an error
// acknowledgement with a fixed text (see the package documentation) for
// packet data that is invalid or cannot be paid, and for a receiver that is
// the channel's own escrow account. It never panics on packet data and
// writes nothing when it returns an error acknowledgement; the caller still
// runs it on a cache that it keeps only on success.
func (k Keeper) OnRecvPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) (channeltypes.Acknowledgement, []abci.Event) {
	ack := successAck()
	data, receiver, credited, err := k.recv(s, packet)
	if err != nil {
		ack = errorAck(err)
	}
	events := RecvEvents(packet, ack)
	if err == nil && k.AfterRecv != nil {
		events = append(events, k.AfterRecv(s, height, packet, data, receiver, credited)...)
	}
	return ack, events
}

// recv is OnRecvPacket with the reason for a failure; on success it
// returns the packet data, the receiver and what it was credited.
func (k Keeper) recv(s state.Store, packet channeltypes.Packet) (FungibleTokenPacketData, []byte, coin.Coin, error) {
	var none FungibleTokenPacketData
	if !k.Params(s).ReceiveEnabled {
		return none, nil, coin.Coin{}, ErrReceiveDisabled
	}
	data, amount, err := DecodePacketData(packet.Data)
	if err != nil {
		return none, nil, coin.Coin{}, err
	}
	receiver, err := address.Decode(k.Prefix, data.Receiver)
	if err != nil {
		return none, nil, coin.Coin{}, fmt.Errorf("%w: receiver: %v", ErrInvalidAddress, err)
	}
	if bytes.Equal(receiver, EscrowAddress(packet.DestinationPort, packet.DestinationChannel)) {
		return none, nil, coin.Coin{}, fmt.Errorf("%w: receiver is the channel's escrow account", ErrInvalidAddress)
	}
	if local, ok := strings.CutPrefix(data.Denom, tracePrefix(packet.SourcePort, packet.SourceChannel)); ok {
		// The denomination carries the sender's hop for this channel, so
		// the token left this chain over it: its escrow pays it back.
		if err := checkDenom(local); err != nil {
			return none, nil, coin.Coin{}, err
		}
		c := coin.Coin{Denom: local, Amount: amount}
		if err := k.unescrow(s, packet.DestinationPort, packet.DestinationChannel, receiver, c); err != nil {
			return none, nil, coin.Coin{}, err
		}
		return data, receiver, c, nil
	}
	voucher := VoucherDenom(packet.DestinationPort, packet.DestinationChannel, data.Denom)
	if err := checkDenom(voucher); err != nil {
		return none, nil, coin.Coin{}, err
	}
	c := coin.Coin{Denom: voucher, Amount: amount}
	if err := k.Bank.Mint(s, receiver, []coin.Coin{c}); err != nil {
		return none, nil, coin.Coin{}, fmt.Errorf("mint voucher: %w", err)
	}
	k.setDenomTrace(s, voucher)
	return data, receiver, c, nil
}

// OnAcknowledgementPacket refunds the sender of a transfer packet that the
// counterparty answered with an error acknowledgement, and does nothing
// for any other acknowledgement. It returns ErrInvalidPacketData (or
// another decode error) for packet data this chain cannot have sent and
// an error from the bank when the refund fails; nothing is written on
// error.
func (k Keeper) OnAcknowledgementPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, ack channeltypes.Acknowledgement, relayer []byte) ([]abci.Event, error) {
	if _, failed := ack.Response.(*channeltypes.Acknowledgement_Error); failed {
		if err := k.refund(s, packet); err != nil {
			return nil, err
		}
	}
	return AckEvents(packet, ack), nil
}

// OnTimeoutPacket refunds the sender of a transfer packet that timed out.
// Errors are those of OnAcknowledgementPacket; nothing is written on error.
func (k Keeper) OnTimeoutPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) ([]abci.Event, error) {
	if err := k.refund(s, packet); err != nil {
		return nil, err
	}
	return TimeoutEvents(packet), nil
}

// refund undoes Transfer for a packet it sent: a burned voucher is minted
// back, an escrowed amount is released.
func (k Keeper) refund(s state.Store, packet channeltypes.Packet) error {
	data, amount, err := DecodePacketData(packet.Data)
	if err != nil {
		return fmt.Errorf("refund packet %d: %w", packet.Sequence, err)
	}
	sender, err := address.Decode(k.Prefix, data.Sender)
	if err != nil {
		return fmt.Errorf("refund packet %d: %w: sender: %v", packet.Sequence, ErrInvalidAddress, err)
	}
	refund := coin.Coin{Denom: data.Denom, Amount: amount}
	c := state.NewCache(s)
	if strings.HasPrefix(data.Denom, tracePrefix(packet.SourcePort, packet.SourceChannel)) {
		err = k.Bank.Mint(c, sender, []coin.Coin{refund})
	} else {
		err = k.unescrow(c, packet.SourcePort, packet.SourceChannel, sender, refund)
	}
	if err != nil {
		return fmt.Errorf("refund packet %d: %w", packet.Sequence, err)
	}
	c.Write()
	return nil
}
