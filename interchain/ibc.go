package interchain

import (
	"fmt"
	"sort"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
)

// Block is what the layer learns of the block being finalized.
type Block struct {
	Height int64
	Time   time.Time
	// LastCommit says which validators signed the previous block (the
	// consumer's downtime detection reads it).
	LastCommit abci.CommitInfo
	// AppHash is the app hash in the block's header (that of the previous
	// block) and NextValidatorsHash the header's hash of the next set: a
	// consumer genesis the provider makes in this block trusts them.
	AppHash            []byte
	NextValidatorsHash []byte
}

// Bank is what ICS-20 transfers need of the chain's bank: balances, sends
// between accounts (escrow) and minting and burning of vouchers.
type Bank interface {
	Balance(s state.Store, addr []byte, denom string) uint64
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	Mint(s state.Store, addr []byte, coins []coin.Coin) error
	Burn(s state.Store, addr []byte, coins []coin.Coin) error
}

// Logger is what the layer logs through. CometBFT's log.Logger satisfies
// it.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

// handler executes one encoded message for signer in block b.
type handler func(s state.Store, b Block, signer, msg []byte) ([]abci.Event, error)

// IBC is the IBC stack: the light clients, the connections, the channels,
// the packets, and ICS-20 when the chain has a bank. Consumer and Provider
// embed it.
type IBC struct {
	Clients     client.Keeper
	Connections *connection.Keeper
	Channels    *channel.Keeper
	Packets     *packet.Keeper
	// Transfer is nil when the chain mounted the layer without a bank.
	Transfer *transfer.Keeper

	routes map[string]handler
}

// newIBC builds the IBC stack of chain chainID (whose revision number the
// packets compare timeouts with), with ICS-20 over bank unless bank is
// nil. prefix is the chain's bech32 prefix, used in transfer packets.
func newIBC(chainID, prefix string, bank Bank) *IBC {
	l := &IBC{routes: map[string]handler{}}
	l.Connections = connection.NewKeeper(clients{l.Clients})
	l.Channels = channel.NewKeeper(clients{l.Clients}, l.Connections)
	l.Packets = packet.NewKeeper(l.Channels, clients{l.Clients}, l.Connections, clienttypes.ParseChainID(chainID))
	if bank != nil {
		l.Transfer = &transfer.Keeper{Bank: bank, Channels: channels{l.Channels, l.Packets, l.Connections}, Prefix: prefix}
		l.Channels.BindPort(transfer.PortID, l.Transfer)
		route(l, func(s state.Store, b Block, signer []byte, m *transfer.MsgTransfer) ([]abci.Event, error) {
			return l.Transfer.HandleTransfer(s, b.Height, b.Time, signer, m)
		})
	}
	c, conn, ch, pk := l.Clients, l.Connections, l.Channels, l.Packets
	route(l, func(s state.Store, b Block, signer []byte, m *client.MsgCreateClient) ([]abci.Event, error) {
		return c.HandleCreateClient(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *client.MsgUpdateClient) ([]abci.Event, error) {
		return c.HandleUpdateClient(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *client.MsgSubmitMisbehaviour) ([]abci.Event, error) {
		return c.HandleSubmitMisbehaviour(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *connection.MsgConnectionOpenInit) ([]abci.Event, error) {
		return conn.HandleConnectionOpenInit(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *connection.MsgConnectionOpenTry) ([]abci.Event, error) {
		return conn.HandleConnectionOpenTry(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *connection.MsgConnectionOpenAck) ([]abci.Event, error) {
		return conn.HandleConnectionOpenAck(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *connection.MsgConnectionOpenConfirm) ([]abci.Event, error) {
		return conn.HandleConnectionOpenConfirm(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenInit) ([]abci.Event, error) {
		return ch.HandleChannelOpenInit(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenTry) ([]abci.Event, error) {
		return ch.HandleChannelOpenTry(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenAck) ([]abci.Event, error) {
		return ch.HandleChannelOpenAck(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenConfirm) ([]abci.Event, error) {
		return ch.HandleChannelOpenConfirm(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelCloseInit) ([]abci.Event, error) {
		return ch.HandleChannelCloseInit(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelCloseConfirm) ([]abci.Event, error) {
		return ch.HandleChannelCloseConfirm(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *packet.MsgRecvPacket) ([]abci.Event, error) {
		return pk.HandleRecvPacket(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *packet.MsgAcknowledgement) ([]abci.Event, error) {
		return pk.HandleAcknowledgement(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *packet.MsgTimeout) ([]abci.Event, error) {
		return pk.HandleTimeout(s, b.Height, b.Time, signer, m)
	})
	return l
}

// TypeURL is the type URL under which a message is routed: "/" and its
// proto full name.
func TypeURL(m gogoproto.Message) string { return "/" + gogoproto.MessageName(m) }

// route registers a typed handler for the message type of T.
func route[T any, PT interface {
	*T
	gogoproto.Message
	Unmarshal([]byte) error
}](l *IBC, h func(s state.Store, b Block, signer []byte, m PT) ([]abci.Event, error)) {
	url := TypeURL(PT(new(T)))
	if _, dup := l.routes[url]; dup {
		panic(fmt.Sprintf("interchain: route %s registered twice", url))
	}
	l.routes[url] = func(s state.Store, b Block, signer, bz []byte) ([]abci.Event, error) {
		m := PT(new(T))
		if err := m.Unmarshal(bz); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMsgDecode, url, err)
		}
		return h(s, b, signer, m)
	}
}

// Handles reports whether the layer handles messages of typeURL.
func (l *IBC) Handles(typeURL string) bool {
	_, ok := l.routes[typeURL]
	return ok
}

// TypeURLs returns the type URLs of the messages the layer handles, sorted.
func (l *IBC) TypeURLs() []string {
	out := make([]string, 0, len(l.routes))
	for u := range l.routes {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// HandleMsg executes the message msg (the proto encoding of a message of
// typeURL) for signer in block b, on s, and returns its events (those of
// the packets it sent and of the packet callbacks it ran included). The
// caller runs it on a cache it writes only on success. Errors:
// ErrUnknownMsg, ErrMsgDecode, and any error of the handler.
func (l *IBC) HandleMsg(s state.Store, b Block, signer []byte, typeURL string, msg []byte) ([]abci.Event, error) {
	h, ok := l.routes[typeURL]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownMsg, typeURL)
	}
	return h(s, b, signer, msg)
}

// clients shows the light clients to the connection, channel and packet
// keepers and to the CCV packages.
type clients struct{ k client.Keeper }

func (c clients) Status(s state.Store, clientID string, now time.Time) string {
	return string(c.k.Status(s, clientID, now))
}

func (c clients) LatestHeight(s state.Store, clientID string) clienttypes.Height {
	return c.k.LatestHeight(s, clientID)
}

func (c clients) ConsensusStateTimestamp(s state.Store, clientID string, h clienttypes.Height) (uint64, error) {
	return c.k.ConsensusStateTimestamp(s, clientID, h)
}

func (c clients) VerifyMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string, value []byte) error {
	return c.k.VerifyMembership(s, clientID, h, now, proof, path, value)
}

func (c clients) VerifyNonMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string) error {
	return c.k.VerifyNonMembership(s, clientID, h, now, proof, path)
}

func (c clients) CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error) {
	return c.k.CreateClient(s, height, now, cs, cons)
}

func (c clients) VerifyHeader(s state.Store, clientID string, now time.Time, h *ibctm.Header) error {
	_, _, err := c.k.VerifyHeader(s, clientID, now, h)
	return err
}

func (c clients) TrackedChain(s state.Store, clientID string, now time.Time) (string, bool) {
	cs, ok := c.k.ClientState(s, clientID)
	if !ok {
		return "", false
	}
	return cs.ChainId, c.k.Status(s, clientID, now) == client.Active
}

// channels shows the channels, packets and connections to ICS-20 and the
// CCV packages.
type channels struct {
	k       *channel.Keeper
	packets *packet.Keeper
	conns   *connection.Keeper
}

func (c channels) SendPacket(s state.Store, height int64, now time.Time, port, ch string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error) {
	return c.packets.SendPacket(s, height, now, port, ch, timeoutHeight, timeoutTimestamp, data)
}

func (c channels) Counterparty(s state.Store, port, ch string) (channeltypes.Counterparty, bool) {
	end, ok := c.k.Channel(s, port, ch)
	return end.Counterparty, ok
}

func (c channels) ChanCloseInit(s state.Store, now time.Time, port, ch string) ([]abci.Event, error) {
	return c.k.ChanCloseInit(s, now, port, ch)
}

func (c channels) Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool) {
	return c.conns.Connection(s, connectionID)
}

func (c channels) ChannelOpen(s state.Store, port, ch string) bool {
	end, ok := c.k.Channel(s, port, ch)
	return ok && end.State == channeltypes.OPEN
}
