package pos

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// Query paths of staking, gov and distribution; all answer JSON.
//
//	/staking/params
//	/staking/validators                 []ValidatorJSON, sorted by operator
//	/staking/validator/<operator>       ValidatorJSON
//	/staking/delegations/<delegator>    []DelegationJSON
//	/staking/unbonding[/<delegator>]    []UnbondingJSON with their holders
//	/gov/params
//	/gov/proposals                      []gov.Proposal
//	/gov/proposal/<id>                  gov.Proposal
//	/gov/tally/<id>                     gov.TallyResult (current)
//	/distribution/rewards/<delegator>   rewards per validator
//	/distribution/commission/<operator> []CoinJSON
//	/distribution/community-pool        []CoinJSON
const (
	PathStakingParams = "/staking/params"
	PathValidators    = "/staking/validators"
	PathValidator     = "/staking/validator/"
	PathDelegations   = "/staking/delegations/"
	PathUnbonding     = "/staking/unbonding"
	PathGovParams     = "/gov/params"
	PathProposals     = "/gov/proposals"
	PathProposal      = "/gov/proposal/"
	PathTally         = "/gov/tally/"
	PathRewards       = "/distribution/rewards/"
	PathCommission    = "/distribution/commission/"
	PathCommunityPool = "/distribution/community-pool"
)

// ValidatorJSON is a validator in query answers.
type ValidatorJSON struct {
	Operator       string `json:"operator"`
	ConsAddress    string `json:"cons_address"`
	PubKey         []byte `json:"pub_key"`
	Moniker        string `json:"moniker"`
	Status         string `json:"status"`
	Tokens         uint64 `json:"tokens,string"`
	Shares         uint64 `json:"delegator_shares,string"`
	Power          int64  `json:"power,string"`
	Commission     string `json:"commission"`
	Jailed         bool   `json:"jailed"`
	JailedUntil    string `json:"jailed_until,omitempty"`
	Tombstoned     bool   `json:"tombstoned"`
	UnbondingUntil string `json:"unbonding_until,omitempty"`
}

// DelegationJSON is a delegation in query answers.
type DelegationJSON struct {
	Delegator string `json:"delegator"`
	Validator string `json:"validator"`
	Shares    uint64 `json:"shares,string"`
	Tokens    uint64 `json:"tokens,string"`
}

// UnbondingJSON is an unbonding entry in query answers, with the holders
// that keep it from completing.
type UnbondingJSON struct {
	ID             uint64   `json:"id,string"`
	Kind           string   `json:"kind"`
	Delegator      string   `json:"delegator,omitempty"`
	Validator      string   `json:"validator"`
	DstValidator   string   `json:"dst_validator,omitempty"`
	CreationHeight int64    `json:"creation_height,string"`
	CompletionTime string   `json:"completion_time"`
	InitialBalance uint64   `json:"initial_balance,string"`
	Balance        uint64   `json:"balance,string"`
	Holders        []string `json:"holders"`
	Matured        bool     `json:"matured"`
}

func nsTime(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

func (p *PoS) validatorJSON(s state.Store, prefix string, v staking.Validator) ValidatorJSON {
	params := p.Staking.Params(s)
	var cons string
	if len(v.PubKey) == 32 {
		cons = ed25519.PubKey(v.PubKey).Address().String()
	}
	out := ValidatorJSON{
		Operator: address.Show(prefix, v.Operator), ConsAddress: cons, PubKey: v.PubKey, Moniker: v.Moniker,
		Status: v.Status.String(), Tokens: v.Tokens, Shares: v.DelegatorShares,
		Commission: fmt.Sprintf("%d/%d", v.CommissionRate.Numerator, v.CommissionRate.Denominator),
		Jailed:     v.Jailed, Tombstoned: v.Tombstoned,
	}
	if params.PowerReduction > 0 {
		out.Power = int64(v.Tokens / params.PowerReduction)
	}
	if v.Jailed {
		out.JailedUntil = nsTime(v.JailedUntilNs)
	}
	if v.Status == staking.BOND_STATUS_UNBONDING {
		out.UnbondingUntil = nsTime(v.UnbondingTimeNs)
	}
	return out
}

func unbondingJSON(prefix string, e unbonding.UnbondingEntry) UnbondingJSON {
	holders := e.Holders
	if holders == nil {
		holders = []string{}
	}
	return UnbondingJSON{
		ID: e.Id, Kind: e.Kind.String(), Delegator: address.Show(prefix, e.Delegator), Validator: address.Show(prefix, e.Validator),
		DstValidator: address.Show(prefix, e.DstValidator), CreationHeight: e.CreationHeight, CompletionTime: nsTime(e.CompletionTimeNs),
		InitialBalance: e.InitialBalance, Balance: e.Balance, Holders: holders, Matured: e.Matured,
	}
}

// Query answers the staking, gov and distribution paths; ok is false for
// any other path.
func (p *PoS) Query(v state.Store, path string) ([]byte, bool, error) {
	prefix := p.acc.Prefix
	addrArg := func(pre string) ([]byte, error) { return address.Decode(prefix, strings.TrimPrefix(path, pre)) }
	idArg := func(pre string) (uint64, error) {
		id, err := strconv.ParseUint(strings.TrimPrefix(path, pre), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: proposal id %q", abci.ErrInvalidQuery, strings.TrimPrefix(path, pre))
		}
		return id, nil
	}
	answer := func(x any) ([]byte, bool, error) {
		bz, err := app.JSON(x)
		return bz, true, err
	}
	fail := func(err error) ([]byte, bool, error) { return nil, true, err }
	switch {
	case path == PathStakingParams:
		return answer(p.Staking.Params(v))
	case path == PathValidators:
		out := []ValidatorJSON{}
		for _, val := range p.Staking.Validators(v) {
			out = append(out, p.validatorJSON(v, prefix, val))
		}
		return answer(out)
	case strings.HasPrefix(path, PathValidator):
		op, err := addrArg(PathValidator)
		if err != nil {
			return fail(err)
		}
		val, found := p.Staking.Validator(v, op)
		if !found {
			return fail(fmt.Errorf("%w: %s", staking.ErrValidatorNotFound, address.Show(prefix, op)))
		}
		return answer(p.validatorJSON(v, prefix, val))
	case strings.HasPrefix(path, PathDelegations):
		del, err := addrArg(PathDelegations)
		if err != nil {
			return fail(err)
		}
		out := []DelegationJSON{}
		for _, d := range p.Staking.DelegationsOf(v, del) {
			val, _ := p.Staking.Validator(v, d.Validator)
			out = append(out, DelegationJSON{Delegator: address.Show(prefix, d.Delegator), Validator: address.Show(prefix, d.Validator), Shares: d.Shares, Tokens: val.TokensFromShares(d.Shares)})
		}
		return answer(out)
	case path == PathUnbonding || strings.HasPrefix(path, PathUnbonding+"/"):
		var entries []unbonding.UnbondingEntry
		if path == PathUnbonding {
			entries = p.Staking.Unbonding().Entries(v)
		} else {
			del, err := addrArg(PathUnbonding + "/")
			if err != nil {
				return fail(err)
			}
			entries = p.Staking.Unbonding().EntriesOf(v, del)
		}
		out := []UnbondingJSON{}
		for _, e := range entries {
			out = append(out, unbondingJSON(prefix, e))
		}
		return answer(out)
	case path == PathGovParams:
		return answer(p.Gov.Params(v))
	case path == PathProposals:
		out := p.Gov.Proposals(v, gov.StatusNil)
		if out == nil {
			out = []gov.Proposal{}
		}
		return answer(out)
	case strings.HasPrefix(path, PathProposal):
		id, err := idArg(PathProposal)
		if err != nil {
			return fail(err)
		}
		prop, found := p.Gov.Proposal(v, id)
		if !found {
			return fail(fmt.Errorf("%w: proposal %d", gov.ErrUnknownProposal, id))
		}
		return answer(prop)
	case strings.HasPrefix(path, PathTally):
		id, err := idArg(PathTally)
		if err != nil {
			return fail(err)
		}
		t, err := p.Gov.Tally(v, id)
		if err != nil {
			return fail(err)
		}
		return answer(t)
	case strings.HasPrefix(path, PathRewards):
		del, err := addrArg(PathRewards)
		if err != nil {
			return fail(err)
		}
		return answer(p.Dist.DelegatorRewards(v, del))
	case strings.HasPrefix(path, PathCommission):
		op, err := addrArg(PathCommission)
		if err != nil {
			return fail(err)
		}
		return answer(app.CoinsJSON(p.Dist.Commission(v, op)))
	case path == PathCommunityPool:
		return answer(app.CoinsJSON(p.Dist.CommunityPool(v)))
	}
	return nil, false, nil
}
