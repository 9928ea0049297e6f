package icsquery

import (
	"context"
	"math/big"

	sdkmath "cosmossdk.io/math"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/interchain/icsquery/ccvtypes"
	"github.com/abci-ics/ics/interchain/icsquery/consumertypes"
	"github.com/abci-ics/ics/interchain/icsquery/providertypes"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// Registrar is where services are registered: a grpcquery.Router or a
// grpc.Server.
type Registrar interface {
	RegisterService(sd *grpc.ServiceDesc, impl any)
}

func stateOf(ctx context.Context) (grpcquery.State, error) {
	st, ok := grpcquery.StateFrom(ctx)
	if !ok {
		return grpcquery.State{}, status.Error(codes.Internal, grpcquery.ErrNoState.Error())
	}
	return st, nil
}

// Decimal writes f as the reference writes its decimals (LegacyDec, 18
// places); a zero denominator gives "0".
func Decimal(f fraction.Fraction) string { return dec(f).String() }

func dec(f fraction.Fraction) sdkmath.LegacyDec {
	if f.Denominator == 0 {
		return sdkmath.LegacyZeroDec()
	}
	num := sdkmath.LegacyNewDecFromBigInt(new(big.Int).SetUint64(f.Numerator))
	return num.QuoInt(sdkmath.NewIntFromUint64(f.Denominator))
}

// Consumer serves the consumer's query service.
type Consumer struct {
	Keeper *consumer.Keeper
}

// Register registers the consumer's service.
func (c *Consumer) Register(r Registrar) { consumertypes.RegisterQueryServer(r, c) }

// QueryParams answers the consumer's CCV parameters.
func (c *Consumer) QueryParams(ctx context.Context, _ *consumertypes.QueryParamsRequest) (*consumertypes.QueryParamsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	p, ok := c.Keeper.Params(st.View)
	if !ok {
		return nil, status.Error(codes.NotFound, "consumer parameters not set")
	}
	pool, _ := c.Keeper.ProviderFeePoolAddr(st.View)
	return &consumertypes.QueryParamsResponse{Params: ccvtypes.ConsumerParams{
		Enabled:                           !c.Keeper.Stopped(st.View),
		BlocksPerDistributionTransmission: p.BlocksPerDistributionTransmission,
		DistributionTransmissionChannel:   p.DistributionTransmissionChannel,
		ProviderFeePoolAddrStr:            pool,
		CcvTimeoutPeriod:                  p.CcvTimeoutPeriod,
		TransferTimeoutPeriod:             p.TransferTimeoutPeriod,
		ConsumerRedistributionFraction:    Decimal(p.ConsumerRedistributionFraction),
		HistoricalEntries:                 p.HistoricalEntries,
		UnbondingPeriod:                   p.UnbondingPeriod,
		RetryDelayPeriod:                  p.RetryDelayPeriod,
		ConsumerId:                        c.Keeper.ConsumerID(st.View),
	}}, nil
}

// Provider serves the provider's query service.
type Provider struct {
	Keeper *provider.Keeper
}

// Register registers the provider's service.
func (p *Provider) Register(r Registrar) { providertypes.RegisterQueryServer(r, p) }

// Phase maps icsd's phase to the reference's.
func Phase(ph registry.Phase) providertypes.ConsumerPhase {
	switch ph {
	case registry.PHASE_REGISTERED:
		return providertypes.CONSUMER_PHASE_REGISTERED
	case registry.PHASE_INITIALIZED:
		return providertypes.CONSUMER_PHASE_INITIALIZED
	case registry.PHASE_LAUNCHED, registry.PHASE_RUNNING:
		return providertypes.CONSUMER_PHASE_LAUNCHED
	case registry.PHASE_STOPPED:
		return providertypes.CONSUMER_PHASE_STOPPED
	case registry.PHASE_DELETED:
		return providertypes.CONSUMER_PHASE_DELETED
	}
	return providertypes.CONSUMER_PHASE_UNSPECIFIED
}

// QueryConsumerChains answers the consumers, of the requested phase
// unless it is unspecified, by consumer id.
func (p *Provider) QueryConsumerChains(ctx context.Context, req *providertypes.QueryConsumerChainsRequest) (*providertypes.QueryConsumerChainsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	var all []registry.Consumer
	for _, c := range p.Keeper.Consumers(st.View) {
		if req.Phase == providertypes.CONSUMER_PHASE_UNSPECIFIED || Phase(c.Phase) == req.Phase {
			all = append(all, c)
		}
	}
	page, pr, err := grpcquery.Page(all, func(c registry.Consumer) []byte { return idKey(c.ConsumerId) }, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make([]*providertypes.Chain, len(page))
	for i, c := range page {
		out[i] = p.chain(c)
	}
	return &providertypes.QueryConsumerChainsResponse{Chains: out, Pagination: pr}, nil
}

// idKey orders consumer ids (decimal numbers) by value: their length,
// then their digits.
func idKey(id string) []byte { return append([]byte{byte(len(id))}, id...) }

func (p *Provider) chain(c registry.Consumer) *providertypes.Chain {
	prefix := p.Keeper.Prefix + "valcons"
	show := func(addrs [][]byte) []string {
		out := make([]string, len(addrs))
		for i, a := range addrs {
			out[i] = address.Show(prefix, a)
		}
		return out
	}
	ps := c.PowerShaping
	ph := Phase(c.Phase)
	return &providertypes.Chain{
		ChainId: c.ChainId, ClientId: c.ClientId, ConsumerId: c.ConsumerId,
		Top_N: ps.TopN, MinPowerInTop_N: -1, ValidatorsPowerCap: ps.ValidatorsPowerCap, ValidatorSetCap: ps.ValidatorSetCap,
		Allowlist: show(ps.Allowlist), Denylist: show(ps.Denylist), Prioritylist: show(ps.Prioritylist),
		Phase:    ph.String(),
		Metadata: providertypes.ConsumerMetadata{Name: c.Metadata.Name, Description: c.Metadata.Description, Metadata: c.Metadata.Metadata},
		MinStake: ps.MinStake, AllowInactiveVals: ps.AllowInactiveVals,
		InfractionParameters: &providertypes.InfractionParameters{
			DoubleSign: slashJail(c.Infraction.DoubleSign),
			Downtime:   slashJail(c.Infraction.Downtime),
		},
	}
}

func slashJail(p registry.InfractionParams) *providertypes.SlashJailParameters {
	return &providertypes.SlashJailParameters{SlashFraction: dec(p.SlashFraction), JailDuration: p.JailDuration, Tombstone: p.Tombstone}
}
