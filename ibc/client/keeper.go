package client

import (
	"fmt"
	"math"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// Keeper creates, updates and freezes 07-tendermint clients in the "ibc"
// store and verifies proofs against them. It holds no state of its own:
// every method takes the store it works on, and the time and height of the
// block it runs in.
type Keeper struct{}

// Status is the status of a client.
type Status string

// Client statuses, with ibc-go's names.
const (
	// Active clients can be updated and verify proofs.
	Active Status = "Active"
	// Frozen clients have seen misbehaviour; they never become active
	// again.
	Frozen Status = "Frozen"
	// Expired clients have not been updated within the trusting period.
	Expired Status = "Expired"
	// Unknown is the status of a client that does not exist.
	Unknown Status = "Unknown"
)

// frozenHeight is the frozen height of a frozen client, as in ibc-go: only
// its being non-zero matters.
var frozenHeight = clienttypes.NewHeight(0, 1)

func kv(s state.Store) state.KVStore { return s.KV(commitment.StoreName) }

func getClientState(st state.KVStore, clientID string) (*ibctm.ClientState, bool) {
	if !validClientID(clientID) {
		return nil, false
	}
	bz := st.Get(clientStateKey(clientID))
	if bz == nil {
		return nil, false
	}
	cs, err := DecodeClientState(bz)
	if err != nil {
		panic(fmt.Sprintf("ibc/client: client %s: %v", clientID, err)) // the store holds only what setClientState wrote
	}
	return cs, true
}

func setClientState(st state.KVStore, clientID string, cs *ibctm.ClientState) {
	bz, err := EncodeClientState(cs)
	if err != nil {
		panic(fmt.Sprintf("ibc/client: encode client %s: %v", clientID, err))
	}
	st.Set(clientStateKey(clientID), bz)
}

func getConsensusState(st state.KVStore, clientID string, h clienttypes.Height) (*ibctm.ConsensusState, bool) {
	bz := st.Get(consensusStateKey(clientID, h))
	if bz == nil {
		return nil, false
	}
	cons, err := DecodeConsensusState(bz)
	if err != nil {
		panic(fmt.Sprintf("ibc/client: consensus state of %s at %s: %v", clientID, h, err))
	}
	return cons, true
}

// setConsensusState stores the consensus state (already encoded as bz by
// EncodeConsensusState) and its metadata, which also indexes it by height.
func setConsensusState(st state.KVStore, clientID string, h clienttypes.Height, bz []byte, height int64, now time.Time) {
	st.Set(consensusStateKey(clientID, h), bz)
	meta := ConsensusMetadata{ProcessedTime: now.UnixNano(), ProcessedHeight: height}
	typed.Set(st, ConsensusMetaKey(clientID, h), &meta)
}

// deleteConsensusState removes the consensus state and its metadata.
func deleteConsensusState(st state.KVStore, clientID string, h clienttypes.Height) {
	st.Delete(consensusStateKey(clientID, h))
	st.Delete(ConsensusMetaKey(clientID, h))
}

func getMeta(st state.KVStore, clientID string, h clienttypes.Height) (ConsensusMetadata, bool) {
	if !validClientID(clientID) {
		return ConsensusMetadata{}, false
	}
	return typed.Get[ConsensusMetadata](st, ConsensusMetaKey(clientID, h))
}

// expired reports whether a consensus state with timestamp t is past the
// trusting period at now: t + trusting period <= now.
func expired(cs *ibctm.ClientState, t, now time.Time) bool {
	return !t.Add(cs.TrustingPeriod).After(now)
}

// status computes the status of a client whose state is cs.
func status(st state.KVStore, clientID string, cs *ibctm.ClientState, now time.Time) Status {
	if !cs.FrozenHeight.IsZero() {
		return Frozen
	}
	cons, ok := getConsensusState(st, clientID, cs.LatestHeight)
	if !ok || expired(cs, cons.Timestamp, now) {
		return Expired
	}
	return Active
}

// checkActive returns nil for an active client, else an error wrapping
// ErrClientNotActive and ErrClientFrozen or ErrClientExpired.
func checkActive(st state.KVStore, clientID string, cs *ibctm.ClientState, now time.Time) error {
	switch status(st, clientID, cs, now) {
	case Active:
		return nil
	case Frozen:
		return fmt.Errorf("%w: %s: %w", ErrClientNotActive, clientID, ErrClientFrozen)
	default:
		return fmt.Errorf("%w: %s: %w at %s", ErrClientNotActive, clientID, ErrClientExpired, now.UTC().Format(time.RFC3339Nano))
	}
}

// Status returns the status of the client at time now: Frozen once
// misbehaviour was seen, Expired when the consensus state at the latest
// height is missing or its timestamp plus the trusting period is not after
// now, Unknown for a client that does not exist, else Active.
func (Keeper) Status(s state.Store, clientID string, now time.Time) Status {
	st := kv(s)
	cs, ok := getClientState(st, clientID)
	if !ok {
		return Unknown
	}
	return status(st, clientID, cs, now)
}

// ClientState returns the client state of clientID.
func (Keeper) ClientState(s state.Store, clientID string) (*ibctm.ClientState, bool) {
	return getClientState(kv(s), clientID)
}

// ConsensusState returns the consensus state of clientID at height h.
func (Keeper) ConsensusState(s state.Store, clientID string, h clienttypes.Height) (*ibctm.ConsensusState, bool) {
	if !validClientID(clientID) {
		return nil, false
	}
	return getConsensusState(kv(s), clientID, h)
}

// LatestHeight returns the latest height of clientID, or the zero height
// if the client does not exist.
func (Keeper) LatestHeight(s state.Store, clientID string) clienttypes.Height {
	cs, ok := getClientState(kv(s), clientID)
	if !ok {
		return clienttypes.ZeroHeight()
	}
	return cs.LatestHeight
}

// ConsensusStateTimestamp returns the timestamp, in Unix nanoseconds, of
// the consensus state of clientID at height h. It returns
// ErrConsensusStateNotFound if there is none.
func (k Keeper) ConsensusStateTimestamp(s state.Store, clientID string, h clienttypes.Height) (uint64, error) {
	cons, ok := k.ConsensusState(s, clientID, h)
	if !ok {
		return 0, fmt.Errorf("%w: client %s at height %s", ErrConsensusStateNotFound, clientID, h)
	}
	return uint64(cons.Timestamp.UnixNano()), nil
}

// ProcessedTime returns the block time at which the consensus state of
// clientID at height h was added.
func (Keeper) ProcessedTime(s state.Store, clientID string, h clienttypes.Height) (time.Time, bool) {
	meta, ok := getMeta(kv(s), clientID, h)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, meta.ProcessedTime).UTC(), true
}

// ProcessedHeight returns the block height at which the consensus state of
// clientID at height h was added.
func (Keeper) ProcessedHeight(s state.Store, clientID string, h clienttypes.Height) (int64, bool) {
	meta, ok := getMeta(kv(s), clientID, h)
	return meta.ProcessedHeight, ok
}

// ConsensusHeights returns the heights of all consensus states of
// clientID, ascending. Their number is bounded by pruning (see
// UpdateClient).
func (Keeper) ConsensusHeights(s state.Store, clientID string) []clienttypes.Height {
	if !validClientID(clientID) {
		return nil
	}
	p := consensusMetaPrefix(clientID)
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []clienttypes.Height
	for ; it.Valid(); it.Next() {
		h, ok := heightFromMetaKey(p, it.Key())
		if !ok {
			panic(fmt.Sprintf("client: malformed consensus metadata key %x", it.Key()))
		}
		out = append(out, h)
	}
	return out
}

// CreateClient stores a new client with its initial consensus state at
// the client state's latest height and returns the client's identifier,
// "07-tendermint-N" with N counting the clients created before.
//
// It returns an error wrapping ErrInvalidClientState or
// ErrInvalidConsensusState if either fails ValidateClientState or
// ValidateConsensusState, and ErrClientExpired if the consensus state is
// already past the trusting period at now. Nothing is written on error.
func (Keeper) CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error) {
	if err := ValidateClientState(cs); err != nil {
		return "", err
	}
	if err := ValidateConsensusState(cons); err != nil {
		return "", err
	}
	if expired(cs, cons.Timestamp, now) {
		return "", fmt.Errorf("%w: consensus state of %s + trusting period %s is not after %s",
			ErrClientExpired, cons.Timestamp.UTC().Format(time.RFC3339Nano), cs.TrustingPeriod, now.UTC().Format(time.RFC3339Nano))
	}
	consBz, err := EncodeConsensusState(cons)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidConsensusState, err)
	}
	st := kv(s)
	seq, _ := typed.Get[ClientSequence](st, clientSequenceKey())
	if seq.Next == math.MaxUint64 {
		panic("client: client sequence exhausted")
	}
	clientID := ClientID(seq.Next)
	seq.Next++
	typed.Set(st, clientSequenceKey(), &seq)
	setClientState(st, clientID, cs)
	setConsensusState(st, clientID, cs.LatestHeight, consBz, height, now)
	return clientID, nil
}

// ClientIDs returns the identifiers of the clients created, in creation
// order (which is not their byte order: 07-tendermint-10 comes after
// 07-tendermint-9).
func (Keeper) ClientIDs(s state.Store) []string {
	seq, _ := typed.Get[ClientSequence](kv(s), clientSequenceKey())
	out := make([]string, 0, seq.Next)
	for n := range seq.Next {
		out = append(out, ClientID(n))
	}
	return out
}
