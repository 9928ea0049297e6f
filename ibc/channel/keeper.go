package channel

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// StatusActive is the client status under which proofs are accepted
// (connection.StatusActive).
const StatusActive = connection.StatusActive

// Clients is the light client layer as the channel keeper sees it, beside
// what Connections verifies for it.
type Clients interface {
	// Status returns "Active", "Frozen", "Expired" or "Unknown".
	Status(s state.Store, clientID string, now time.Time) string
}

// Connections is the connection layer (ICS-003) as the channel keeper sees
// it; *connection.Keeper implements it. Channels run over OPEN connections,
// and every proof of counterparty channel state is verified through the
// connection the channel runs over.
type Connections interface {
	// Connection returns a connection end, in whatever state it is.
	Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool)
	// Open returns a connection end that must exist and be OPEN, or
	// ErrConnectionNotFound or ErrInvalidConnectionState.
	Open(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, error)
	// VerifyMembership checks a proof that the counterparty of conn stores
	// value under path at h: ErrInvalidHeight, ErrInvalidProof or
	// ErrClientNotActive otherwise.
	VerifyMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string, value []byte) error
	// VerifyNonMembership checks a proof that the counterparty of conn has
	// nothing under path at h, with the errors of VerifyMembership.
	VerifyNonMembership(s state.Store, now time.Time, conn connectiontypes.ConnectionEnd, h clienttypes.Height, proof []byte, path string) error
}

var _ Connections = (*connection.Keeper)(nil)

// App is an application bound to a port. The handshake callbacks may
// refuse a step by returning an error; OnChanOpenInit and OnChanOpenTry
// return the channel version the application wants. Callbacks get the
// keeper's store (a cache of the transaction's state), so what they write
// is kept only if the whole step succeeds. The packet callbacks are called
// by package packet, which routes packets to the application bound to
// their port (PortApp).
type App interface {
	OnChanOpenInit(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, version string) (string, error)
	OnChanOpenTry(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, counterpartyVersion string) (string, error)
	OnChanOpenAck(s state.Store, portID, channelID, counterpartyChannelID, counterpartyVersion string) error
	OnChanOpenConfirm(s state.Store, portID, channelID string) error
	OnChanCloseConfirm(s state.Store, portID, channelID string) error
	// OnRecvPacket processes a packet and returns its acknowledgement and
	// its events (those of packets it sent included). An error
	// acknowledgement discards everything the call wrote; the events that
	// come with it are kept, so they must describe only the refusal.
	OnRecvPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) (channeltypes.Acknowledgement, []abci.Event)
	// OnAcknowledgementPacket processes the acknowledgement of a packet
	// the application sent and returns its events. An error fails the
	// whole message.
	OnAcknowledgementPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, ack channeltypes.Acknowledgement, relayer []byte) ([]abci.Event, error)
	// OnTimeoutPacket processes the timeout of a packet the application
	// sent (typically a refund) and returns its events. An error fails the
	// whole message.
	OnTimeoutPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) ([]abci.Event, error)
}

// CloseInitApp is implemented by applications that let a transaction
// (MsgChannelCloseInit) close their channels. An application that does not
// implement it refuses every such close; modules can still close their
// own channels with Keeper.ChanCloseInit.
type CloseInitApp interface {
	OnChanCloseInit(s state.Store, portID, channelID string) error
}

// Keeper runs the IBC channel handshake protocol over the "ibc" store and
// binds ports to applications. It keeps no protocol state of its own:
// everything is in the store passed to each method, and every step returns
// the events of what it did. It holds only the port bindings, set while
// wiring the application.
type Keeper struct {
	// Clients tells client status.
	Clients Clients
	// Connections holds the connections channels run over and verifies
	// counterparty state through them.
	Connections Connections

	ports map[string]App
}

// NewKeeper returns a keeper over clients and connections.
func NewKeeper(clients Clients, connections Connections) *Keeper {
	return &Keeper{Clients: clients, Connections: connections}
}

// BindPort routes the callbacks of portID to app. It panics on an invalid
// port id or a port bound twice, which are wiring errors.
func (k *Keeper) BindPort(portID string, app App) {
	if err := ValidatePort(portID); err != nil {
		panic(fmt.Sprintf("channel: BindPort: %v", err))
	}
	if app == nil {
		panic(fmt.Sprintf("channel: BindPort %q with a nil app", portID))
	}
	if _, dup := k.ports[portID]; dup {
		panic(fmt.Sprintf("channel: port %q bound twice", portID))
	}
	if k.ports == nil {
		k.ports = make(map[string]App)
	}
	k.ports[portID] = app
}

// Ports returns the bound port ids, sorted.
func (k *Keeper) Ports() []string {
	ids := make([]string, 0, len(k.ports))
	for id := range k.ports {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// PortApp returns the application bound to portID, or ErrPortNotBound.
func (k *Keeper) PortApp(portID string) (App, error) {
	app, ok := k.ports[portID]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrPortNotBound, portID)
	}
	return app, nil
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func mustMarshal(m interface{ Marshal() ([]byte, error) }) []byte {
	bz, err := m.Marshal()
	if err != nil {
		panic(fmt.Sprintf("channel: marshal %T: %v", m, err))
	}
	return bz
}

// nextID returns the next identifier under a counter key and advances it.
func nextID(s state.Store, key []byte, prefix string) string {
	n, _ := typed.GetU64(kv(s), key)
	kv(s).Set(key, typed.U64(n+1))
	return formatID(prefix, n)
}

func (k *Keeper) getChannel(s state.Store, portID, channelID string) (channeltypes.Channel, bool) {
	bz := kv(s).Get([]byte(commitment.ChannelPath(portID, channelID)))
	if bz == nil {
		return channeltypes.Channel{}, false
	}
	var ch channeltypes.Channel
	if err := ch.Unmarshal(bz); err != nil {
		panic(fmt.Sprintf("channel: invariant broken: channel %s/%s does not decode: %v", portID, channelID, err))
	}
	if len(ch.ConnectionHops) != 1 {
		panic(fmt.Sprintf("channel: invariant broken: channel %s/%s has %d hops", portID, channelID, len(ch.ConnectionHops)))
	}
	return ch, true
}

func setChannel(s state.Store, portID, channelID string, ch channeltypes.Channel) {
	kv(s).Set([]byte(commitment.ChannelPath(portID, channelID)), mustMarshal(&ch))
}

func setSeq(s state.Store, path string, seq uint64) { kv(s).Set([]byte(path), typed.U64(seq)) }

// Open returns a channel end that must exist and be OPEN, and its
// connection, which must be OPEN too. Errors: ErrChannelNotFound,
// ErrChannelClosed, ErrInvalidChannelState, ErrConnectionNotFound,
// ErrInvalidConnectionState.
func (k *Keeper) Open(s state.Store, portID, channelID string) (channeltypes.Channel, connectiontypes.ConnectionEnd, error) {
	ch, ok := k.getChannel(s, portID, channelID)
	if !ok {
		return ch, connectiontypes.ConnectionEnd{}, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, portID, channelID)
	}
	if err := wantChannelState(ch, channeltypes.OPEN, portID, channelID); err != nil {
		return ch, connectiontypes.ConnectionEnd{}, err
	}
	conn, err := k.Connections.Open(s, ch.ConnectionHops[0])
	return ch, conn, err
}

// SetClosed stores the channel end portID/channelID as CLOSED, without a
// handshake step, an event or a callback. It is for package packet, whose
// timeout of a packet on an ordered channel closes the channel (its
// sequence can no longer be honoured) and emits the event. The channel end
// must exist: SetClosed panics otherwise, a broken invariant of the caller.
func (k *Keeper) SetClosed(s state.Store, portID, channelID string) {
	ch, ok := k.getChannel(s, portID, channelID)
	if !ok {
		panic(fmt.Sprintf("channel: invariant broken: SetClosed of missing channel %s/%s", portID, channelID))
	}
	ch.State = channeltypes.CLOSED
	setChannel(s, portID, channelID, ch)
}

// wantChannelState returns ErrChannelClosed or ErrInvalidChannelState
// unless ch is in state want.
func wantChannelState(ch channeltypes.Channel, want channeltypes.State, portID, channelID string) error {
	switch ch.State {
	case want:
		return nil
	case channeltypes.CLOSED:
		return fmt.Errorf("%w: %s/%s", ErrChannelClosed, portID, channelID)
	default:
		return fmt.Errorf("%w: %s/%s is %s, want %s", ErrInvalidChannelState, portID, channelID, ch.State, want)
	}
}

// clientActive returns ErrClientNotActive unless the client is Active.
func (k *Keeper) clientActive(s state.Store, clientID string, now time.Time) error {
	if st := k.Clients.Status(s, clientID, now); st != StatusActive {
		return fmt.Errorf("%w: client %q is %s", ErrClientNotActive, clientID, st)
	}
	return nil
}

// checkSigner returns ErrUnauthorized unless the transaction signer is the
// message's (non-empty) signer.
func checkSigner(signer, claimed []byte) error {
	if len(claimed) == 0 || !bytes.Equal(signer, claimed) {
		return fmt.Errorf("%w: %X signed for %X", ErrUnauthorized, signer, claimed)
	}
	return nil
}
