package sdkquery

import (
	"context"
	"strconv"
	"time"

	sdkmath "cosmossdk.io/math"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdked25519 "github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdksecp256k1 "github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/params/types/proposal"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Service answers the SDK queries from a chain's modules.
type Service struct {
	Accounts *app.Accounts
	// Staking is the chain's staking keeper; nil on a chain without
	// staking, which then has no staking service.
	Staking *staking.Keeper
	// ConsumerUnbonding returns a consumer's CCV unbonding period (false
	// before its genesis is known); nil on a chain that is no consumer.
	ConsumerUnbonding func(s state.Store) (time.Duration, bool)
}

// Registrar is where services are registered: a grpcquery.Router or a
// grpc.Server.
type Registrar interface {
	RegisterService(sd *grpc.ServiceDesc, impl any)
}

// Register registers the auth, bank and params services, and the staking
// service when the chain has staking.
func (s *Service) Register(r Registrar) {
	authtypes.RegisterQueryServer(r, &authQuery{s: s})
	banktypes.RegisterQueryServer(r, &bankQuery{s: s})
	proposal.RegisterQueryServer(r, &paramsQuery{s: s})
	if s.Staking != nil {
		stakingtypes.RegisterQueryServer(r, &stakingQuery{s: s})
	}
}

func stateOf(ctx context.Context) (grpcquery.State, error) {
	st, ok := grpcquery.StateFrom(ctx)
	if !ok {
		return grpcquery.State{}, status.Error(codes.Internal, grpcquery.ErrNoState.Error())
	}
	return st, nil
}

// addr decodes a bech32 account address of this chain.
func (s *Service) addr(bech string) ([]byte, error) {
	if bech == "" {
		return nil, status.Error(codes.InvalidArgument, "address is required")
	}
	a, err := address.Decode(s.Accounts.Prefix, bech)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "address %q: %v", bech, err)
	}
	return a, nil
}

func sdkCoin(denom string, amount uint64) sdk.Coin {
	return sdk.Coin{Denom: denom, Amount: sdkmath.NewIntFromUint64(amount)}
}

func sdkCoins(cs []coin.Coin) sdk.Coins {
	out := make(sdk.Coins, len(cs))
	for i, c := range cs {
		out[i] = sdkCoin(c.Denom, c.Amount)
	}
	return out
}

// authQuery serves cosmos.auth.v1beta1.Query.
type authQuery struct {
	authtypes.UnimplementedQueryServer
	s *Service
}

func (q *authQuery) account(ctx context.Context, bech string) (*authtypes.BaseAccount, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	a, err := q.s.addr(bech)
	if err != nil {
		return nil, err
	}
	acc, ok := q.s.Accounts.Auth.Account(st.View, a)
	if !ok {
		return nil, status.Errorf(codes.NotFound, "account %s not found", bech)
	}
	ba := &authtypes.BaseAccount{Address: address.Encode(q.s.Accounts.Prefix, a), Sequence: acc.Nonce}
	if len(acc.PubKey) > 0 {
		var key gogoproto.Message = &sdked25519.PubKey{Key: acc.PubKey}
		if acc.KeyType == auth.KEY_TYPE_SECP256K1 {
			key = &sdksecp256k1.PubKey{Key: acc.PubKey}
		}
		pk, err := codectypes.NewAnyWithValue(key)
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		ba.PubKey = pk
	}
	return ba, nil
}

// Account answers an account as an Any-wrapped BaseAccount.
func (q *authQuery) Account(ctx context.Context, req *authtypes.QueryAccountRequest) (*authtypes.QueryAccountResponse, error) {
	ba, err := q.account(ctx, req.Address)
	if err != nil {
		return nil, err
	}
	any, err := codectypes.NewAnyWithValue(ba)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &authtypes.QueryAccountResponse{Account: any}, nil
}

// AccountInfo answers an account as a BaseAccount.
func (q *authQuery) AccountInfo(ctx context.Context, req *authtypes.QueryAccountInfoRequest) (*authtypes.QueryAccountInfoResponse, error) {
	ba, err := q.account(ctx, req.Address)
	if err != nil {
		return nil, err
	}
	return &authtypes.QueryAccountInfoResponse{Info: ba}, nil
}

// bankQuery serves cosmos.bank.v1beta1.Query.
type bankQuery struct {
	banktypes.UnimplementedQueryServer
	s *Service
}

// Balance answers one denomination's balance (zero when none).
func (q *bankQuery) Balance(ctx context.Context, req *banktypes.QueryBalanceRequest) (*banktypes.QueryBalanceResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	a, err := q.s.addr(req.Address)
	if err != nil {
		return nil, err
	}
	if err := coin.ValidateDenom(req.Denom); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "denom: %v", err)
	}
	c := sdkCoin(req.Denom, q.s.Accounts.Bank.Balance(st.View, a, req.Denom))
	return &banktypes.QueryBalanceResponse{Balance: &c}, nil
}

func coinKey(c coin.Coin) []byte { return []byte(c.Denom) }

// AllBalances answers an account's balances, by denomination.
func (q *bankQuery) AllBalances(ctx context.Context, req *banktypes.QueryAllBalancesRequest) (*banktypes.QueryAllBalancesResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	a, err := q.s.addr(req.Address)
	if err != nil {
		return nil, err
	}
	page, pr, err := grpcquery.Page(q.s.Accounts.Bank.Balances(st.View, a), coinKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &banktypes.QueryAllBalancesResponse{Balances: sdkCoins(page), Pagination: pr}, nil
}

// TotalSupply answers the supply of every denomination.
func (q *bankQuery) TotalSupply(ctx context.Context, req *banktypes.QueryTotalSupplyRequest) (*banktypes.QueryTotalSupplyResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	page, pr, err := grpcquery.Page(q.s.Accounts.Bank.TotalSupply(st.View), coinKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &banktypes.QueryTotalSupplyResponse{Supply: sdkCoins(page), Pagination: pr}, nil
}

// SupplyOf answers one denomination's supply.
func (q *bankQuery) SupplyOf(ctx context.Context, req *banktypes.QuerySupplyOfRequest) (*banktypes.QuerySupplyOfResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := coin.ValidateDenom(req.Denom); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "denom: %v", err)
	}
	return &banktypes.QuerySupplyOfResponse{Amount: sdkCoin(req.Denom, q.s.Accounts.Bank.Supply(st.View, req.Denom))}, nil
}

// stakingQuery serves cosmos.staking.v1beta1.Query.
type stakingQuery struct {
	stakingtypes.UnimplementedQueryServer
	s *Service
}

// Params answers the staking parameters the SDK's and icsd's share.
func (q *stakingQuery) Params(ctx context.Context, _ *stakingtypes.QueryParamsRequest) (*stakingtypes.QueryParamsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	p := q.s.Staking.Params(st.View)
	return &stakingtypes.QueryParamsResponse{Params: stakingtypes.Params{
		UnbondingTime:     p.UnbondingPeriod,
		MaxValidators:     p.MaxValidators,
		MaxEntries:        p.MaxEntries,
		BondDenom:         p.BondDenom,
		MinCommissionRate: sdkmath.LegacyZeroDec(),
	}}, nil
}

// paramsQuery serves cosmos.params.v1beta1.Query for the unbonding
// periods.
type paramsQuery struct {
	proposal.UnimplementedQueryServer
	s *Service
}

// Params answers staking/UnbondingTime and ccvconsumer/UnbondingPeriod.
func (q *paramsQuery) Params(ctx context.Context, req *proposal.QueryParamsRequest) (*proposal.QueryParamsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	var d time.Duration
	switch {
	case req.Subspace == "staking" && req.Key == "UnbondingTime" && q.s.Staking != nil:
		d = q.s.Staking.Params(st.View).UnbondingPeriod
	case req.Subspace == "ccvconsumer" && req.Key == "UnbondingPeriod" && q.s.ConsumerUnbonding != nil:
		var ok bool
		if d, ok = q.s.ConsumerUnbonding(st.View); !ok {
			return nil, status.Error(codes.NotFound, "consumer parameters not set")
		}
	default:
		return nil, status.Errorf(codes.NotFound, "parameter %s/%s not served", req.Subspace, req.Key)
	}
	v := strconv.Quote(strconv.FormatInt(int64(d), 10))
	return &proposal.QueryParamsResponse{Param: proposal.ParamChange{Subspace: req.Subspace, Key: req.Key, Value: v}}, nil
}
