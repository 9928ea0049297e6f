package packet

import (
	"bytes"
	"fmt"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// StatusActive is the client status under which packets are sent
// (connection.StatusActive).
const StatusActive = connection.StatusActive

// Clients is the light client layer as the packet keeper sees it, beside
// what Connections verifies for it. Heights are the counterparty's.
type Clients interface {
	// Status returns "Active", "Frozen", "Expired" or "Unknown".
	Status(s state.Store, clientID string, now time.Time) string
	// LatestHeight returns the client's latest height (zero if unknown).
	LatestHeight(s state.Store, clientID string) clienttypes.Height
	// ConsensusStateTimestamp returns the timestamp, in Unix nanoseconds,
	// of the consensus state at h.
	ConsensusStateTimestamp(s state.Store, clientID string, h clienttypes.Height) (uint64, error)
}

// Connections is the connection layer (ICS-003) as the packet keeper sees
// it; *connection.Keeper implements it. Every proof of counterparty packet
// state is verified through the connection the channel runs over.
type Connections interface {
	// Connection returns a connection end, in whatever state it is.
	Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool)
	// VerifyMembership checks a proof that the counterparty of conn stores
	// value under path at h: ErrInvalidHeight, ErrInvalidProof or
	// ErrClientNotActive otherwise.
	VerifyMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string, value []byte) error
	// VerifyNonMembership checks a proof that the counterparty of conn has
	// nothing under path at h, with the errors of VerifyMembership.
	VerifyNonMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string) error
}

// Channels is the channel layer as the packet keeper sees it;
// *channel.Keeper implements it. Packets travel on the channel ends it
// keeps and are handed to the applications bound to their ports.
type Channels interface {
	// Channel returns a channel end, in whatever state it is.
	Channel(s state.Store, portID, channelID string) (channeltypes.Channel, bool)
	// Open returns a channel end that must be OPEN and its connection,
	// which must be OPEN too: ErrChannelNotFound, ErrChannelClosed,
	// ErrInvalidChannelState, ErrConnectionNotFound or
	// ErrInvalidConnectionState otherwise.
	Open(s state.Store, portID, channelID string) (channeltypes.Channel, connectiontypes.ConnectionEnd, error)
	// PortApp returns the application bound to a port, or ErrPortNotBound.
	PortApp(portID string) (channel.App, error)
	// SetClosed stores an existing channel end as CLOSED.
	SetClosed(s state.Store, portID, channelID string)
}

var (
	_ Connections = (*connection.Keeper)(nil)
	_ Channels    = (*channel.Keeper)(nil)
)

// Keeper runs the IBC packet protocol over the "ibc" store, on the
// channels of a channel keeper. It keeps no state of its own: everything
// is in the store passed to each method, and every step returns the
// events of what it did.
type Keeper struct {
	// Channels holds the channel ends packets travel on and the
	// applications bound to their ports.
	Channels Channels
	// Clients tells client status, heights and consensus timestamps.
	Clients Clients
	// Connections verifies counterparty state through the connection a
	// channel runs over.
	Connections Connections
	// Revision is this chain's revision number, as counterparties see it
	// (clienttypes.ParseChainID of the chain id). Receive timeouts compare
	// packet timeout heights with (Revision, block height).
	Revision uint64
}

// NewKeeper returns a keeper over channels, clients and connections for a
// chain of the given revision number.
func NewKeeper(channels Channels, clients Clients, connections Connections, revision uint64) *Keeper {
	return &Keeper{Channels: channels, Clients: clients, Connections: connections, Revision: revision}
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func getSeq(s state.Store, path string) (uint64, bool) {
	return typed.GetU64(kv(s), []byte(path))
}

// mustGetSeq reads a sequence that exists for every channel end.
func mustGetSeq(s state.Store, path string) uint64 {
	seq, ok := getSeq(s, path)
	if !ok {
		panic(fmt.Sprintf("packet: invariant broken: no sequence under %q", path))
	}
	return seq
}

func setSeq(s state.Store, path string, seq uint64) { kv(s).Set([]byte(path), typed.U64(seq)) }

// clientActive returns ErrClientNotActive unless the client is Active.
func (k *Keeper) clientActive(s state.Store, clientID string, now time.Time) error {
	if st := k.Clients.Status(s, clientID, now); st != StatusActive {
		return fmt.Errorf("%w: client %q is %s", ErrClientNotActive, clientID, st)
	}
	return nil
}

// appError wraps an application's refusal.
func appError(portID string, err error) error {
	return fmt.Errorf("%w: port %q: %w", ErrAppRejected, portID, err)
}

// checkSigner returns ErrUnauthorized unless the transaction signer is the
// message's (non-empty) signer.
func checkSigner(signer, claimed []byte) error {
	if len(claimed) == 0 || !bytes.Equal(signer, claimed) {
		return fmt.Errorf("%w: %X signed for %X", ErrUnauthorized, signer, claimed)
	}
	return nil
}
