package client

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/state"
)

// maxPrunePerUpdate bounds the expired consensus states one update
// removes, so that the work of one transaction stays bounded; every update
// adds at most one consensus state, so the backlog still shrinks.
const maxPrunePerUpdate = 32

// Event types and attribute keys, as in ibc-go.
const (
	EventTypeCreateClient       = "create_client"
	EventTypeUpdateClient       = "update_client"
	EventTypeSubmitMisbehaviour = "client_misbehaviour"

	AttributeKeyClientID         = "client_id"
	AttributeKeyClientType       = "client_type"
	AttributeKeyConsensusHeight  = "consensus_height"
	AttributeKeyConsensusHeights = "consensus_heights"
)

func clientEvent(typ, clientID string, h clienttypes.Height, extra ...abci.EventAttribute) abci.Event {
	return abci.Event{Type: typ, Attributes: append([]abci.EventAttribute{
		{Key: AttributeKeyClientID, Value: clientID, Index: true},
		{Key: AttributeKeyClientType, Value: ClientType, Index: true},
		{Key: AttributeKeyConsensusHeight, Value: h.String(), Index: true},
	}, extra...)}
}

func updateEvent(clientID string, heights ...clienttypes.Height) abci.Event {
	hs := make([]string, len(heights))
	for i, h := range heights {
		hs[i] = h.String()
	}
	return clientEvent(EventTypeUpdateClient, clientID, heights[0],
		abci.EventAttribute{Key: AttributeKeyConsensusHeights, Value: strings.Join(hs, ","), Index: true})
}

// freeze freezes the client and returns the misbehaviour event.
func freeze(st state.KVStore, clientID string, cs *ibctm.ClientState, h clienttypes.Height) []abci.Event {
	cs.FrozenHeight = frozenHeight
	setClientState(st, clientID, cs)
	return []abci.Event{clientEvent(EventTypeSubmitMisbehaviour, clientID, h)}
}

// UpdateClient verifies header h against the client's consensus state at
// h.TrustedHeight and stores the consensus state of h at h's height.
//
// The client must exist (ErrClientNotFound) and be active at now
// (ErrClientNotActive, with ErrClientFrozen or ErrClientExpired). The
// header must be complete (ErrInvalidHeader), of the client's chain
// (ErrChainIDMismatch), above its trusted height in the same revision
// (ErrInvalidHeaderHeight); the consensus state at the trusted height must
// exist (ErrConsensusStateNotFound), its next validators hash must be the
// hash of h.TrustedValidators (ErrInvalidTrustedValidators) and it must be
// within the trusting period (ErrTrustingPeriodExpired); h's time must be
// before now + max clock drift (ErrHeaderInFuture) and after the trusted
// time. For the height right after the trusted one, h's validators must be
// the trusted next validators and +2/3 of them must have signed; for a
// later height, the trust level (1/3 by default) of the trusted validators
// must have signed (ErrInsufficientTrust) and +2/3 of h's validators
// (ErrInvalidHeader). Nothing is written on error.
//
// A verified header that conflicts with what the client holds is evidence
// of misbehaviour: a different consensus state at the same height, or a
// time not strictly between those of the neighbouring consensus states.
// The client is then frozen and the client_misbehaviour event returned,
// without error. A header whose consensus state is already stored changes
// nothing and returns the update_client event again.
//
// Otherwise the consensus state is stored with its metadata (processed
// time now and height), the latest height raised if h is above it, and
// consensus states past the trusting period are pruned, oldest first,
// always keeping the one at the latest height.
func (Keeper) UpdateClient(s state.Store, height int64, now time.Time, clientID string, h *ibctm.Header) ([]abci.Event, error) {
	st := kv(s)
	cs, ok := getClientState(st, clientID)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrClientNotFound, clientID)
	}
	if err := checkActive(st, clientID, cs, now); err != nil {
		return nil, err
	}
	d, err := decodeHeader(cs, h)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", clientID, err)
	}
	trusted, ok := getConsensusState(st, clientID, d.trusted)
	if !ok {
		return nil, fmt.Errorf("update %s: %w: trusted height %s", clientID, ErrConsensusStateNotFound, d.trusted)
	}
	if err := verifyHeader(cs, trusted, d, now); err != nil {
		return nil, fmt.Errorf("update %s to %s: %w", clientID, d.height, err)
	}

	cons := ConsensusStateFromHeader(d.signed.Header)
	consBz, err := EncodeConsensusState(cons)
	if err != nil {
		return nil, fmt.Errorf("update %s: %w: %v", clientID, ErrInvalidHeader, err)
	}
	if old := st.Get(consensusStateKey(clientID, d.height)); old != nil {
		if bytes.Equal(old, consBz) {
			return []abci.Event{updateEvent(clientID, d.height)}, nil
		}
		return freeze(st, clientID, cs, d.height), nil
	}
	if !timeFits(st, clientID, d.height, cons.Timestamp) {
		return freeze(st, clientID, cs, d.height), nil
	}

	prune(st, clientID, cs, now)
	setConsensusState(st, clientID, d.height, consBz, height, now)
	if d.height.GT(cs.LatestHeight) {
		cs.LatestHeight = d.height
		setClientState(st, clientID, cs)
	}
	return []abci.Event{updateEvent(clientID, d.height)}, nil
}

// timeFits reports whether a consensus state at height h (where none is
// stored) with time t keeps the client's consensus state times strictly
// increasing with height.
func timeFits(st state.KVStore, clientID string, h clienttypes.Height, t time.Time) bool {
	p := consensusMetaPrefix(clientID)
	at := append(bytes.Clone(p), heightBytes(h)...)
	if prev, ok := neighbour(st, clientID, p, st.ReverseIterator(p, at)); ok && !prev.Timestamp.Before(t) {
		return false
	}
	if next, ok := neighbour(st, clientID, p, st.Iterator(at, state.PrefixEnd(p))); ok && !next.Timestamp.After(t) {
		return false
	}
	return true
}

// neighbour returns the consensus state at the first position of it.
func neighbour(st state.KVStore, clientID string, p []byte, it state.Iterator) (*ibctm.ConsensusState, bool) {
	defer it.Close()
	if !it.Valid() {
		return nil, false
	}
	h, ok := heightFromMetaKey(p, it.Key())
	if !ok {
		panic(fmt.Sprintf("client: malformed consensus metadata key %x", it.Key()))
	}
	cons, ok := getConsensusState(st, clientID, h)
	if !ok {
		panic(fmt.Sprintf("client: metadata of %s at %s without a consensus state", clientID, h))
	}
	return cons, true
}

// prune removes expired consensus states of the client, oldest first, up
// to maxPrunePerUpdate of them, never the one at the latest height. Times
// increase with height, so it stops at the first one that is not expired.
func prune(st state.KVStore, clientID string, cs *ibctm.ClientState, now time.Time) {
	p := consensusMetaPrefix(clientID)
	var doomed []clienttypes.Height
	it := st.Iterator(p, state.PrefixEnd(p))
	for ; it.Valid() && len(doomed) < maxPrunePerUpdate; it.Next() {
		h, ok := heightFromMetaKey(p, it.Key())
		if !ok {
			panic(fmt.Sprintf("client: malformed consensus metadata key %x", it.Key()))
		}
		if h.EQ(cs.LatestHeight) {
			break
		}
		cons, ok := getConsensusState(st, clientID, h)
		if !ok {
			panic(fmt.Sprintf("client: metadata of %s at %s without a consensus state", clientID, h))
		}
		if !expired(cs, cons.Timestamp, now) {
			break
		}
		doomed = append(doomed, h)
	}
	if err := it.Close(); err != nil {
		panic(fmt.Sprintf("client: iterating consensus states of %s: %v", clientID, err))
	}
	for _, h := range doomed {
		deleteConsensusState(st, clientID, h)
	}
}
