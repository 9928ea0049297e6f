package interchain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// IBC query paths; all answer JSON.
//
//	/ibc/client/<client-id>                         client state and status
//	/ibc/connections                                every connection
//	/ibc/channels                                   every channel
//	/ibc/commitments/<port>/<channel>               sequences of sent packets not yet acknowledged
//	/ibc/unreceived/<port>/<channel>/<seq,seq,...>  which of these sequences this chain has not received
//	/ibc/denom-traces                               ICS-20 vouchers
const (
	PathIBCClient      = "/ibc/client/"
	PathIBCConnections = "/ibc/connections"
	PathIBCChannels    = "/ibc/channels"
	PathIBCCommitments = "/ibc/commitments/"
	PathIBCUnreceived  = "/ibc/unreceived/"
	PathDenomTraces    = "/ibc/denom-traces"
)

// Interchain Security query paths; all answer JSON.
//
// Provider:
//
// Consumers are named by their consumer id.
//
//	/provider/params
//	/provider/consumers                        []ConsumerJSON: every consumer and its phase
//	/provider/consumer/<id>                    ConsumerDetailJSON: parameters, opted-in validators, set
//	/provider/consumer-genesis/<id>            the consumer genesis (proto3 JSON of ccv.ConsumerGenesis)
//	/provider/validators/<id>                  []ConsumerValidatorJSON: the consumer's validator set
//	/provider/validator-consumers/<valcons>    []ValidatorConsumerJSON: what a validator must run
//	/provider/blocks-until-next-epoch          EpochJSON
//	/provider/pending-vsc/<id>                 VSC packets waiting for the channel (wire JSON)
//	/provider/throttle                         the slash meter
//	/provider/holds                            []HoldJSON: held unbonding entries and their holders
//	/provider/key-assignments/<id>             []KeyAssignmentJSON
//	/provider/consumer-rewards/<id>            ConsumerRewardsJSON
//
// Consumer:
//
//	/consumer/status                           ConsumerStatusJSON
//	/consumer/params
//	/consumer/validators                       []ConsumerValidatorJSON
//	/consumer/pending-packets                  []consumer.PendingPacket
//	/consumer/next-fee-distribution            NextFeeDistributionJSON
const (
	PathProviderParams    = "/provider/params"
	PathConsumers         = "/provider/consumers"
	PathConsumer          = "/provider/consumer/"
	PathValidatorConsumer = "/provider/validator-consumers/"
	PathEpoch             = "/provider/blocks-until-next-epoch"
	PathConsumerGenesis   = "/provider/consumer-genesis/"
	PathConsumerVals      = "/provider/validators/"
	PathPendingVSC        = "/provider/pending-vsc/"
	PathThrottle          = "/provider/throttle"
	PathHolds             = "/provider/holds"
	PathKeyAssignments    = "/provider/key-assignments/"
	PathConsumerRewards   = "/provider/consumer-rewards/"
	PathConsumerStatus    = "/consumer/status"
	PathConsumerParams    = "/consumer/params"
	PathConsumerValidator = "/consumer/validators"
	PathConsumerPackets   = "/consumer/pending-packets"
	// PathConsumerNextFeeDistribution is the consumer's next reward
	// transmission to the provider.
	PathConsumerNextFeeDistribution = "/consumer/next-fee-distribution"
)

// ClientJSON is a light client in query answers.
type ClientJSON struct {
	ClientID      string `json:"client_id"`
	ChainID       string `json:"chain_id"`
	Status        string `json:"status"`
	LatestHeight  string `json:"latest_height"`
	TrustingHours int64  `json:"trusting_period_hours"`
}

// ConsumerJSON is a consumer chain as the provider sees it.
type ConsumerJSON struct {
	ConsumerID   string `json:"consumer_id"`
	ChainID      string `json:"chain_id"`
	Phase        string `json:"phase"`
	Owner        string `json:"owner"`
	TopN         uint32 `json:"top_n"`
	Validators   int    `json:"validators"`
	ClientID     string `json:"client_id,omitempty"`
	ChannelID    string `json:"channel_id,omitempty"`
	SpawnTime    string `json:"spawn_time"`
	LaunchHeight int64  `json:"launch_height,omitempty"`
	InitHeight   int64  `json:"init_height,omitempty"`
	StopTime     string `json:"stop_time,omitempty"`
	StopReason   string `json:"stop_reason,omitempty"`
	// The last VSC sent, the last the consumer matured (0: none), and
	// how many wait for the CCV channel.
	LastVSCSent    uint64 `json:"last_vsc_sent,string"`
	LastVSCMatured uint64 `json:"last_vsc_matured,string"`
	QueuedVSCs     int    `json:"queued_vscs"`
}

// ConsumerDetailJSON is everything the provider holds of one consumer.
type ConsumerDetailJSON struct {
	ConsumerJSON
	Metadata       json.RawMessage         `json:"metadata"`
	Initialization json.RawMessage         `json:"initialization_parameters"`
	PowerShaping   PowerShapingJSON        `json:"power_shaping_parameters"`
	Infraction     json.RawMessage         `json:"infraction_parameters"`
	OptedIn        []string                `json:"opted_in"`
	ValidatorSet   []ConsumerValidatorJSON `json:"validator_set"`
}

// PowerShapingJSON shows power shaping with bech32 consensus addresses.
type PowerShapingJSON struct {
	TopN               uint32   `json:"top_n"`
	ValidatorsPowerCap uint32   `json:"validators_power_cap"`
	ValidatorSetCap    uint32   `json:"validator_set_cap"`
	Allowlist          []string `json:"allowlist"`
	Denylist           []string `json:"denylist"`
	Prioritylist       []string `json:"prioritylist"`
	MinStake           uint64   `json:"min_stake,string"`
	AllowInactiveVals  bool     `json:"allow_inactive_vals"`
}

// ValidatorConsumerJSON is a consumer a validator is opted in to or runs.
type ValidatorConsumerJSON struct {
	ConsumerID      string `json:"consumer_id"`
	ChainID         string `json:"chain_id"`
	Phase           string `json:"phase"`
	OptedIn         bool   `json:"opted_in"`
	InSet           bool   `json:"in_set"`
	Power           int64  `json:"power,string"`
	ConsumerKey     string `json:"consumer_key"` // hex
	ConsumerAddress string `json:"consumer_address"`
	Commission      string `json:"commission,omitempty"`
}

// EpochJSON says when the next validator set changes are computed.
type EpochJSON struct {
	Height         int64 `json:"height,string"`
	BlocksPerEpoch int64 `json:"blocks_per_epoch,string"`
	BlocksLeft     int64 `json:"blocks_until_next_epoch,string"`
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
	ConsumerID  string `json:"consumer_id"`
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

// ConsumerRewardsJSON is a consumer's reward pool (SPEC 8): what the
// consumer-rewards pool account holds for it, by denomination, the
// denominations credited to it, and the provider height of its last
// distribution (0: none yet).
type ConsumerRewardsJSON struct {
	ConsumerID        string      `json:"consumer_id"`
	PoolAddress       string      `json:"pool_address"`
	Pool              []coin.Coin `json:"pool"`
	AllowlistedDenoms []string    `json:"allowlisted_denoms"`
	LastDistribution  int64       `json:"last_distribution_height"`
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

// NextFeeDistributionJSON is the consumer's next reward transmission:
// when it is due, what it would send and where. The transmission heights
// are 0 before the CCV channel is established; CurrentHeight is the
// queried height (0 when the store does not tell it); ChannelID is empty
// while no transfer channel to the provider is known.
type NextFeeDistributionJSON struct {
	CurrentHeight         int64             `json:"current_height,string"`
	DistributionFraction  string            `json:"distribution_fraction"`
	LastHeight            int64             `json:"last_transmission_height,string"`
	NextHeight            int64             `json:"next_transmission_height,string"`
	BlocksPerDistribution int64             `json:"blocks_per_distribution_transmission,string"`
	ChannelID             string            `json:"distribution_transmission_channel"`
	ProviderFeePoolAddr   string            `json:"provider_fee_pool_addr"`
	ConsumerID            string            `json:"consumer_id"`
	Pending               []PendingCoinJSON `json:"pending"`
}

// PendingCoinJSON is an amount waiting in the provider-reward account.
type PendingCoinJSON struct {
	Denom  string `json:"denom"`
	Amount uint64 `json:"amount,string"`
}

// UnbondingEntry is what the holds query shows of a held unbonding entry.
type UnbondingEntry struct {
	CreationHeight   int64
	Kind             string
	Delegator        []byte
	Validator        []byte
	Balance          uint64
	CompletionTimeNs int64
}

// UnbondingEntries lets the holds query describe the entries it lists;
// a provider chain may give it in ProviderConfig.
type UnbondingEntries interface {
	UnbondingEntry(s state.Store, id uint64) (UnbondingEntry, bool)
}

// Query answers the IBC query paths with JSON, from s (a committed
// version); now is the time the client statuses are judged at. Errors:
// ErrUnknownQuery for another path, ErrInvalidQuery for a bad argument.
func (l *IBC) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	switch {
	case strings.HasPrefix(path, PathIBCClient):
		id := strings.TrimPrefix(path, PathIBCClient)
		cs, ok := l.Clients.ClientState(s, id)
		if !ok {
			return nil, fmt.Errorf("%w: no client %q", ErrInvalidQuery, id)
		}
		return jsonAnswer(ClientJSON{ClientID: id, ChainID: cs.ChainId, Status: string(l.Clients.Status(s, id, now)),
			LatestHeight: cs.LatestHeight.String(), TrustingHours: int64(cs.TrustingPeriod.Hours())})
	case path == PathIBCConnections:
		return jsonAnswer(l.Connections.Connections(s))
	case path == PathIBCChannels:
		return jsonAnswer(l.Channels.Channels(s))
	case strings.HasPrefix(path, PathIBCCommitments):
		port, ch, ok := strings.Cut(strings.TrimPrefix(path, PathIBCCommitments), "/")
		if !ok {
			return nil, fmt.Errorf("%w: want %sPORT/CHANNEL", ErrInvalidQuery, PathIBCCommitments)
		}
		seqs := l.Packets.PacketCommitments(s, port, ch)
		if seqs == nil {
			seqs = []uint64{}
		}
		return jsonAnswer(seqs)
	case strings.HasPrefix(path, PathIBCUnreceived):
		parts := strings.Split(strings.TrimPrefix(path, PathIBCUnreceived), "/")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: want %sPORT/CHANNEL/SEQ,SEQ", ErrInvalidQuery, PathIBCUnreceived)
		}
		var seqs []uint64
		for _, q := range strings.Split(parts[2], ",") {
			if q == "" {
				continue
			}
			n, err := strconv.ParseUint(q, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: sequence %q", ErrInvalidQuery, q)
			}
			seqs = append(seqs, n)
		}
		if len(seqs) > 10_000 {
			return nil, fmt.Errorf("%w: at most 10000 sequences", ErrInvalidQuery)
		}
		out, err := l.Packets.UnreceivedPackets(s, parts[0], parts[1], seqs)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = []uint64{}
		}
		return jsonAnswer(out)
	case path == PathDenomTraces && l.Transfer != nil:
		return jsonAnswer(l.Transfer.DenomTraces(s))
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownQuery, path)
}

// Query answers the consumer's CCV paths and the IBC paths with JSON.
func (c *Consumer) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	k, prefix := c.Keeper, c.Keeper.Prefix
	switch path {
	case PathConsumerStatus:
		st := ConsumerStatusJSON{Stopped: k.Stopped(s), PendingPackets: len(k.PendingPackets(s))}
		st.ProviderClientID, _ = k.ProviderClientID(s)
		st.ProviderChannelID, _ = k.ProviderChannel(s)
		st.ProviderFeePoolAddr, _ = k.ProviderFeePoolAddr(s)
		st.HighestVSCID, _ = k.HighestVSCID(s)
		return jsonAnswer(st)
	case PathConsumerParams:
		ps, _ := k.Params(s)
		return protoJSON(&ps)
	case PathConsumerValidator:
		out := []ConsumerValidatorJSON{}
		for _, val := range k.ValidatorSet(s) {
			out = append(out, ConsumerValidatorJSON{ConsumerAddress: address.Show(prefix+"valcons", val.Address),
				ConsumerKey: hex.EncodeToString(val.PubKey), Power: val.Power})
		}
		return jsonAnswer(out)
	case PathConsumerNextFeeDistribution:
		nd := NextFeeDistributionJSON{ConsumerID: k.ConsumerID(s), Pending: []PendingCoinJSON{}}
		for _, c := range k.PendingRewards(s) {
			nd.Pending = append(nd.Pending, PendingCoinJSON{c.Denom, c.Amount})
		}
		nd.LastHeight, _ = k.LastTransmissionHeight(s)
		nd.NextHeight, _ = k.NextTransmissionHeight(s)
		if ps, ok := k.Params(s); ok {
			nd.BlocksPerDistribution = ps.BlocksPerDistributionTransmission
			nd.DistributionFraction = ps.ConsumerRedistributionFraction.String()
		}
		if v, ok := s.(interface{ Version() int64 }); ok {
			nd.CurrentHeight = v.Version()
		}
		nd.ChannelID, _ = k.TransmissionChannel(s)
		nd.ProviderFeePoolAddr, _ = k.ProviderFeePoolAddr(s)
		return jsonAnswer(nd)
	case PathConsumerPackets:
		out := k.PendingPackets(s)
		if out == nil {
			out = []consumer.PendingPacket{}
		}
		return jsonAnswer(out)
	}
	return c.IBC.Query(s, path, now)
}

// Query answers the provider's CCV paths and the IBC paths with JSON. The
// epoch query needs s to tell its height (a state.View does).
func (p *Provider) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	k, prefix := p.Keeper, p.Keeper.Prefix
	chainArg := func(pre string) (string, error) {
		id := strings.TrimPrefix(path, pre)
		if _, ok := k.Consumer(s, id); !ok {
			return "", fmt.Errorf("%w: %q", provider.ErrConsumerNotFound, id)
		}
		return id, nil
	}
	switch {
	case path == PathProviderParams:
		params := k.Params(s)
		return protoJSON(&params)
	case path == PathConsumers:
		out := []ConsumerJSON{}
		for _, c := range k.Consumers(s) {
			out = append(out, p.consumerJSON(s, c))
		}
		return jsonAnswer(out)
	case strings.HasPrefix(path, PathConsumer):
		id, err := chainArg(PathConsumer)
		if err != nil {
			return nil, err
		}
		return p.consumerDetail(s, id)
	case strings.HasPrefix(path, PathValidatorConsumer):
		return p.validatorConsumers(s, strings.TrimPrefix(path, PathValidatorConsumer))
	case path == PathEpoch:
		v, ok := s.(interface{ Version() int64 })
		if !ok || v.Version() <= 0 {
			return nil, fmt.Errorf("%w: the height of the queried version is unknown", ErrInvalidQuery)
		}
		height := v.Version()
		n := k.Params(s).BlocksPerEpoch
		left := n - height%n
		return jsonAnswer(EpochJSON{Height: height, BlocksPerEpoch: n, BlocksLeft: left})
	case strings.HasPrefix(path, PathConsumerGenesis):
		id := strings.TrimPrefix(path, PathConsumerGenesis)
		g, ok := k.ConsumerGenesis(s, id)
		if !ok {
			return nil, fmt.Errorf("%w: %q has no genesis (not launched yet, or unknown)", provider.ErrConsumerNotFound, id)
		}
		return protoJSON(&g)
	case strings.HasPrefix(path, PathConsumerVals):
		id, err := chainArg(PathConsumerVals)
		if err != nil {
			return nil, err
		}
		return jsonAnswer(p.validatorSet(s, id))
	case strings.HasPrefix(path, PathPendingVSC):
		id, err := chainArg(PathPendingVSC)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, d := range k.VSC().PendingVSCs(s, id) {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(d.Bytes())
		}
		buf.WriteByte(']')
		return buf.Bytes(), nil
	case path == PathThrottle:
		m := k.SlashMeter(s)
		return jsonAnswer(map[string]any{"meter": m.Meter, "allowance": m.Allowance, "last_replenish": nsTime(m.LastReplenish)})
	case path == PathHolds:
		out := []HoldJSON{}
		for _, h := range k.VSC().Holds(s) {
			j := HoldJSON{ConsumerID: h.ConsumerID, VSCID: h.VSCID, UnbondingID: h.UnbondingID}
			if c, ok := k.Consumer(s, h.ConsumerID); ok {
				j.ChainID = c.ChainId
			}
			if p.entries != nil {
				if e, ok := p.entries.UnbondingEntry(s, h.UnbondingID); ok {
					j.Since, j.Kind, j.Balance = e.CreationHeight, e.Kind, e.Balance
					j.Delegator, j.Validator = address.Show(prefix, e.Delegator), address.Show(prefix, e.Validator)
					j.Completion = nsTime(e.CompletionTimeNs)
				}
			}
			out = append(out, j)
		}
		return jsonAnswer(out)
	case strings.HasPrefix(path, PathKeyAssignments):
		id, err := chainArg(PathKeyAssignments)
		if err != nil {
			return nil, err
		}
		out := []KeyAssignmentJSON{}
		for _, a := range k.VSC().Assignments(s, id) {
			out = append(out, KeyAssignmentJSON{ProviderAddress: address.Show(prefix+"valcons", a.ProviderAddr),
				ConsumerKey: hex.EncodeToString(a.ConsumerKey), ConsumerAddress: address.Show(prefix+"valcons", consumer.ConsAddress(a.ConsumerKey))})
		}
		return jsonAnswer(out)
	case strings.HasPrefix(path, PathConsumerRewards):
		id, err := chainArg(PathConsumerRewards)
		if err != nil {
			return nil, err
		}
		return jsonAnswer(ConsumerRewardsJSON{ConsumerID: id, PoolAddress: address.Encode(prefix, rewards.PoolAddress()),
			Pool: append([]coin.Coin{}, k.Rewards().Pool(s, id)...), AllowlistedDenoms: append([]string{}, k.Rewards().Denoms(s, id)...),
			LastDistribution: k.Rewards().LastDistribution(s, id)})
	}
	return p.IBC.Query(s, path, now)
}

// PhaseName is a phase as queries show it: "registered", "initialized",
// "launched", "running", "stopped", "deleted".
func PhaseName(ph registry.Phase) string {
	return strings.ToLower(strings.TrimPrefix(ph.String(), "PHASE_"))
}

func (p *Provider) consumerJSON(s state.Store, c registry.Consumer) ConsumerJSON {
	j := ConsumerJSON{ConsumerID: c.ConsumerId, ChainID: c.ChainId, Phase: PhaseName(c.Phase),
		Owner: address.Show(p.Keeper.Prefix, c.Owner), TopN: c.PowerShaping.TopN,
		ClientID: c.ClientId, ChannelID: c.ChannelId, SpawnTime: nsTime(c.Init.SpawnTime),
		LaunchHeight: c.LaunchHeight, InitHeight: c.InitHeight, StopReason: c.StopReason}
	if c.Launched() {
		j.Validators = len(p.Keeper.VSC().ValidatorSet(s, c.ConsumerId))
		j.LastVSCSent, j.LastVSCMatured = p.Keeper.VSC().Progress(s, c.ConsumerId)
		j.QueuedVSCs = len(p.Keeper.VSC().PendingVSCs(s, c.ConsumerId))
	}
	if c.StopTime != 0 {
		j.StopTime = nsTime(c.StopTime)
	}
	return j
}

func (p *Provider) consumerDetail(s state.Store, id string) ([]byte, error) {
	k, prefix := p.Keeper, p.Keeper.Prefix+"valcons"
	c, _ := k.Consumer(s, id)
	d := ConsumerDetailJSON{ConsumerJSON: p.consumerJSON(s, c), OptedIn: []string{}, ValidatorSet: p.validatorSet(s, id)}
	var err error
	if d.Metadata, err = protoJSON(&c.Metadata); err != nil {
		return nil, err
	}
	if d.Initialization, err = protoJSON(&c.Init); err != nil {
		return nil, err
	}
	if d.Infraction, err = protoJSON(&c.Infraction); err != nil {
		return nil, err
	}
	ps := c.PowerShaping
	d.PowerShaping = PowerShapingJSON{TopN: ps.TopN, ValidatorsPowerCap: ps.ValidatorsPowerCap, ValidatorSetCap: ps.ValidatorSetCap,
		Allowlist: showAll(prefix, ps.Allowlist), Denylist: showAll(prefix, ps.Denylist), Prioritylist: showAll(prefix, ps.Prioritylist),
		MinStake: ps.MinStake, AllowInactiveVals: ps.AllowInactiveVals}
	d.OptedIn = append(d.OptedIn, showAll(prefix, registry.OptedIn(s, id))...)
	return jsonAnswer(d)
}

func showAll(prefix string, addrs [][]byte) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, address.Show(prefix, a))
	}
	return out
}

func (p *Provider) validatorSet(s state.Store, id string) []ConsumerValidatorJSON {
	prefix := p.Keeper.Prefix + "valcons"
	out := []ConsumerValidatorJSON{}
	for _, m := range p.Keeper.VSC().ValidatorSet(s, id) {
		out = append(out, ConsumerValidatorJSON{ProviderAddress: address.Show(prefix, m.ProviderAddr),
			ConsumerAddress: address.Show(prefix, consumer.ConsAddress(m.ConsumerKey)),
			ConsumerKey:     hex.EncodeToString(m.ConsumerKey), Power: m.Power})
	}
	return out
}

// validatorConsumers lists the live consumers a validator (a bech32
// consensus address, or hex) is opted in to or in the set of, with the
// key it must run each with.
func (p *Provider) validatorConsumers(s state.Store, arg string) ([]byte, error) {
	k := p.Keeper
	addr, err := address.Decode(k.Prefix+"valcons", arg)
	if err != nil {
		if addr, err = hex.DecodeString(arg); err != nil || len(addr) != address.Len {
			return nil, fmt.Errorf("%w: %q is not a %svalcons address", ErrInvalidQuery, arg, k.Prefix)
		}
	}
	v, ok := k.Staking.ValidatorByConsAddr(s, addr)
	if !ok {
		return nil, fmt.Errorf("%w: no validator %s", provider.ErrValidatorNotFound, arg)
	}
	out := []ValidatorConsumerJSON{}
	sets := k.VSC()
	for _, c := range k.Consumers(s) {
		if !c.Live() {
			continue
		}
		j := ValidatorConsumerJSON{ConsumerID: c.ConsumerId, ChainID: c.ChainId, Phase: PhaseName(c.Phase),
			OptedIn: registry.IsOptedIn(s, c.ConsumerId, addr)}
		key := v.PubKey
		if ck, ok := sets.AssignedKey(s, c.ConsumerId, addr); ok {
			key = ck
		}
		for _, m := range sets.ValidatorSet(s, c.ConsumerId) {
			if bytes.Equal(m.ProviderAddr, addr) {
				j.InSet, j.Power, key = true, m.Power, m.ConsumerKey
			}
		}
		if !j.OptedIn && !j.InSet {
			continue
		}
		j.ConsumerKey = hex.EncodeToString(key)
		j.ConsumerAddress = address.Show(k.Prefix+"valcons", consumer.ConsAddress(key))
		if r, ok := registry.Commission(s, c.ConsumerId, addr); ok {
			j.Commission = r.String()
		}
		out = append(out, j)
	}
	return jsonAnswer(out)
}

func jsonAnswer(v any) ([]byte, error) { return json.Marshal(v) }

// protoJSON answers with the proto3 JSON of m.
func protoJSON(m gogoproto.Message) ([]byte, error) {
	var buf bytes.Buffer
	if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).Marshal(&buf, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nsTime(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}
