// Package txsim serves cosmos.tx.v1beta1.Service/Simulate over the gRPC
// query router, which stock relayers call to size a transaction's gas
// before they sign it.
//
// A simulation decodes the transaction in either envelope without
// checking its signature (relayers simulate with an empty one), runs the
// ante checks (account, public key, sequence, fee) and then the messages,
// each on a throwaway cache of the committed state the query reads, as
// the next block (height one above it, at the time of the last block)
// would run them. Nothing is written.
//
// icsd meters no gas, so the gas reported is a deterministic estimate of
// the transaction's size and work: GasUsed = BaseGas + GasPerByte × the
// transaction's encoded bytes + GasPerMsg × its messages. GasWanted is the
// gas limit the transaction names (zero when none). Relayers multiply the
// estimate by their gas adjustment and price it with their gas price; the
// chain only requires the fee to reach its minimum fee. Since clients
// simulate before they price the fee (the Go relayer with gas 0, so a fee
// of 0), a simulated transaction whose fee is zero or absent is charged the
// minimum fee instead of being refused, as the SDK's simulation skips its
// minimum gas price check.
//
// A transaction that fails answers a gRPC InvalidArgument error whose
// message is the pipeline's error (for a wrong sequence, the SDK's
// "account sequence mismatch, expected N, got M: incorrect account
// sequence"), so relayers see the same text as from CheckTx.
package txsim

import (
	"context"
	"errors"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/state"
)

// The gas estimate's constants (see the package documentation).
const (
	BaseGas    = 50_000
	GasPerByte = 10
	GasPerMsg  = 50_000
)

// Gas returns the gas estimate of a transaction of size bytes and msgs
// messages.
func Gas(size, msgs int) uint64 {
	return BaseGas + GasPerByte*uint64(size) + GasPerMsg*uint64(msgs)
}

// Chain is what a simulation runs: the chain's routes, ante checks and
// message handlers (an abci.Chain has them all).
type Chain interface {
	ChainID() string
	Handles(typeURL string) bool
	Ante(s state.Store, tx abci.Tx, size int) ([]abcitypes.Event, error)
	HandleMsg(s state.Store, b abci.Block, signer []byte, m abci.Msg) ([]abcitypes.Event, error)
}

// Service answers Simulate for a chain.
type Service struct {
	// Decode decodes a transaction without checking its signature
	// (app.Accounts.DecodeUnsignedTx).
	Decode func(raw []byte) (abci.Tx, error)
	Chain  Chain
}

// Registrar is where the service is registered: a grpcquery.Router.
type Registrar interface {
	RegisterService(sd *grpc.ServiceDesc, impl any)
}

// Register registers cosmos.tx.v1beta1.Service; only Simulate answers.
func (s *Service) Register(r Registrar) {
	txtypes.RegisterServiceServer(r, &server{s: s})
}

type server struct {
	txtypes.UnimplementedServiceServer
	s *Service
}

// Simulate runs a transaction on a cache of the committed state and
// answers its gas estimate and events.
func (q *server) Simulate(ctx context.Context, req *txtypes.SimulateRequest) (*txtypes.SimulateResponse, error) {
	st, ok := grpcquery.StateFrom(ctx)
	if !ok {
		return nil, status.Error(codes.Internal, grpcquery.ErrNoState.Error())
	}
	raw := req.TxBytes
	if len(raw) == 0 && req.Tx != nil { //nolint:staticcheck // the deprecated field is still sent by old clients
		var err error
		if raw, err = encodeTx(req.Tx); err != nil { //nolint:staticcheck // as above
			return nil, status.Errorf(codes.InvalidArgument, "tx: %v", err)
		}
	}
	if len(raw) == 0 {
		return nil, status.Error(codes.InvalidArgument, "empty tx")
	}
	gas, events, err := q.s.run(st, raw)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &txtypes.SimulateResponse{GasInfo: &gas, Result: &sdk.Result{Events: events}}, nil
}

// run decodes raw and runs it on a cache of st.View. It returns the gas
// estimate and the gas limit the transaction names, and the events.
func (s *Service) run(st grpcquery.State, raw []byte) (sdk.GasInfo, []abcitypes.Event, error) {
	var gas sdk.GasInfo
	tx, err := s.Decode(raw)
	if err != nil {
		return gas, nil, err
	}
	for i, m := range tx.Msgs() {
		if !s.Chain.Handles(m.TypeURL) {
			return gas, nil, fmt.Errorf("%w: message %d: %q", abci.ErrUnknownMessage, i, m.TypeURL)
		}
	}
	c := state.NewCache(st.View)
	events, err := s.Chain.Ante(c, tx, len(raw))
	if err != nil {
		return gas, nil, err
	}
	b := abci.Block{ChainID: s.Chain.ChainID(), Height: st.View.Version() + 1, Time: st.Now, AppHash: st.View.Hash()}
	for i, m := range tx.Msgs() {
		evs, err := s.Chain.HandleMsg(c, b, tx.Signer(), m)
		if err != nil {
			return gas, nil, fmt.Errorf("message %d (%s): %w", i, m.TypeURL, err)
		}
		events = append(events, evs...)
	}
	gas.GasUsed = Gas(len(raw), len(tx.Msgs()))
	if g, ok := tx.(interface{ GasLimit() uint64 }); ok {
		gas.GasWanted = g.GasLimit()
	}
	return gas, events, nil
}

// encodeTx encodes the deprecated decoded form of a request as a TxRaw.
func encodeTx(t *txtypes.Tx) ([]byte, error) {
	if t.Body == nil || t.AuthInfo == nil {
		return nil, errors.New("body or auth info missing")
	}
	body, err := t.Body.Marshal()
	if err != nil {
		return nil, err
	}
	ai, err := t.AuthInfo.Marshal()
	if err != nil {
		return nil, err
	}
	return (&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: ai, Signatures: t.Signatures}).Marshal()
}
