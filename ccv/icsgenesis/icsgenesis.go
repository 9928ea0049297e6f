package icsgenesis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
)

// ErrNotConvertible is wrapped by the errors of a conversion that would
// lose something the consumer needs to start the same chain.
var ErrNotConvertible = errors.New("consumer genesis cannot be converted")

// Format names a consumer genesis form.
type Format string

// The two forms.
const (
	// FormatICSD is ours: ccv.ConsumerGenesis in proto JSON.
	FormatICSD Format = "icsd"
	// FormatICS is the reference's: ConsumerGenesisState in proto JSON.
	FormatICS Format = "ics"
)

// ParseFormat returns the format named s ("icsd" or "ics").
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatICSD, FormatICS:
		return f, nil
	}
	return "", fmt.Errorf("unknown consumer genesis format %q: use icsd or ics", s)
}

// Top-level fields that only one of the forms has, by which Read tells
// them apart (original names and their lowerCamelCase JSON names).
var (
	icsOnly  = []string{"provider", "new_chain", "newChain", "preCCV", "connection_id", "connectionId"}
	icsdOnly = []string{"provider_client_state", "providerClientState", "provider_consensus_state", "providerConsensusState",
		"initial_validators", "initialValidators", "consumer_id", "consumerId", "changeover"}
)

// Detect tells which form bz is by its top-level fields: the reference's
// has provider, new_chain, preCCV or connection_id; ours has none of
// them. It fails on input that is not a JSON object and on an object that
// mixes fields of both forms.
func Detect(bz []byte) (Format, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(bz, &top); err != nil || top == nil {
		return "", fmt.Errorf("%w: not a JSON object", ccv.ErrInvalidGenesis)
	}
	ics, icsd := firstOf(top, icsOnly), firstOf(top, icsdOnly)
	switch {
	case ics != "" && icsd != "":
		return "", fmt.Errorf("%w: fields of both forms (%q of the reference's ConsumerGenesisState, %q of ours)", ccv.ErrInvalidGenesis, ics, icsd)
	case ics != "":
		return FormatICS, nil
	}
	return FormatICSD, nil
}

func firstOf(top map[string]json.RawMessage, names []string) string {
	for _, n := range names {
		if _, ok := top[n]; ok {
			return n
		}
	}
	return ""
}

// Read decodes a consumer genesis in either form, as Detect tells, and
// validates it. Every error wraps ccv.ErrInvalidGenesis or
// ErrNotConvertible.
func Read(bz []byte) (*ccv.ConsumerGenesis, Format, error) {
	f, err := Detect(bz)
	if err != nil {
		return nil, "", err
	}
	var g *ccv.ConsumerGenesis
	if f == FormatICS {
		g, err = FromICS(bz)
	} else {
		g, err = FromICSD(bz)
	}
	return g, f, err
}

// FromICSD decodes our form and validates it.
func FromICSD(bz []byte) (*ccv.ConsumerGenesis, error) {
	var g ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(bz), &g); err != nil {
		return nil, fmt.Errorf("%w: %v", ccv.ErrInvalidGenesis, err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// ICSD returns g in our form: proto JSON, original field names, defaults
// written out, indented.
func ICSD(g *ccv.ConsumerGenesis) ([]byte, error) {
	return protoJSON(g, "  ")
}

// Write returns g, which must be valid, in form f.
func Write(g *ccv.ConsumerGenesis, f Format) ([]byte, error) {
	if f == FormatICS {
		return ToICS(g)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return ICSD(g)
}

// ToICS returns g in the reference's form, indented. g must be valid. It
// fails, with an error wrapping ErrNotConvertible, on what that form
// cannot carry (see the package documentation): a changeover, a
// redistribution address, a downtime window other than the default, a
// fraction without an exact decimal of the same ratio, and provider
// states that do not re-encode byte for byte.
func ToICS(g *ccv.ConsumerGenesis) ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if c := g.Changeover; c != nil {
		return nil, fmt.Errorf("%w: a changeover genesis (chain %s at height %d) needs the chain id and height, which the reference's ConsumerGenesisState has no place for; use the icsd form",
			ErrNotConvertible, c.ChainId, c.Height)
	}
	p := g.Params
	if p.ConsumerRedistributionAddress != "" {
		return nil, fmt.Errorf("%w: consumer_redistribution_address %s has no place in the reference's ConsumerParams (read back as empty); use the icsd form",
			ErrNotConvertible, p.ConsumerRedistributionAddress)
	}
	d := ccv.DefaultConsumerParams()
	if p.SignedBlocksWindow != d.SignedBlocksWindow || p.MinSignedPerWindow != d.MinSignedPerWindow {
		return nil, fmt.Errorf("%w: signed_blocks_window %d and min_signed_per_window %s have no place in the reference's ConsumerParams (read back as %d and %s); use the icsd form",
			ErrNotConvertible, p.SignedBlocksWindow, p.MinSignedPerWindow, d.SignedBlocksWindow, d.MinSignedPerWindow)
	}
	frac, err := decimal(p.ConsumerRedistributionFraction)
	if err != nil {
		return nil, fmt.Errorf("%w: consumer_redistribution_fraction: %v", ErrNotConvertible, err)
	}
	cs, cons, err := g.Decode()
	if err != nil {
		return nil, err
	}
	if err := sameBytes(cs, g.ProviderClientState); err != nil {
		return nil, fmt.Errorf("%w: provider client state: %v", ErrNotConvertible, err)
	}
	if err := sameBytes(cons, g.ProviderConsensusState); err != nil {
		return nil, fmt.Errorf("%w: provider consensus state: %v", ErrNotConvertible, err)
	}
	csJSON, err := protoJSON(cs, "")
	if err != nil {
		return nil, err
	}
	consJSON, err := protoJSON(cons, "")
	if err != nil {
		return nil, err
	}
	vals := make([]json.RawMessage, 0, len(g.InitialValidators))
	for _, v := range g.InitialValidators {
		u := abci.ValidatorUpdate{PubKey: cmtcrypto.PublicKey{Sum: &cmtcrypto.PublicKey_Ed25519{Ed25519: v.PubKey}}, Power: v.Power}
		bz, err := protoJSON(&u, "")
		if err != nil {
			return nil, err
		}
		vals = append(vals, bz)
	}
	out := genesisState{
		Params: consumerParams{
			Enabled:                           true,
			BlocksPerDistributionTransmission: int64String(p.BlocksPerDistributionTransmission),
			DistributionTransmissionChannel:   p.DistributionTransmissionChannel,
			ProviderFeePoolAddrStr:            "",
			CcvTimeoutPeriod:                  formatDuration(p.CcvTimeoutPeriod),
			TransferTimeoutPeriod:             formatDuration(p.TransferTimeoutPeriod),
			ConsumerRedistributionFraction:    frac,
			HistoricalEntries:                 int64String(p.HistoricalEntries),
			UnbondingPeriod:                   formatDuration(p.UnbondingPeriod),
			SoftOptOutThreshold:               "0",
			RewardDenoms:                      []string{},
			ProviderRewardDenoms:              []string{},
			RetryDelayPeriod:                  formatDuration(p.RetryDelayPeriod),
			ConsumerID:                        g.ConsumerId,
		},
		Provider:     providerInfo{ClientState: csJSON, ConsensusState: consJSON, InitialValSet: vals},
		NewChain:     true,
		PreCCV:       false,
		ConnectionID: "",
	}
	return json.MarshalIndent(out, "", "  ")
}

// genesisState and the types below it are the reference's
// ConsumerGenesisState in proto JSON, fields in proto order.
type genesisState struct {
	Params       consumerParams `json:"params"`
	Provider     providerInfo   `json:"provider"`
	NewChain     bool           `json:"new_chain"`
	PreCCV       bool           `json:"preCCV"`
	ConnectionID string         `json:"connection_id"`
}

type consumerParams struct {
	Enabled                           bool     `json:"enabled"`
	BlocksPerDistributionTransmission string   `json:"blocks_per_distribution_transmission"`
	DistributionTransmissionChannel   string   `json:"distribution_transmission_channel"`
	ProviderFeePoolAddrStr            string   `json:"provider_fee_pool_addr_str"`
	CcvTimeoutPeriod                  string   `json:"ccv_timeout_period"`
	TransferTimeoutPeriod             string   `json:"transfer_timeout_period"`
	ConsumerRedistributionFraction    string   `json:"consumer_redistribution_fraction"`
	HistoricalEntries                 string   `json:"historical_entries"`
	UnbondingPeriod                   string   `json:"unbonding_period"`
	SoftOptOutThreshold               string   `json:"soft_opt_out_threshold"`
	RewardDenoms                      []string `json:"reward_denoms"`
	ProviderRewardDenoms              []string `json:"provider_reward_denoms"`
	RetryDelayPeriod                  string   `json:"retry_delay_period"`
	ConsumerID                        string   `json:"consumer_id"`
}

type providerInfo struct {
	ClientState    json.RawMessage   `json:"client_state"`
	ConsensusState json.RawMessage   `json:"consensus_state"`
	InitialValSet  []json.RawMessage `json:"initial_val_set"`
}

// FromICS decodes the reference's form and returns it as ours, validated.
// Errors wrap ccv.ErrInvalidGenesis (it does not parse or validate) or
// ErrNotConvertible (it asks for what our consumer does not do: see the
// package documentation).
func FromICS(bz []byte) (*ccv.ConsumerGenesis, error) {
	top, err := object(bz, "params", "provider", "new_chain", "preCCV", "connection_id")
	if err != nil {
		return nil, err
	}
	newChain, err := readBool(top, "new_chain")
	if err != nil {
		return nil, err
	}
	preCCV, err := readBool(top, "preCCV")
	if err != nil {
		return nil, err
	}
	conn, err := readString(top, "connection_id")
	if err != nil {
		return nil, err
	}
	if !newChain {
		return nil, fmt.Errorf("%w: new_chain is false (the reference's own validation requires true)", ccv.ErrInvalidGenesis)
	}
	if preCCV || conn != "" {
		return nil, fmt.Errorf("%w: a consumer that starts on an existing connection (preCCV %t, connection_id %q) is a changeover here, which needs the standalone chain's id and height; use the icsd form",
			ErrNotConvertible, preCCV, conn)
	}
	g := &ccv.ConsumerGenesis{Params: ccv.DefaultConsumerParams()}
	if g.ConsumerId, err = readParams(top["params"], &g.Params); err != nil {
		return nil, err
	}
	prov, err := object(top["provider"], "client_state", "consensus_state", "initial_val_set")
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	var cs ibctm.ClientState
	if g.ProviderClientState, err = readProto(prov, "client_state", &cs); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	var cons ibctm.ConsensusState
	if g.ProviderConsensusState, err = readProto(prov, "consensus_state", &cons); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	vals, err := readArray(prov, "initial_val_set")
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for i, raw := range vals {
		var u abci.ValidatorUpdate
		if err := unmarshalProto(raw, &u); err != nil {
			return nil, fmt.Errorf("%w: provider.initial_val_set[%d]: %v", ccv.ErrInvalidGenesis, i, err)
		}
		key := u.PubKey.GetEd25519()
		if key == nil {
			return nil, fmt.Errorf("%w: provider.initial_val_set[%d]: not an ed25519 key", ccv.ErrInvalidGenesis, i)
		}
		g.InitialValidators = append(g.InitialValidators, ccv.InitialValidator{PubKey: key, Power: u.Power})
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

// readParams reads the reference's ConsumerParams into p, which holds our
// defaults for what that form lacks, and returns its consumer_id.
func readParams(raw json.RawMessage, p *ccv.ConsumerParams) (string, error) {
	m, err := object(raw, "enabled", "blocks_per_distribution_transmission", "distribution_transmission_channel",
		"provider_fee_pool_addr_str", "ccv_timeout_period", "transfer_timeout_period", "consumer_redistribution_fraction",
		"historical_entries", "unbonding_period", "soft_opt_out_threshold", "reward_denoms", "provider_reward_denoms",
		"retry_delay_period", "consumer_id")
	if err != nil {
		return "", fmt.Errorf("params: %w", err)
	}
	r := paramReader{m: m}
	if !r.bool("enabled") && r.err == nil {
		return "", fmt.Errorf("%w: params.enabled is false: our consumer cannot run with CCV disabled", ErrNotConvertible)
	}
	p.BlocksPerDistributionTransmission = r.int64("blocks_per_distribution_transmission")
	p.DistributionTransmissionChannel = r.string("distribution_transmission_channel")
	r.string("provider_fee_pool_addr_str") // set by the channel handshake
	p.CcvTimeoutPeriod = r.duration("ccv_timeout_period")
	p.TransferTimeoutPeriod = r.duration("transfer_timeout_period")
	p.ConsumerRedistributionFraction = r.fraction("consumer_redistribution_fraction")
	p.HistoricalEntries = r.int64("historical_entries")
	p.UnbondingPeriod = r.duration("unbonding_period")
	r.string("soft_opt_out_threshold") // deprecated in the reference
	for _, name := range []string{"reward_denoms", "provider_reward_denoms"} {
		if ds := r.strings(name); len(ds) > 0 && r.err == nil {
			return "", fmt.Errorf("%w: params.%s %s: our consumer sends a share of every denomination and takes no list",
				ErrNotConvertible, name, strings.Join(ds, ","))
		}
	}
	p.RetryDelayPeriod = r.duration("retry_delay_period")
	id := r.string("consumer_id")
	if r.err != nil {
		return "", fmt.Errorf("params: %w", r.err)
	}
	return id, nil
}

// readProto decodes the proto JSON message named name of m into msg and
// returns its gogoproto binary. The message must be present.
func readProto(m map[string]json.RawMessage, name string, msg gogoproto.Message) ([]byte, error) {
	raw, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s is missing", ccv.ErrInvalidGenesis, name)
	}
	if err := unmarshalProto(raw, msg); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ccv.ErrInvalidGenesis, name, err)
	}
	bz, err := gogoproto.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ccv.ErrInvalidGenesis, name, err)
	}
	return bz, nil
}

// unmarshalProto decodes proto JSON strictly (no unknown fields).
func unmarshalProto(raw json.RawMessage, msg gogoproto.Message) error {
	return (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(raw), msg)
}

// protoJSON writes msg as the reference does: original field names,
// defaults written out.
func protoJSON(msg gogoproto.Message, indent string) ([]byte, error) {
	var buf bytes.Buffer
	if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true, Indent: indent}).Marshal(&buf, msg); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sameBytes fails unless msg, decoded from bz, encodes back to bz: a state
// with fields this build does not know would lose them on the way to JSON.
func sameBytes(msg gogoproto.Message, bz []byte) error {
	again, err := gogoproto.Marshal(msg)
	if err != nil {
		return err
	}
	if !bytes.Equal(again, bz) {
		return errors.New("it does not re-encode byte for byte (unknown or non-canonical fields), so its JSON would differ from it")
	}
	return nil
}
