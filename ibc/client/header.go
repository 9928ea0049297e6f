package client

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/cometbft/cometbft/light"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/client/lightverify"
)

// header is an ibc-go Header converted to CometBFT types.
type header struct {
	signed      *cmttypes.SignedHeader
	vals        *cmttypes.ValidatorSet
	trustedVals *cmttypes.ValidatorSet
	height      clienttypes.Height // the header's height, in the client's revision
	trusted     clienttypes.Height // the height of the consensus state it is verified against
	// valsHash is vals.Hash() once computed (checkTrusted computes it
	// when the trusted validators are the header's), else nil.
	valsHash []byte
}

// recoverInvalid turns a panic in CometBFT's decoding or verification of
// adversarial input into an ErrInvalidHeader error, so that no transaction
// can panic the chain.
func recoverInvalid(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: malformed: %v", ErrInvalidHeader, r)
	}
}

// decodeHeader checks that h is a complete header of the client's chain
// and converts it. It does not check signatures or the trusted state.
func decodeHeader(cs *ibctm.ClientState, h *ibctm.Header) (d *header, err error) {
	defer func() {
		if err != nil {
			d = nil
		}
	}()
	defer recoverInvalid(&err)
	switch {
	case h == nil || h.SignedHeader == nil || h.SignedHeader.Header == nil:
		return nil, fmt.Errorf("%w: missing signed header", ErrInvalidHeader)
	case h.SignedHeader.Commit == nil:
		return nil, fmt.Errorf("%w: missing commit", ErrInvalidHeader)
	case h.ValidatorSet == nil:
		return nil, fmt.Errorf("%w: missing validator set", ErrInvalidHeader)
	case h.TrustedValidators == nil:
		return nil, fmt.Errorf("%w: missing trusted validators", ErrInvalidHeader)
	case h.SignedHeader.Header.ChainID != cs.ChainId:
		return nil, fmt.Errorf("%w: chain id %q, client is of %q", ErrChainIDMismatch, h.SignedHeader.Header.ChainID, cs.ChainId)
	case h.SignedHeader.Header.Height <= 0:
		return nil, fmt.Errorf("%w: height %d", ErrInvalidHeaderHeight, h.SignedHeader.Header.Height)
	}
	revision := clienttypes.ParseChainID(cs.ChainId)
	d = &header{
		height:  clienttypes.NewHeight(revision, uint64(h.SignedHeader.Header.Height)),
		trusted: h.TrustedHeight,
	}
	if d.trusted.RevisionNumber != revision {
		return nil, fmt.Errorf("%w: trusted height %s is not in revision %d", ErrInvalidHeaderHeight, d.trusted, revision)
	}
	if !d.height.GT(d.trusted) {
		return nil, fmt.Errorf("%w: header height %s is not above the trusted height %s", ErrInvalidHeaderHeight, d.height, d.trusted)
	}
	if d.signed, err = cmttypes.SignedHeaderFromProto(h.SignedHeader); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	if d.vals, err = cmttypes.ValidatorSetFromProto(h.ValidatorSet); err != nil {
		return nil, fmt.Errorf("%w: validator set: %v", ErrInvalidHeader, err)
	}
	if sameValidators(h.TrustedValidators, h.ValidatorSet) {
		d.trustedVals = d.vals
	} else if d.trustedVals, err = cmttypes.ValidatorSetFromProto(h.TrustedValidators); err != nil {
		return nil, fmt.Errorf("%w: trusted validators: %v", ErrInvalidTrustedValidators, err)
	}
	return d, nil
}

// sameValidators reports whether two validator sets have the same
// validators (address, public key and power, in the same order), which is
// all that their hashes and commit verification depend on. The common
// update where the validator set did not change then converts it once.
func sameValidators(a, b *cmtproto.ValidatorSet) bool {
	if a == b {
		return true
	}
	if len(a.Validators) != len(b.Validators) {
		return false
	}
	for i, va := range a.Validators {
		vb := b.Validators[i]
		if va == nil || vb == nil || va.VotingPower != vb.VotingPower || !bytes.Equal(va.Address, vb.Address) || !va.PubKey.Equal(&vb.PubKey) {
			return false
		}
	}
	return true
}

// checkTrusted checks the header's trusted validators against the trusted
// consensus state and that the latter is within the trusting period.
func checkTrusted(cs *ibctm.ClientState, trusted *ibctm.ConsensusState, d *header, now time.Time) error {
	got := d.trustedVals.Hash()
	if d.trustedVals == d.vals {
		d.valsHash = got
	}
	if !bytes.Equal(got, trusted.NextValidatorsHash) {
		return fmt.Errorf("%w: trusted validators hash to %X, the consensus state at %s has %X",
			ErrInvalidTrustedValidators, got, d.trusted, trusted.NextValidatorsHash)
	}
	if expired(cs, trusted.Timestamp, now) {
		return fmt.Errorf("%w: consensus state at %s has time %s, trusting period %s, now %s", ErrTrustingPeriodExpired,
			d.trusted, trusted.Timestamp.UTC().Format(time.RFC3339Nano), cs.TrustingPeriod, now.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// verifyHeader runs the light client verification of d against the
// trusted consensus state: sequential verification for the next height,
// skipping verification (trust level of the trusted validators, +2/3 of
// the new ones) otherwise. It decides and fails as light.VerifyAdjacent
// and light.VerifyNonAdjacent would, through package lightverify, which
// verifies the signatures on several cores.
func verifyHeader(cs *ibctm.ClientState, trusted *ibctm.ConsensusState, d *header, now time.Time) (err error) {
	if err := checkTrusted(cs, trusted, d, now); err != nil {
		return err
	}
	if t := d.signed.Time; !t.Before(now.Add(cs.MaxClockDrift)) {
		return fmt.Errorf("%w: header time %s, now %s, max clock drift %s", ErrHeaderInFuture,
			t.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), cs.MaxClockDrift)
	}
	defer recoverInvalid(&err)
	th := &cmttypes.SignedHeader{Header: &cmttypes.Header{
		ChainID:            cs.ChainId,
		Height:             int64(d.trusted.RevisionHeight),
		Time:               trusted.Timestamp,
		NextValidatorsHash: trusted.NextValidatorsHash,
	}}
	if d.height.RevisionHeight == d.trusted.RevisionHeight+1 {
		err = lightverify.VerifyAdjacent(th, d.signed, d.vals, d.valsHash, cs.TrustingPeriod, now, cs.MaxClockDrift)
	} else {
		err = lightverify.VerifyNonAdjacent(th, d.trustedVals, d.signed, d.vals, d.valsHash,
			cs.TrustingPeriod, now, cs.MaxClockDrift, cs.TrustLevel.ToTendermint())
	}
	return lightError(err)
}

// lightError maps an error of the light package to this package's errors.
func lightError(err error) error {
	if err == nil {
		return nil
	}
	var (
		expiredErr light.ErrOldHeaderExpired
		trustErr   light.ErrNewValSetCantBeTrusted
		headerErr  light.ErrInvalidHeader
	)
	switch {
	case errors.As(err, &expiredErr):
		return fmt.Errorf("%w: %v", ErrTrustingPeriodExpired, err)
	case errors.As(err, &trustErr):
		return fmt.Errorf("%w: %v", ErrInsufficientTrust, err)
	case errors.As(err, &headerErr):
		return fmt.Errorf("%w: %v", ErrInvalidHeader, headerErr.Reason)
	default:
		return fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
}
