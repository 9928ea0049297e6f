package abci

import (
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/state"
)

// clientsView shows the channel keeper the light clients.
type clientsView struct{ k client.Keeper }

func (c clientsView) Status(s state.Store, clientID string, now time.Time) string {
	return string(c.k.Status(s, clientID, now))
}

func (c clientsView) LatestHeight(s state.Store, clientID string) clienttypes.Height {
	return c.k.LatestHeight(s, clientID)
}

func (c clientsView) ConsensusStateTimestamp(s state.Store, clientID string, h clienttypes.Height) (uint64, error) {
	return c.k.ConsensusStateTimestamp(s, clientID, h)
}

func (c clientsView) VerifyMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string, value []byte) error {
	return c.k.VerifyMembership(s, clientID, h, now, proof, path, value)
}

func (c clientsView) VerifyNonMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string) error {
	return c.k.VerifyNonMembership(s, clientID, h, now, proof, path)
}

// channelsView shows ICS-20 the channels.
type channelsView struct{ k *channel.Keeper }

func (c channelsView) SendPacket(s state.Store, height int64, now time.Time, port, ch string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abcitypes.Event, error) {
	return c.k.SendPacket(s, height, now, port, ch, timeoutHeight, timeoutTimestamp, data)
}

func (c channelsView) Counterparty(s state.Store, port, ch string) (channeltypes.Counterparty, bool) {
	end, ok := c.k.Channel(s, port, ch)
	return end.Counterparty, ok
}

// wireIBC builds the light clients, the channel keeper and ICS-20, and
// registers their messages. The channel keeper learns the chain's revision
// number when the chain id is known (setChainID).
func (a *App) wireIBC() {
	a.channels = channel.NewKeeper(clientsView{a.clients}, 0)
	a.transfer = &transfer.Keeper{Bank: &a.bank, Channels: channelsView{a.channels}}
	a.channels.BindPort(transfer.PortID, a.transfer)
	ch := a.channels

	handle(a, func(s state.Store, b Block, signer []byte, m *client.MsgCreateClient) ([]abcitypes.Event, error) {
		return a.clients.HandleCreateClient(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *client.MsgUpdateClient) ([]abcitypes.Event, error) {
		return a.clients.HandleUpdateClient(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *client.MsgSubmitMisbehaviour) ([]abcitypes.Event, error) {
		return a.clients.HandleSubmitMisbehaviour(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgConnectionOpenInit) ([]abcitypes.Event, error) {
		return ch.HandleConnectionOpenInit(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgConnectionOpenTry) ([]abcitypes.Event, error) {
		return ch.HandleConnectionOpenTry(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgConnectionOpenAck) ([]abcitypes.Event, error) {
		return ch.HandleConnectionOpenAck(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgConnectionOpenConfirm) ([]abcitypes.Event, error) {
		return ch.HandleConnectionOpenConfirm(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenInit) ([]abcitypes.Event, error) {
		return ch.HandleChannelOpenInit(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenTry) ([]abcitypes.Event, error) {
		return ch.HandleChannelOpenTry(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenAck) ([]abcitypes.Event, error) {
		return ch.HandleChannelOpenAck(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelOpenConfirm) ([]abcitypes.Event, error) {
		return ch.HandleChannelOpenConfirm(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelCloseInit) ([]abcitypes.Event, error) {
		return ch.HandleChannelCloseInit(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgChannelCloseConfirm) ([]abcitypes.Event, error) {
		return ch.HandleChannelCloseConfirm(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgRecvPacket) ([]abcitypes.Event, error) {
		return ch.HandleRecvPacket(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgAcknowledgement) ([]abcitypes.Event, error) {
		return ch.HandleAcknowledgement(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *channel.MsgTimeout) ([]abcitypes.Event, error) {
		return ch.HandleTimeout(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *transfer.MsgTransfer) ([]abcitypes.Event, error) {
		return a.transfer.HandleTransfer(s, b.Height, b.Time, signer, m)
	})
}

// setChainID records the chain id where the keepers need it.
func (a *App) setChainID(id string) {
	a.chainID = id
	if a.provider != nil {
		a.provider.ChainID = id
	}
	a.channels.Revision = clienttypes.ParseChainID(id)
}
