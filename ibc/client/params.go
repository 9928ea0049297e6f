package client

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cometbft/cometbft/light"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
	ics23 "github.com/cosmos/ics23/go"
)

// DefaultTrustLevel is the trust level of clients made by NewClientState:
// 1/3 of the trusted voting power must sign a header that skips heights.
var DefaultTrustLevel = ibctm.Fraction{Numerator: 1, Denominator: 3}

// sdkSpecBytes are the encoded SDK proof specs, the only specs a client
// may have: the IBC state of every chain here is proven with them.
var sdkSpecBytes = func() [][]byte {
	specs := commitmenttypes.GetSDKSpecs()
	out := make([][]byte, len(specs))
	for i, sp := range specs {
		bz, err := sp.Marshal()
		if err != nil {
			panic(fmt.Sprintf("client: marshal SDK proof spec: %v", err))
		}
		out[i] = bz
	}
	return out
}()

// NewClientState returns the state of a client of chainID whose initial
// consensus state is at height latest, with the default trust level (1/3)
// and the SDK proof specs.
func NewClientState(chainID string, latest clienttypes.Height, trustingPeriod, unbondingPeriod, maxClockDrift time.Duration) *ibctm.ClientState {
	return &ibctm.ClientState{
		ChainId:         chainID,
		TrustLevel:      DefaultTrustLevel,
		TrustingPeriod:  trustingPeriod,
		UnbondingPeriod: unbondingPeriod,
		MaxClockDrift:   maxClockDrift,
		LatestHeight:    latest,
		ProofSpecs:      []*ics23.ProofSpec{ics23.IavlSpec, ics23.TendermintSpec},
	}
}

// ConsensusStateFromHeader returns the consensus state that a client
// stores for header h: its time, its app hash as the commitment root (the
// state after block h.Height-1) and the hash of the validators of the next
// block.
func ConsensusStateFromHeader(h *cmttypes.Header) *ibctm.ConsensusState {
	return &ibctm.ConsensusState{
		Timestamp:          h.Time,
		Root:               commitmenttypes.NewMerkleRoot(bytes.Clone(h.AppHash)),
		NextValidatorsHash: bytes.Clone(h.NextValidatorsHash),
	}
}

// ValidateClientState checks a client state for CreateClient: a non-empty
// chain id of at most 50 bytes, a trust level in [1/3, 1], positive
// trusting period, unbonding period and max clock drift, a trusting period
// shorter than the unbonding period, a non-zero latest height whose
// revision is the chain id's, a zero frozen height and exactly the SDK
// proof specs. The upgrade path is not used. It returns an error wrapping
// ErrInvalidClientState.
func ValidateClientState(cs *ibctm.ClientState) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidClientState, fmt.Sprintf(format, args...))
	}
	switch {
	case cs == nil:
		return invalid("nil client state")
	case strings.TrimSpace(cs.ChainId) == "" || cs.ChainId != strings.TrimSpace(cs.ChainId):
		return invalid("chain id %q is empty or has surrounding spaces", cs.ChainId)
	case len(cs.ChainId) > cmttypes.MaxChainIDLen:
		return invalid("chain id is %d bytes, at most %d allowed", len(cs.ChainId), cmttypes.MaxChainIDLen)
	}
	if err := light.ValidateTrustLevel(cs.TrustLevel.ToTendermint()); err != nil {
		return invalid("%v", err)
	}
	switch {
	case cs.TrustingPeriod <= 0:
		return invalid("trusting period %s is not positive", cs.TrustingPeriod)
	case cs.UnbondingPeriod <= 0:
		return invalid("unbonding period %s is not positive", cs.UnbondingPeriod)
	case cs.MaxClockDrift <= 0:
		return invalid("max clock drift %s is not positive", cs.MaxClockDrift)
	case cs.TrustingPeriod >= cs.UnbondingPeriod:
		return invalid("trusting period %s is not shorter than the unbonding period %s", cs.TrustingPeriod, cs.UnbondingPeriod)
	case cs.LatestHeight.RevisionHeight == 0:
		return invalid("latest height %s is zero", cs.LatestHeight)
	case cs.LatestHeight.RevisionHeight > math.MaxInt64:
		return invalid("latest height %s is not a block height", cs.LatestHeight)
	case cs.LatestHeight.RevisionNumber != clienttypes.ParseChainID(cs.ChainId):
		return invalid("latest height revision %d is not the revision %d of chain id %q",
			cs.LatestHeight.RevisionNumber, clienttypes.ParseChainID(cs.ChainId), cs.ChainId)
	case !cs.FrozenHeight.IsZero():
		return invalid("client state is frozen at %s", cs.FrozenHeight)
	case len(cs.ProofSpecs) != len(sdkSpecBytes):
		return invalid("%d proof specs, want the %d SDK specs", len(cs.ProofSpecs), len(sdkSpecBytes))
	}
	for i, sp := range cs.ProofSpecs {
		if sp == nil {
			return invalid("proof spec %d is nil", i)
		}
		bz, err := sp.Marshal()
		if err != nil || !bytes.Equal(bz, sdkSpecBytes[i]) {
			return invalid("proof spec %d is not the SDK spec", i)
		}
	}
	return nil
}

// ValidateConsensusState checks a consensus state for CreateClient: a
// 32-byte root, a 32-byte next validators hash and a timestamp after the
// Unix epoch. It returns an error wrapping ErrInvalidConsensusState.
func ValidateConsensusState(cons *ibctm.ConsensusState) error {
	switch {
	case cons == nil:
		return fmt.Errorf("%w: nil consensus state", ErrInvalidConsensusState)
	case len(cons.Root.Hash) != 32:
		return fmt.Errorf("%w: root is %d bytes, want 32", ErrInvalidConsensusState, len(cons.Root.Hash))
	case len(cons.NextValidatorsHash) != 32:
		return fmt.Errorf("%w: next validators hash is %d bytes, want 32", ErrInvalidConsensusState, len(cons.NextValidatorsHash))
	case cons.Timestamp.Unix() <= 0:
		return fmt.Errorf("%w: timestamp %s is not after the Unix epoch", ErrInvalidConsensusState, cons.Timestamp)
	}
	return nil
}
