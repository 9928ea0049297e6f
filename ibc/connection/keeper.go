package connection

import (
	"bytes"
	"fmt"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// StatusActive is the client status under which proofs are accepted.
const StatusActive = "Active"

// Clients is the light client layer as the keeper sees it: the clients of
// the counterparty chains, stored in the same multistore. Heights are the
// counterparty's; paths are the counterparty's full ICS-24 paths (the
// commitment prefix, the store name "ibc", is the client's business).
type Clients interface {
	// Status returns "Active", "Frozen", "Expired" or "Unknown".
	Status(s state.Store, clientID string, now time.Time) string
	// VerifyMembership checks that proof proves value under path in the
	// counterparty's state at h.
	VerifyMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string, value []byte) error
	// VerifyNonMembership checks that proof proves the absence of path in
	// the counterparty's state at h.
	VerifyNonMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string) error
}

// Keeper runs the IBC connection protocol over the "ibc" store, and
// verifies proofs of counterparty state through a connection for the
// layers above it (channels and packets). It keeps no protocol state of
// its own: everything is in the store passed to each method, and every
// step returns the events of what it did.
type Keeper struct {
	// Clients verifies counterparty state.
	Clients Clients
}

// NewKeeper returns a keeper over clients.
func NewKeeper(clients Clients) *Keeper {
	return &Keeper{Clients: clients}
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func mustMarshal(m interface{ Marshal() ([]byte, error) }) []byte {
	bz, err := m.Marshal()
	if err != nil {
		panic(fmt.Sprintf("connection: marshal %T: %v", m, err))
	}
	return bz
}

// nextID returns the next connection identifier and advances the counter.
func nextID(s state.Store) string {
	n, _ := typed.GetU64(kv(s), keyNextConnectionSeq)
	kv(s).Set(keyNextConnectionSeq, typed.U64(n+1))
	return formatID(connectionPrefix, n)
}

func getConnection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool) {
	bz := kv(s).Get([]byte(commitment.ConnectionPath(connectionID)))
	if bz == nil {
		return connectiontypes.ConnectionEnd{}, false
	}
	var c connectiontypes.ConnectionEnd
	if err := c.Unmarshal(bz); err != nil {
		panic(fmt.Sprintf("connection: invariant broken: connection %q does not decode: %v", connectionID, err))
	}
	return c, true
}

func setConnection(s state.Store, connectionID string, c connectiontypes.ConnectionEnd) {
	kv(s).Set([]byte(commitment.ConnectionPath(connectionID)), mustMarshal(&c))
}

// Open loads a connection end that must exist and be OPEN. Errors:
// ErrConnectionNotFound, ErrInvalidConnectionState.
func (k *Keeper) Open(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, error) {
	conn, ok := getConnection(s, connectionID)
	if !ok {
		return conn, fmt.Errorf("%w: %q", ErrConnectionNotFound, connectionID)
	}
	if conn.State != connectiontypes.OPEN {
		return conn, fmt.Errorf("%w: %s is %s, want OPEN", ErrInvalidConnectionState, connectionID, conn.State)
	}
	return conn, nil
}

// clientActive returns ErrClientNotActive unless the client is Active.
func (k *Keeper) clientActive(s state.Store, clientID string, now time.Time) error {
	if st := k.Clients.Status(s, clientID, now); st != StatusActive {
		return fmt.Errorf("%w: client %q is %s", ErrClientNotActive, clientID, st)
	}
	return nil
}

// VerifyMembership checks a proof that the counterparty of conn stores
// value under path (its full ICS-24 path) at height h. Errors:
// ErrInvalidHeight (zero height), ErrInvalidProof (empty or not
// verifying, wrapping the client's error), ErrClientNotActive.
func (k *Keeper) VerifyMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string, value []byte) error {
	if err := k.checkProofArgs(s, now, conn, h, proof); err != nil {
		return err
	}
	if err := k.Clients.VerifyMembership(s, conn.ClientId, h, now, proof, path, value); err != nil {
		return fmt.Errorf("%w: %q at %s (client %s): %w", ErrInvalidProof, path, h, conn.ClientId, err)
	}
	return nil
}

// VerifyNonMembership checks a proof that the counterparty of conn has
// nothing under path at height h. Errors: those of VerifyMembership.
func (k *Keeper) VerifyNonMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string) error {
	if err := k.checkProofArgs(s, now, conn, h, proof); err != nil {
		return err
	}
	if err := k.Clients.VerifyNonMembership(s, conn.ClientId, h, now, proof, path); err != nil {
		return fmt.Errorf("%w: absence of %q at %s (client %s): %w", ErrInvalidProof, path, h, conn.ClientId, err)
	}
	return nil
}

func (k *Keeper) checkProofArgs(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte) error {
	if h.IsZero() {
		return fmt.Errorf("%w: zero", ErrInvalidHeight)
	}
	if len(proof) == 0 {
		return fmt.Errorf("%w: empty proof", ErrInvalidProof)
	}
	return k.clientActive(s, conn.ClientId, now)
}

// checkSigner returns ErrUnauthorized unless the transaction signer is the
// message's (non-empty) signer.
func checkSigner(signer, claimed []byte) error {
	if len(claimed) == 0 || !bytes.Equal(signer, claimed) {
		return fmt.Errorf("%w: %X signed for %X", ErrUnauthorized, signer, claimed)
	}
	return nil
}
