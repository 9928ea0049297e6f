package consumer

import (
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/liveness"
)

// BeginBlock detects downtime from lastCommit, the votes of height-1 (the
// block's DecidedLastCommit). Every vote of a member of the cross-chain
// validator set moves that validator's sliding window of
// SignedBlocksWindow blocks; votes of other addresses are ignored. A
// validator that has filled its window at least once and missed more than
// SignedBlocksWindow * (1 - MinSignedPerWindow) of it, and has no
// outstanding downtime report, is reported: a slash packet naming it with
// the power of its vote, the vscId in force at height-1 and
// ccv.InfractionDowntime is queued, the validator is flagged outstanding
// and its window starts again. The flag is cleared when the provider lists
// the address in a VSC packet's slash_acks, so there is one report per
// episode. A consumer that was never initialized or stopped does nothing.
// Errors: none so far.
func (k Keeper) BeginBlock(s state.Store, height int64, now time.Time, lastCommit abci.CommitInfo) ([]abci.Event, error) {
	p, ok := k.Params(s)
	if !ok || k.Stopped(s) {
		return nil, nil
	}
	var events []abci.Event
	for _, vote := range lastCommit.Votes {
		if ev, ok := k.handleVote(s, p, height, vote); ok {
			events = append(events, ev)
		}
	}
	return events, nil
}

// handleVote records one vote and returns the slash request event if the
// validator is reported.
func (k Keeper) handleVote(s state.Store, p ccv.ConsumerParams, height int64, vote abci.VoteInfo) (abci.Event, bool) {
	addr := vote.Validator.Address
	if _, ok := k.Validator(s, addr); !ok {
		return abci.Event{}, false
	}
	st := kv(s)
	info, _ := k.SigningInfo(s, addr)
	w := liveness.Window{Slot: func(i int64) []byte { return MissedKey(addr, i) }, IndexOffset: &info.IndexOffset, MissedBlocks: &info.MissedBlocks}
	w.Record(st, p.SignedBlocksWindow, vote.BlockIdFlag == cmtproto.BlockIDFlagAbsent)
	defer func() { typed.Set(st, SigningInfoKey(addr), &info) }()
	if !w.Full(p.SignedBlocksWindow) || !liveness.TooManyMissed(info.MissedBlocks, p.SignedBlocksWindow, p.MinSignedPerWindow) ||
		k.Outstanding(s, addr) {
		return abci.Event{}, false
	}
	power := vote.Validator.Power
	if power <= 0 {
		// A slash packet with power 0 is invalid (ccv.SlashPacketData.Validate):
		// the provider would answer with an error acknowledgement, which
		// stops this consumer. CometBFT never reports a signer without power.
		return abci.Event{}, false
	}
	vscID, _ := k.HeightToVSCID(s, height-1)
	if !k.enqueue(s, PendingPacket{
		Kind:             PACKET_KIND_SLASH,
		ValsetUpdateId:   vscID,
		ValidatorAddress: addr,
		ValidatorPower:   power,
		Infraction:       ccv.InfractionDowntime,
	}) {
		return abci.Event{}, false
	}
	st.Set(OutstandingKey(addr), marker)
	typed.DeletePrefix(kv(s), typed.Key(prefixMissed, addr))
	info = SigningInfo{}
	k.log().Info("downtime reported", "validator", k.consBech(addr), "vsc_id", vscID, "height", height)
	return event.New(EventTypeConsumerSlashRequest,
		AttributeModule, AttributeValueModule,
		AttributeValidatorAddress, k.consBech(addr),
		AttributeValSetUpdateID, strconv.FormatUint(vscID, 10),
		AttributeInfractionType, ccv.InfractionDowntime.String()), true
}
