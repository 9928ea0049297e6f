package ibctest_test

import (
	"strconv"
	"testing"
	"time"

	paramproposal "github.com/cosmos/cosmos-sdk/x/params/types/proposal"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/interchain/icsquery/consumertypes"
	"github.com/abci-ics/ics/interchain/icsquery/providertypes"
)

// TestGRPCQueryCCV asks a consumer for its CCV parameters and the
// unbonding period the Go relayer reads, and the provider for its
// consumers, with the reference's method paths.
func TestGRPCQueryCCV(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 3, 5, nil)
	params := ibctest.ConsumerParams()
	cons := ibctest.LaunchConsumer(prov, "consumer-1", params, 2)
	ibctest.LinkCCV(cons, prov)

	var pr consumertypes.QueryParamsResponse
	grpcQuery(t, cons, "/interchain_security.ccv.consumer.v1.Query/QueryParams", 0, false, &consumertypes.QueryParamsRequest{}, &pr)
	got := pr.Params
	if !got.Enabled || got.UnbondingPeriod != params.UnbondingPeriod || got.RetryDelayPeriod != params.RetryDelayPeriod ||
		got.CcvTimeoutPeriod != params.CcvTimeoutPeriod || got.ConsumerId != ibctest.ConsumerID(prov, cons.ID) || got.ProviderFeePoolAddrStr == "" {
		t.Fatalf("consumer params %+v", got)
	}
	if got.ConsumerRedistributionFraction == "" || got.BlocksPerDistributionTransmission != params.BlocksPerDistributionTransmission {
		t.Fatalf("consumer params %+v", got)
	}

	var param paramproposal.QueryParamsResponse
	grpcQuery(t, cons, "/cosmos.params.v1beta1.Query/Params", 0, false, &paramproposal.QueryParamsRequest{Subspace: "ccvconsumer", Key: "UnbondingPeriod"}, &param)
	if want := strconv.Quote(strconv.FormatInt(int64(params.UnbondingPeriod), 10)); param.Param.Value != want {
		t.Fatalf("ccvconsumer/UnbondingPeriod %s, want %s", param.Param.Value, want)
	}
	req, _ := gogoproto.Marshal(&stakingtypes.QueryParamsRequest{})
	if res := cons.Query("/cosmos.staking.v1beta1.Query/Params", req, 0, false); res.Code != abci.CodeOf(app.Codes, abci.ErrUnknownQuery) {
		t.Fatalf("staking params on a consumer without staking: code %d %s", res.Code, res.Log)
	}

	var chains providertypes.QueryConsumerChainsResponse
	grpcQuery(t, prov, "/interchain_security.ccv.provider.v1.Query/QueryConsumerChains", 0, false, &providertypes.QueryConsumerChainsRequest{}, &chains)
	if len(chains.Chains) != 1 {
		t.Fatalf("chains %v", chains.Chains)
	}
	c := chains.Chains[0]
	if c.ChainId != cons.ID || c.Phase != "CONSUMER_PHASE_LAUNCHED" || c.ClientId == "" || c.ConsumerId != ibctest.ConsumerID(prov, cons.ID) || c.Top_N != 100 {
		t.Fatalf("chain %+v", c)
	}
	grpcQuery(t, prov, "/interchain_security.ccv.provider.v1.Query/QueryConsumerChains", 0, false, &providertypes.QueryConsumerChainsRequest{Phase: providertypes.CONSUMER_PHASE_STOPPED}, &chains)
	if len(chains.Chains) != 0 {
		t.Fatalf("stopped chains %v", chains.Chains)
	}
}
