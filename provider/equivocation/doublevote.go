package equivocation

import (
	"bytes"
	"fmt"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// DoubleVote verifies evidence that one validator signed two different
// blocks at the same height, round and vote type on chainID, and returns
// the validator's consensus address (20 bytes) and ed25519 public key (32
// bytes), both freshly allocated.
//
// header is the header of the infraction block with its validator set;
// the caller must have verified it against its light client of chainID
// (ibc/client Keeper.VerifyHeader): DoubleVote only checks that the header
// is of chainID at the votes' height and that its validator set is the
// one its validators hash commits to, and takes the validator's key from
// that set. Its trusted height and trusted validators are not read.
//
// It returns an error wrapping ErrInvalidEvidence for a nil or malformed
// evidence or vote, ErrNotConflicting for votes that differ in height,
// round, type or validator or that are for the same block id,
// ErrInvalidHeader, ErrWrongChain or ErrWrongHeight for a header that is
// missing, malformed, of another chain or of another height,
// ErrUnknownValidator for a validator outside the header's validator set,
// ErrUnsupportedKey for a key that is not ed25519 and ErrInvalidSignature
// when either signature does not verify over chainID. The evidence's
// total voting power, validator power and timestamp are not checked, nor
// the votes' validator indexes and extensions: no signature covers them.
func DoubleVote(ev *cmtproto.DuplicateVoteEvidence, header *ibctm.Header, chainID string) (addr, pubKey []byte, err error) {
	if ev == nil {
		return nil, nil, fmt.Errorf("%w: nil duplicate vote evidence", ErrInvalidEvidence)
	}
	a, err := decodeVote(ev.VoteA)
	if err != nil {
		return nil, nil, fmt.Errorf("vote A: %w", err)
	}
	b, err := decodeVote(ev.VoteB)
	if err != nil {
		return nil, nil, fmt.Errorf("vote B: %w", err)
	}
	if err := votesConflict(a, b); err != nil {
		return nil, nil, err
	}
	vals, err := infractionValidators(header, chainID, a.Height)
	if err != nil {
		return nil, nil, err
	}
	_, val := vals.GetByAddress(a.ValidatorAddress)
	if val == nil {
		return nil, nil, fmt.Errorf("%w: %X at height %d", ErrUnknownValidator, a.ValidatorAddress, a.Height)
	}
	pk, ok := val.PubKey.(ed25519.PubKey)
	if !ok {
		return nil, nil, fmt.Errorf("%w: validator %X has a %s key", ErrUnsupportedKey, val.Address, val.PubKey.Type())
	}
	for _, v := range []struct {
		name string
		vote *cmttypes.Vote
	}{{"A", a}, {"B", b}} {
		if err := v.vote.Verify(chainID, pk); err != nil {
			return nil, nil, fmt.Errorf("%w: vote %s of %X on %q: %v", ErrInvalidSignature, v.name, val.Address, chainID, err)
		}
	}
	return bytes.Clone(val.Address), bytes.Clone(pk), nil
}

// decodeVote converts a vote and checks that it is well formed: basic
// validation, and a timestamp that its sign bytes can encode.
func decodeVote(pv *cmtproto.Vote) (*cmttypes.Vote, error) {
	if pv == nil {
		return nil, fmt.Errorf("%w: missing vote", ErrInvalidEvidence)
	}
	v, err := cmttypes.VoteFromProto(pv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	if err := v.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	if !encodableTime(v.Timestamp) {
		return nil, fmt.Errorf("%w: vote timestamp out of range", ErrInvalidEvidence)
	}
	return v, nil
}

// votesConflict returns nil if a and b are votes of one validator at the
// same height, round and type for different block ids, else an error
// wrapping ErrNotConflicting.
func votesConflict(a, b *cmttypes.Vote) error {
	switch {
	case a.Height != b.Height:
		return fmt.Errorf("%w: votes at heights %d and %d", ErrNotConflicting, a.Height, b.Height)
	case a.Round != b.Round:
		return fmt.Errorf("%w: votes in rounds %d and %d", ErrNotConflicting, a.Round, b.Round)
	case a.Type != b.Type:
		return fmt.Errorf("%w: votes of types %d and %d", ErrNotConflicting, a.Type, b.Type)
	case !bytes.Equal(a.ValidatorAddress, b.ValidatorAddress):
		return fmt.Errorf("%w: votes of validators %X and %X", ErrNotConflicting, a.ValidatorAddress, b.ValidatorAddress)
	case a.BlockID.Equals(b.BlockID):
		return fmt.Errorf("%w: both votes are for block %X", ErrNotConflicting, a.BlockID.Hash)
	}
	return nil
}

// infractionValidators checks that header is a header of chainID at
// height whose validator set hashes to its validators hash, and returns
// that set.
func infractionValidators(header *ibctm.Header, chainID string, height int64) (*cmttypes.ValidatorSet, error) {
	switch {
	case header == nil || header.SignedHeader == nil || header.SignedHeader.Header == nil:
		return nil, fmt.Errorf("%w: missing header", ErrInvalidHeader)
	case header.ValidatorSet == nil:
		return nil, fmt.Errorf("%w: missing validator set", ErrInvalidHeader)
	}
	h := header.SignedHeader.Header
	if h.ChainID != chainID {
		return nil, fmt.Errorf("%w: header of %q, evidence for %q", ErrWrongChain, h.ChainID, chainID)
	}
	if h.Height != height {
		return nil, fmt.Errorf("%w: header at %d, votes at %d", ErrWrongHeight, h.Height, height)
	}
	vals, err := validatorSet(header.ValidatorSet, h.ValidatorsHash)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	return vals, nil
}

// validatorSet converts a validator set and checks that it hashes to
// hash.
func validatorSet(p *cmtproto.ValidatorSet, hash []byte) (*cmttypes.ValidatorSet, error) {
	vals, err := cmttypes.ValidatorSetFromProto(p)
	if err != nil {
		return nil, fmt.Errorf("validator set: %v", err)
	}
	if got := vals.Hash(); !bytes.Equal(got, hash) {
		return nil, fmt.Errorf("validator set hashes to %X, header has %X", got, hash)
	}
	return vals, nil
}

// encodableTime reports whether t is within the range of a protobuf
// Timestamp (years 1 to 9999 UTC), which sign bytes need: CometBFT panics
// when it cannot encode the time of a vote it signs over.
func encodableTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}
