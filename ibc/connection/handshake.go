package connection

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// Prefix is this chain's commitment prefix: the name of the IBC store.
// Counterparties must use the same prefix, since the client layer proves
// paths in the "ibc" store only.
func Prefix() commitmenttypes.MerklePrefix {
	return commitmenttypes.NewMerklePrefix([]byte(StoreName))
}

// CompatibleVersions returns the connection versions this chain supports:
// version "1" with the ORDER_ORDERED and ORDER_UNORDERED features.
func CompatibleVersions() []*connectiontypes.Version {
	return cloneVersions(connectiontypes.GetCompatibleVersions())
}

func cloneVersions(vs []*connectiontypes.Version) []*connectiontypes.Version {
	out := make([]*connectiontypes.Version, len(vs))
	for i, v := range vs {
		out[i] = &connectiontypes.Version{Identifier: v.Identifier, Features: append([]string(nil), v.Features...)}
	}
	return out
}

// checkCounterparty validates a connection counterparty; withConnection
// says whether its connection id must be set (Try) or empty (Init).
func checkCounterparty(c connectiontypes.Counterparty, withConnection bool) error {
	if err := validateClientID(c.ClientId); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCounterparty, err)
	}
	if withConnection {
		if err := validateConnectionID(c.ConnectionId); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidCounterparty, err)
		}
	} else if c.ConnectionId != "" {
		return fmt.Errorf("%w: connection id %q must be empty", ErrInvalidCounterparty, c.ConnectionId)
	}
	if !bytes.Equal(c.Prefix.KeyPrefix, []byte(StoreName)) {
		return fmt.Errorf("%w: commitment prefix %q, want %q", ErrInvalidCounterparty, c.Prefix.KeyPrefix, StoreName)
	}
	return nil
}

// ConnOpenInit starts a connection handshake with the chain tracked by
// clientID, whose client of this chain is counterparty.ClientId, and
// returns the new connection id. A nil version proposes all compatible
// versions. The delay period is 0. Errors: ErrInvalidIdentifier,
// ErrInvalidCounterparty, ErrInvalidVersion, ErrClientNotActive.
func (k *Keeper) ConnOpenInit(s state.Store, now time.Time, clientID string, counterparty connectiontypes.Counterparty, version *connectiontypes.Version) (string, []abci.Event, error) {
	var id string
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		if err := validateClientID(clientID); err != nil {
			return nil, err
		}
		if err := checkCounterparty(counterparty, false); err != nil {
			return nil, err
		}
		versions := CompatibleVersions()
		if version != nil {
			if err := validateConnectionVersion(version); err != nil {
				return nil, err
			}
			if !connectiontypes.IsSupportedVersion(versions, version) {
				return nil, fmt.Errorf("%w: %s is not supported", ErrInvalidVersion, version)
			}
			versions = cloneVersions([]*connectiontypes.Version{version})
		}
		if err := k.clientActive(c, clientID, now); err != nil {
			return nil, err
		}
		id = nextID(c)
		conn := connectiontypes.NewConnectionEnd(connectiontypes.INIT, clientID, counterparty, versions, 0)
		setConnection(c, id, conn)
		return []abci.Event{connectionEvent(EventConnectionOpenInit, id, conn)}, nil
	})
	if err != nil {
		return "", nil, err
	}
	return id, events, nil
}

// ConnOpenTry answers the counterparty's ConnOpenInit: it verifies that
// the counterparty stored, at proofHeight, the connection end
// counterparty.ConnectionId in state INIT with our client and prefix and
// counterpartyVersions, picks a version and stores a TRYOPEN end. Errors:
// ErrInvalidIdentifier, ErrInvalidCounterparty, ErrInvalidVersion,
// ErrInvalidHeight, ErrClientNotActive, ErrInvalidProof.
func (k *Keeper) ConnOpenTry(s state.Store, now time.Time, clientID string, counterparty connectiontypes.Counterparty, counterpartyVersions []*connectiontypes.Version, proof []byte, proofHeight clienttypes.Height) (string, []abci.Event, error) {
	var id string
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		if err := validateClientID(clientID); err != nil {
			return nil, err
		}
		if err := checkCounterparty(counterparty, true); err != nil {
			return nil, err
		}
		if n := len(counterpartyVersions); n == 0 || n > MaxCounterpartyVersions {
			return nil, fmt.Errorf("%w: %d counterparty versions, want 1 to %d", ErrInvalidVersion, n, MaxCounterpartyVersions)
		}
		for _, v := range counterpartyVersions {
			if err := validateConnectionVersion(v); err != nil {
				return nil, err
			}
		}
		version, err := connectiontypes.PickVersion(CompatibleVersions(), counterpartyVersions)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidVersion, err)
		}
		expected := connectiontypes.NewConnectionEnd(connectiontypes.INIT, counterparty.ClientId,
			connectiontypes.NewCounterparty(clientID, "", Prefix()), counterpartyVersions, 0)
		conn := connectiontypes.NewConnectionEnd(connectiontypes.TRYOPEN, clientID, counterparty,
			[]*connectiontypes.Version{version}, 0)
		if err := k.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ConnectionPath(counterparty.ConnectionId), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		id = nextID(c)
		setConnection(c, id, conn)
		return []abci.Event{connectionEvent(EventConnectionOpenTry, id, conn)}, nil
	})
	if err != nil {
		return "", nil, err
	}
	return id, events, nil
}

// ConnOpenAck completes the handshake on the initiating chain: it verifies
// that the counterparty stored counterpartyConnectionID in state TRYOPEN
// with the version it picked (which must be one we proposed), and opens
// the connection. Errors: ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrInvalidIdentifier, ErrInvalidVersion,
// ErrInvalidHeight, ErrClientNotActive, ErrInvalidProof.
func (k *Keeper) ConnOpenAck(s state.Store, now time.Time, connectionID, counterpartyConnectionID string, version *connectiontypes.Version, proof []byte, proofHeight clienttypes.Height) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		conn, ok := getConnection(c, connectionID)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrConnectionNotFound, connectionID)
		}
		if conn.State != connectiontypes.INIT {
			return nil, fmt.Errorf("%w: %s is %s, want INIT", ErrInvalidConnectionState, connectionID, conn.State)
		}
		if err := validateConnectionID(counterpartyConnectionID); err != nil {
			return nil, err
		}
		if err := validateConnectionVersion(version); err != nil {
			return nil, err
		}
		if !connectiontypes.IsSupportedVersion(conn.Versions, version) {
			return nil, fmt.Errorf("%w: %s was not proposed", ErrInvalidVersion, version)
		}
		picked := cloneVersions([]*connectiontypes.Version{version})
		expected := connectiontypes.NewConnectionEnd(connectiontypes.TRYOPEN, conn.Counterparty.ClientId,
			connectiontypes.NewCounterparty(conn.ClientId, connectionID, Prefix()), picked, conn.DelayPeriod)
		if err := k.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ConnectionPath(counterpartyConnectionID), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		conn.State = connectiontypes.OPEN
		conn.Versions = picked
		conn.Counterparty.ConnectionId = counterpartyConnectionID
		setConnection(c, connectionID, conn)
		return []abci.Event{connectionEvent(EventConnectionOpenAck, connectionID, conn)}, nil
	})
}

// ConnOpenConfirm completes the handshake on the answering chain: it
// verifies that the counterparty's connection end is OPEN and opens ours.
// Errors: ErrConnectionNotFound, ErrInvalidConnectionState,
// ErrInvalidHeight, ErrClientNotActive, ErrInvalidProof.
func (k *Keeper) ConnOpenConfirm(s state.Store, now time.Time, connectionID string, proof []byte, proofHeight clienttypes.Height) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		conn, ok := getConnection(c, connectionID)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrConnectionNotFound, connectionID)
		}
		if conn.State != connectiontypes.TRYOPEN {
			return nil, fmt.Errorf("%w: %s is %s, want TRYOPEN", ErrInvalidConnectionState, connectionID, conn.State)
		}
		expected := connectiontypes.NewConnectionEnd(connectiontypes.OPEN, conn.Counterparty.ClientId,
			connectiontypes.NewCounterparty(conn.ClientId, connectionID, Prefix()), conn.Versions, conn.DelayPeriod)
		if err := k.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ConnectionPath(conn.Counterparty.ConnectionId), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		conn.State = connectiontypes.OPEN
		setConnection(c, connectionID, conn)
		return []abci.Event{connectionEvent(EventConnectionOpenConfirm, connectionID, conn)}, nil
	})
}
