package abci

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
)

// Interchain Security query paths; all answer JSON.
//
// Provider:
//
//	/provider/params
//	/provider/consumers                        []ConsumerJSON: every consumer and its phase
//	/provider/consumer-genesis/<chain-id>      the consumer genesis (proto3 JSON of ccv.ConsumerGenesis)
//	/provider/validators/<chain-id>            []ConsumerValidatorJSON: the consumer's validator set
//	/provider/pending-vsc/<chain-id>           VSC packets waiting for the channel (wire JSON)
//	/provider/throttle                         the slash meter
//	/provider/holds                            []HoldJSON: held unbonding entries and their holders
//	/provider/key-assignments/<chain-id>       []KeyAssignmentJSON
//
// Consumer:
//
//	/consumer/status                           ConsumerStatusJSON
//	/consumer/params
//	/consumer/validators                       []ConsumerValidatorJSON
//	/consumer/pending-packets                  []consumer.PendingPacket
const (
	PathProviderParams    = "/provider/params"
	PathConsumers         = "/provider/consumers"
	PathConsumerGenesis   = "/provider/consumer-genesis/"
	PathConsumerVals      = "/provider/validators/"
	PathPendingVSC        = "/provider/pending-vsc/"
	PathThrottle          = "/provider/throttle"
	PathHolds             = "/provider/holds"
	PathKeyAssignments    = "/provider/key-assignments/"
	PathConsumerStatus    = "/consumer/status"
	PathConsumerParams    = "/consumer/params"
	PathConsumerValidator = "/consumer/validators"
	PathConsumerPackets   = "/consumer/pending-packets"
)

// ConsumerJSON is a consumer chain as the provider sees it.
type ConsumerJSON struct {
	ChainID      string `json:"chain_id"`
	Phase        string `json:"phase"`
	ClientID     string `json:"client_id,omitempty"`
	ChannelID    string `json:"channel_id,omitempty"`
	SpawnTime    string `json:"spawn_time"`
	LaunchHeight int64  `json:"launch_height,omitempty"`
	InitHeight   int64  `json:"init_height,omitempty"`
	StopTime     string `json:"stop_time,omitempty"`
	StopReason   string `json:"stop_reason,omitempty"`
}

// ConsumerValidatorJSON is a member of a consumer's validator set.
type ConsumerValidatorJSON struct {
	ProviderAddress string `json:"provider_address,omitempty"`
	ConsumerAddress string `json:"consumer_address"`
	ConsumerKey     string `json:"consumer_key"` // hex
	Power           int64  `json:"power,string"`
}

// HoldJSON is one consumer's hold on an unbonding entry.
type HoldJSON struct {
	ChainID     string `json:"chain_id"`
	VSCID       uint64 `json:"vsc_id,string"`
	UnbondingID uint64 `json:"unbonding_id,string"`
	// Since is the provider height at which the entry (and the hold) began.
	Since      int64  `json:"since_height"`
	Kind       string `json:"kind,omitempty"`
	Delegator  string `json:"delegator,omitempty"`
	Validator  string `json:"validator,omitempty"`
	Balance    uint64 `json:"balance,string"`
	Completion string `json:"completion_time,omitempty"`
}

// KeyAssignmentJSON is a validator's consumer key on one consumer.
type KeyAssignmentJSON struct {
	ProviderAddress string `json:"provider_address"`
	ConsumerKey     string `json:"consumer_key"` // hex
	ConsumerAddress string `json:"consumer_address"`
}

// ConsumerStatusJSON is a consumer chain's view of its CCV link.
type ConsumerStatusJSON struct {
	ProviderClientID    string `json:"provider_client_id"`
	ProviderChannelID   string `json:"provider_channel_id,omitempty"`
	ProviderFeePoolAddr string `json:"provider_fee_pool_addr,omitempty"`
	HighestVSCID        uint64 `json:"highest_vsc_id,string"`
	Stopped             bool   `json:"stopped"`
	PendingPackets      int    `json:"pending_packets"`
}

// protoJSON answers with the proto3 JSON of m.
func protoJSON(m gogoproto.Message) (*abcitypes.ResponseQuery, error) {
	var buf bytes.Buffer
	if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).Marshal(&buf, m); err != nil {
		return nil, err
	}
	return &abcitypes.ResponseQuery{Value: buf.Bytes()}, nil
}

func (a *App) queryCCV(v *state.View, prefix, path string) (*abcitypes.ResponseQuery, bool, error) {
	answer := func(x any) (*abcitypes.ResponseQuery, bool, error) {
		r, err := jsonAnswer(x)
		return r, true, err
	}
	fail := func(err error) (*abcitypes.ResponseQuery, bool, error) { return nil, true, err }
	if a.provider != nil {
		p := a.provider
		chainArg := func(pre string) (string, error) {
			id := strings.TrimPrefix(path, pre)
			if _, ok := p.Consumer(v, id); !ok {
				return "", fmt.Errorf("%w: %q", provider.ErrConsumerNotFound, id)
			}
			return id, nil
		}
		switch {
		case path == PathProviderParams:
			r, err := protoJSON(ptr(p.Params(v)))
			return r, true, err
		case path == PathConsumers:
			out := []ConsumerJSON{}
			for _, c := range p.Consumers(v) {
				out = append(out, consumerJSON(c))
			}
			return answer(out)
		case strings.HasPrefix(path, PathConsumerGenesis):
			id := strings.TrimPrefix(path, PathConsumerGenesis)
			g, ok := p.ConsumerGenesis(v, id)
			if !ok {
				return fail(fmt.Errorf("%w: %q has no genesis (not launched yet, or unknown)", provider.ErrConsumerNotFound, id))
			}
			r, err := protoJSON(&g)
			return r, true, err
		case strings.HasPrefix(path, PathConsumerVals):
			id, err := chainArg(PathConsumerVals)
			if err != nil {
				return fail(err)
			}
			out := []ConsumerValidatorJSON{}
			for _, m := range p.ValidatorSet(v, id) {
				out = append(out, ConsumerValidatorJSON{ProviderAddress: bech(prefix+"valcons", m.ProviderAddr),
					ConsumerAddress: bech(prefix+"valcons", consumer.ConsAddress(m.ConsumerKey)),
					ConsumerKey:     hex.EncodeToString(m.ConsumerKey), Power: m.Power})
			}
			return answer(out)
		case strings.HasPrefix(path, PathPendingVSC):
			id, err := chainArg(PathPendingVSC)
			if err != nil {
				return fail(err)
			}
			var buf bytes.Buffer
			buf.WriteByte('[')
			for i, d := range p.PendingVSCs(v, id) {
				if i > 0 {
					buf.WriteByte(',')
				}
				buf.Write(d.Bytes())
			}
			buf.WriteByte(']')
			return &abcitypes.ResponseQuery{Value: buf.Bytes()}, true, nil
		case path == PathThrottle:
			m := p.SlashMeter(v)
			return answer(map[string]any{"meter": m.Meter, "allowance": m.Allowance, "last_replenish": nsTime(m.LastReplenish)})
		case path == PathHolds:
			out := []HoldJSON{}
			for _, h := range p.Holds(v) {
				j := HoldJSON{ChainID: h.ChainID, VSCID: h.VSCID, UnbondingID: h.UnbondingID}
				if e, ok := a.staking.UnbondingEntry(v, h.UnbondingID); ok {
					j.Since, j.Kind, j.Balance = e.CreationHeight, e.Kind.String(), e.Balance
					j.Delegator, j.Validator = bech(prefix, e.Delegator), bech(prefix, e.Validator)
					j.Completion = nsTime(e.CompletionTimeNs)
				}
				out = append(out, j)
			}
			return answer(out)
		case strings.HasPrefix(path, PathKeyAssignments):
			id, err := chainArg(PathKeyAssignments)
			if err != nil {
				return fail(err)
			}
			out := []KeyAssignmentJSON{}
			for _, k := range p.Assignments(v, id) {
				out = append(out, KeyAssignmentJSON{ProviderAddress: bech(prefix+"valcons", k.ProviderAddr),
					ConsumerKey: hex.EncodeToString(k.ConsumerKey), ConsumerAddress: bech(prefix+"valcons", consumer.ConsAddress(k.ConsumerKey))})
			}
			return answer(out)
		}
		return nil, false, nil
	}
	c := a.consumer
	switch path {
	case PathConsumerStatus:
		st := ConsumerStatusJSON{Stopped: c.Stopped(v), PendingPackets: len(c.PendingPackets(v))}
		st.ProviderClientID, _ = c.ProviderClientID(v)
		st.ProviderChannelID, _ = c.ProviderChannel(v)
		st.ProviderFeePoolAddr, _ = c.ProviderFeePoolAddr(v)
		st.HighestVSCID, _ = c.HighestVSCID(v)
		return answer(st)
	case PathConsumerParams:
		ps, _ := c.Params(v)
		r, err := protoJSON(&ps)
		return r, true, err
	case PathConsumerValidator:
		out := []ConsumerValidatorJSON{}
		for _, val := range c.ValidatorSet(v) {
			out = append(out, ConsumerValidatorJSON{ConsumerAddress: bech(prefix+"valcons", val.Address),
				ConsumerKey: hex.EncodeToString(val.PubKey), Power: val.Power})
		}
		return answer(out)
	case PathConsumerPackets:
		out := c.PendingPackets(v)
		if out == nil {
			out = []consumer.PendingPacket{}
		}
		return answer(out)
	}
	return nil, false, nil
}

func ptr[T any](v T) *T { return &v }

func consumerJSON(c provider.Consumer) ConsumerJSON {
	j := ConsumerJSON{ChainID: c.ChainId, Phase: strings.ToLower(strings.TrimPrefix(c.Phase.String(), "PHASE_")),
		ClientID: c.ClientId, ChannelID: c.ChannelId, SpawnTime: nsTime(c.Proposal.SpawnTime),
		LaunchHeight: c.LaunchHeight, InitHeight: c.InitHeight, StopReason: c.StopReason}
	if c.StopTime != 0 {
		j.StopTime = nsTime(c.StopTime)
	}
	return j
}
