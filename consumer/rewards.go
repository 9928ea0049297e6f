package consumer

import (
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
)

// The module accounts of the rewards (address.Module of these names, the
// reference's names).
const (
	// RedistributeAccount receives the share of the fees the consumer
	// keeps, unless the parameters name another address.
	RedistributeAccount = "cons_redistribute"
	// ToProviderAccount holds the provider's share until it is sent.
	ToProviderAccount = "cons_to_send_to_provider"
)

// Events of the rewards (the first two are the reference's): a
// transmission (heights, fraction, channel, receiver, provider_amount);
// the transfer channel found (channel_id); a transmission that sent
// nothing for want of a channel or an address (reason); a denomination
// not sent, kept for the next one (amount, error); fees not split, kept in
// the fee collector for the next block (error).
const (
	EventFeeDistribution      = "fee_distribution"
	EventFeeTransferChannel   = "fee_transfer_channel_opened"
	EventTransmissionSkipped  = "reward_transmission_skipped"
	EventRewardTransferFailed = "reward_transfer_failed"
	EventFeeSplitFailed       = "fee_split_failed"
)

// TransferPort is the ICS-20 port the rewards travel on.
const TransferPort = "transfer"

// Rewards is what the consumer needs to split the fees and send the
// provider's share: the chain's bank and its ICS-20 transfers.
//
// Balances lists an address's non-zero balances sorted by denomination;
// Send moves coins between addresses (on error the caller discards s).
// Transfer sends token from sender over the transfer channel channelID to
// receiver, as ibc/transfer.Keeper.Transfer: it writes nothing on error
// and returns the transfer's events; a refund goes back to sender.
// Channel returns a channel end and Channels every channel end.
type Rewards interface {
	Balances(s state.Store, addr []byte) []coin.Coin
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	Transfer(s state.Store, height int64, now time.Time, channelID string, sender []byte, token coin.Coin, receiver, memo string, timeoutTimestamp uint64) ([]abci.Event, error)
	Channel(s state.Store, portID, channelID string) (channeltypes.Channel, bool)
	Channels(s state.Store) []channeltypes.IdentifiedChannel
}

// RedistributeAddress is the address of RedistributeAccount.
func RedistributeAddress() []byte { return address.Module(RedistributeAccount) }

// ToProviderAddress is the address of ToProviderAccount.
func ToProviderAddress() []byte { return address.Module(ToProviderAccount) }

// ConsumerID returns the id the provider gave this consumer (from the
// genesis); empty for a genesis that did not carry it.
func (Keeper) ConsumerID(s state.Store) string {
	id, _ := getString(s, keyConsumerID)
	return id
}

// LastTransmissionHeight returns the height of the last reward
// transmission (the height the CCV channel was established at, before the
// first); false before the CCV channel is established.
func (Keeper) LastTransmissionHeight(s state.Store) (int64, bool) {
	h, ok := typed.GetU64(kv(s), []byte{keyLastTransmission})
	return int64(h), ok
}

// NextTransmissionHeight returns the height of the next reward
// transmission; false before the CCV channel is established.
func (k Keeper) NextTransmissionHeight(s state.Store) (int64, bool) {
	last, ok := k.LastTransmissionHeight(s)
	p, okp := k.Params(s)
	if !ok || !okp {
		return 0, false
	}
	return last + p.BlocksPerDistributionTransmission, true
}

// TransmissionChannel returns the transfer channel the rewards are sent
// on: the parameters' distribution_transmission_channel, or else the one
// found open on the CCV connection; false when neither is known.
func (k Keeper) TransmissionChannel(s state.Store) (string, bool) {
	if p, ok := k.Params(s); ok && p.DistributionTransmissionChannel != "" {
		return p.DistributionTransmissionChannel, true
	}
	return getString(s, keyTransmissionChannel)
}

// PendingRewards returns what the provider-reward account holds: the
// provider's share not yet sent.
func (k Keeper) PendingRewards(s state.Store) []coin.Coin {
	if k.Rewards == nil {
		return nil
	}
	return k.Rewards.Balances(s, ToProviderAddress())
}

// redistributeTo is where the consumer's share goes.
func (k Keeper) redistributeTo(p ccv.ConsumerParams) ([]byte, error) {
	if p.ConsumerRedistributionAddress == "" {
		return RedistributeAddress(), nil
	}
	return address.Decode(k.Prefix, p.ConsumerRedistributionAddress)
}

// rewards runs the block's rewards: the fee split, then, when one is due,
// the transmission. It never fails the block.
func (k Keeper) rewards(s state.Store, height int64, now time.Time, p ccv.ConsumerParams) []abci.Event {
	if k.Rewards == nil || len(k.FeeCollector) == 0 {
		return nil
	}
	events := k.splitFees(s, p)
	return append(events, k.transmit(s, height, now, p)...)
}

// splitFees moves the fee collector's balance to the consumer's share
// (which stays in the fee collector with KeepInFeeCollector) and the
// provider-reward account. On a bank error the fees stay where
// they are and an event says why.
func (k Keeper) splitFees(s state.Store, p ccv.ConsumerParams) []abci.Event {
	fees := k.Rewards.Balances(s, k.FeeCollector)
	if len(fees) == 0 {
		return nil
	}
	kept, provider := ccv.SplitFees(fees, p.ConsumerRedistributionFraction)
	var to []byte
	var err error
	if k.KeepInFeeCollector {
		kept = nil // it stays, for the chain's own distribution
	} else {
		to, err = k.redistributeTo(p)
	}
	c := state.NewCache(s)
	if err == nil && len(kept) > 0 {
		err = k.Rewards.Send(c, k.FeeCollector, to, kept)
	}
	if err == nil && len(provider) > 0 {
		err = k.Rewards.Send(c, k.FeeCollector, ToProviderAddress(), provider)
	}
	if err != nil {
		k.log().Error("fee split failed", "error", err)
		return []abci.Event{event.New(EventFeeSplitFailed, "error", err.Error())}
	}
	c.Write()
	return nil
}

// transmit sends the provider-reward account's balance to the provider
// when a transmission is due: every BlocksPerDistributionTransmission
// blocks from the block the CCV channel was established in. A
// transmission with no channel or no provider address known sends
// nothing; a denomination that fails to send stays for the next one.
func (k Keeper) transmit(s state.Store, height int64, now time.Time, p ccv.ConsumerParams) []abci.Event {
	if _, ok := k.ProviderChannel(s); !ok || k.Stopped(s) {
		return nil
	}
	last, ok := k.LastTransmissionHeight(s)
	if !ok {
		kv(s).Set([]byte{keyLastTransmission}, typed.U64(uint64(height)))
		return nil
	}
	channelID, chOK, events := k.findTransmissionChannel(s, p)
	if height < last+p.BlocksPerDistributionTransmission {
		return events
	}
	kv(s).Set([]byte{keyLastTransmission}, typed.U64(uint64(height)))
	receiver, _ := k.ProviderFeePoolAddr(s)
	switch {
	case !chOK:
		return append(events, event.New(EventTransmissionSkipped, "reason", "no open transfer channel to the provider"))
	case receiver == "":
		return append(events, event.New(EventTransmissionSkipped, "reason", "no provider reward address"))
	}
	memo := ccv.NewRewardMemo(k.ConsumerID(s), k.ChainID)
	timeout := uint64(now.Add(p.TransferTimeoutPeriod).UnixNano())
	var sent []coin.Coin
	for _, c := range k.Rewards.Balances(s, ToProviderAddress()) {
		evs, err := k.Rewards.Transfer(s, height, now, channelID, ToProviderAddress(), c, receiver, memo, timeout)
		if err != nil {
			k.log().Error("reward transfer failed", "denom", c.Denom, "error", err)
			events = append(events, event.New(EventRewardTransferFailed, "channel_id", channelID, "amount", c.String(), "error", err.Error()))
			continue
		}
		sent = append(sent, c)
		events = append(events, evs...)
	}
	k.log().Info("rewards sent to the provider", "channel_id", channelID, "amount", coin.FormatCoins(sent))
	return append(events, event.New(EventFeeDistribution,
		"current_distribution_height", strconv.FormatInt(height, 10),
		"next_distribution_height", strconv.FormatInt(height+p.BlocksPerDistributionTransmission, 10),
		"distribution_fraction", p.ConsumerRedistributionFraction.String(),
		"channel_id", channelID, "receiver", receiver,
		"provider_amount", coin.FormatCoins(sent)))
}

// findTransmissionChannel returns the channel the rewards go on, when it
// is open. Without a configured channel it looks for an open unordered
// channel of TransferPort on the CCV channel's connection (the first in
// the channel layer's order) and records it; a recorded channel that is no
// longer open is forgotten and looked for again. Finding one is an
// EventFeeTransferChannel.
func (k Keeper) findTransmissionChannel(s state.Store, p ccv.ConsumerParams) (string, bool, []abci.Event) {
	if p.DistributionTransmissionChannel != "" {
		return p.DistributionTransmissionChannel, k.transferOpen(s, p.DistributionTransmissionChannel), nil
	}
	if ch, ok := getString(s, keyTransmissionChannel); ok {
		if k.transferOpen(s, ch) {
			return ch, true, nil
		}
		kv(s).Delete([]byte{keyTransmissionChannel})
	}
	ccvCh, _ := k.ProviderChannel(s)
	end, ok := k.Rewards.Channel(s, ccv.ConsumerPortID, ccvCh)
	if !ok || len(end.ConnectionHops) != 1 {
		return "", false, nil
	}
	for _, c := range k.Rewards.Channels(s) {
		if c.PortId == TransferPort && c.State == channeltypes.OPEN && c.Ordering == channeltypes.UNORDERED &&
			len(c.ConnectionHops) == 1 && c.ConnectionHops[0] == end.ConnectionHops[0] {
			setString(s, keyTransmissionChannel, c.ChannelId)
			k.log().Info("reward transfer channel found", "channel_id", c.ChannelId)
			return c.ChannelId, true, []abci.Event{event.New(EventFeeTransferChannel, "channel_id", c.ChannelId)}
		}
	}
	return "", false, nil
}

func (k Keeper) transferOpen(s state.Store, channelID string) bool {
	end, ok := k.Rewards.Channel(s, TransferPort, channelID)
	return ok && end.State == channeltypes.OPEN
}
