package channel

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// appError wraps an application's refusal.
func appError(portID string, err error) error {
	return fmt.Errorf("%w: port %q: %w", ErrAppRejected, portID, err)
}

// checkNewChannel validates the arguments shared by ChanOpenInit and
// ChanOpenTry and returns the port's application and the OPEN connection.
func (k *Keeper) checkNewChannel(s state.Store, portID string, order channeltypes.Order, hops []string, cp channeltypes.Counterparty, withChannel bool) (App, connectiontypes.ConnectionEnd, error) {
	var conn connectiontypes.ConnectionEnd
	if err := ValidatePort(portID); err != nil {
		return nil, conn, err
	}
	app, err := k.PortApp(portID)
	if err != nil {
		return nil, conn, err
	}
	if err := validateOrder(order); err != nil {
		return nil, conn, err
	}
	if len(hops) != 1 {
		return nil, conn, fmt.Errorf("%w: got %d", ErrInvalidConnectionHops, len(hops))
	}
	if err := validateConnectionID(hops[0]); err != nil {
		return nil, conn, err
	}
	if err := ValidatePort(cp.PortId); err != nil {
		return nil, conn, fmt.Errorf("%w: %w", ErrInvalidCounterparty, err)
	}
	if withChannel {
		if err := ValidateChannelID(cp.ChannelId); err != nil {
			return nil, conn, fmt.Errorf("%w: %w", ErrInvalidCounterparty, err)
		}
	} else if cp.ChannelId != "" {
		return nil, conn, fmt.Errorf("%w: channel id %q must be empty", ErrInvalidCounterparty, cp.ChannelId)
	}
	conn, err = k.Connections.Open(s, hops[0])
	if err != nil {
		return nil, conn, err
	}
	if len(conn.Versions) != 1 || !connectiontypes.VerifySupportedFeature(conn.Versions[0], order.String()) {
		return nil, conn, fmt.Errorf("%w: connection %s does not support %s", ErrInvalidChannelOrdering, hops[0], order)
	}
	return app, conn, nil
}

// initSequences starts a new channel end's sequences at 1.
func initSequences(s state.Store, portID, channelID string) {
	setSeq(s, commitment.NextSequenceSendPath(portID, channelID), 1)
	setSeq(s, commitment.NextSequenceRecvPath(portID, channelID), 1)
	setSeq(s, commitment.NextSequenceAckPath(portID, channelID), 1)
}

// ChanOpenInit starts a channel handshake on portID over one OPEN
// connection, asks the port's application for the version, stores an INIT
// channel end and returns its id. Errors: ErrInvalidIdentifier,
// ErrPortNotBound, ErrInvalidChannelOrdering, ErrInvalidConnectionHops,
// ErrInvalidCounterparty, ErrInvalidVersion, ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrClientNotActive, ErrAppRejected.
func (k *Keeper) ChanOpenInit(s state.Store, now time.Time, portID string, order channeltypes.Order, connectionHops []string, counterparty channeltypes.Counterparty, version string) (string, []abci.Event, error) {
	var id string
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		app, conn, err := k.checkNewChannel(c, portID, order, connectionHops, counterparty, false)
		if err != nil {
			return nil, err
		}
		if err := validateChannelVersion(version); err != nil {
			return nil, err
		}
		if err := k.clientActive(c, conn.ClientId, now); err != nil {
			return nil, err
		}
		id = nextID(c, keyNextChannelSeq, channelPrefix)
		hops := []string{connectionHops[0]}
		v, err := app.OnChanOpenInit(c, order, hops, portID, id, counterparty, version)
		if err != nil {
			return nil, appError(portID, err)
		}
		if err := validateChannelVersion(v); err != nil {
			return nil, err
		}
		ch := channeltypes.NewChannel(channeltypes.INIT, order, counterparty, hops, v)
		setChannel(c, portID, id, ch)
		initSequences(c, portID, id)
		return []abci.Event{channelEvent(EventChannelOpenInit, portID, id, ch)}, nil
	})
	if err != nil {
		return "", nil, err
	}
	return id, events, nil
}

// ChanOpenTry answers the counterparty's ChanOpenInit: it verifies that the
// counterparty stored its channel end in state INIT towards portID with
// the given ordering and counterpartyVersion, asks the port's application
// for our version and stores a TRYOPEN end. Errors: those of ChanOpenInit
// and ErrInvalidHeight, ErrInvalidProof.
func (k *Keeper) ChanOpenTry(s state.Store, now time.Time, portID string, order channeltypes.Order, connectionHops []string, counterparty channeltypes.Counterparty, counterpartyVersion string, proof []byte, proofHeight clienttypes.Height) (string, []abci.Event, error) {
	var id string
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		app, conn, err := k.checkNewChannel(c, portID, order, connectionHops, counterparty, true)
		if err != nil {
			return nil, err
		}
		if err := validateChannelVersion(counterpartyVersion); err != nil {
			return nil, err
		}
		expected := channeltypes.NewChannel(channeltypes.INIT, order, channeltypes.NewCounterparty(portID, ""),
			[]string{conn.Counterparty.ConnectionId}, counterpartyVersion)
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ChannelPath(counterparty.PortId, counterparty.ChannelId), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		id = nextID(c, keyNextChannelSeq, channelPrefix)
		hops := []string{connectionHops[0]}
		v, err := app.OnChanOpenTry(c, order, hops, portID, id, counterparty, counterpartyVersion)
		if err != nil {
			return nil, appError(portID, err)
		}
		if err := validateChannelVersion(v); err != nil {
			return nil, err
		}
		ch := channeltypes.NewChannel(channeltypes.TRYOPEN, order, counterparty, hops, v)
		setChannel(c, portID, id, ch)
		initSequences(c, portID, id)
		return []abci.Event{channelEvent(EventChannelOpenTry, portID, id, ch)}, nil
	})
	if err != nil {
		return "", nil, err
	}
	return id, events, nil
}

// channelAndConnection loads an existing channel end in state want and its
// OPEN connection.
func (k *Keeper) channelAndConnection(s state.Store, portID, channelID string, want channeltypes.State) (App, channeltypes.Channel, connectiontypes.ConnectionEnd, error) {
	var conn connectiontypes.ConnectionEnd
	app, err := k.PortApp(portID)
	if err != nil {
		return nil, channeltypes.Channel{}, conn, err
	}
	ch, ok := k.getChannel(s, portID, channelID)
	if !ok {
		return nil, ch, conn, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, portID, channelID)
	}
	if err := wantChannelState(ch, want, portID, channelID); err != nil {
		return nil, ch, conn, err
	}
	conn, err = k.Connections.Open(s, ch.ConnectionHops[0])
	return app, ch, conn, err
}

// ChanOpenAck completes the handshake on the initiating chain: it verifies
// that the counterparty stored counterpartyChannelID in state TRYOPEN
// towards our channel with counterpartyVersion, lets the application
// check the version, and opens the channel with that version. Errors:
// ErrPortNotBound, ErrChannelNotFound, ErrChannelClosed,
// ErrInvalidChannelState, ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrInvalidIdentifier, ErrInvalidVersion,
// ErrInvalidHeight, ErrClientNotActive, ErrInvalidProof, ErrAppRejected.
func (k *Keeper) ChanOpenAck(s state.Store, now time.Time, portID, channelID, counterpartyChannelID, counterpartyVersion string, proof []byte, proofHeight clienttypes.Height) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		app, ch, conn, err := k.channelAndConnection(c, portID, channelID, channeltypes.INIT)
		if err != nil {
			return nil, err
		}
		if err := ValidateChannelID(counterpartyChannelID); err != nil {
			return nil, err
		}
		if err := validateChannelVersion(counterpartyVersion); err != nil {
			return nil, err
		}
		expected := channeltypes.NewChannel(channeltypes.TRYOPEN, ch.Ordering, channeltypes.NewCounterparty(portID, channelID),
			[]string{conn.Counterparty.ConnectionId}, counterpartyVersion)
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ChannelPath(ch.Counterparty.PortId, counterpartyChannelID), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		if err := app.OnChanOpenAck(c, portID, channelID, counterpartyChannelID, counterpartyVersion); err != nil {
			return nil, appError(portID, err)
		}
		ch.State = channeltypes.OPEN
		ch.Version = counterpartyVersion
		ch.Counterparty.ChannelId = counterpartyChannelID
		setChannel(c, portID, channelID, ch)
		return []abci.Event{channelEvent(EventChannelOpenAck, portID, channelID, ch)}, nil
	})
}

// ChanOpenConfirm completes the handshake on the answering chain: it
// verifies that the counterparty's channel end is OPEN and opens ours.
// Errors: as ChanOpenAck.
func (k *Keeper) ChanOpenConfirm(s state.Store, now time.Time, portID, channelID string, proof []byte, proofHeight clienttypes.Height) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		app, ch, conn, err := k.channelAndConnection(c, portID, channelID, channeltypes.TRYOPEN)
		if err != nil {
			return nil, err
		}
		expected := channeltypes.NewChannel(channeltypes.OPEN, ch.Ordering, channeltypes.NewCounterparty(portID, channelID),
			[]string{conn.Counterparty.ConnectionId}, ch.Version)
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ChannelPath(ch.Counterparty.PortId, ch.Counterparty.ChannelId), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		if err := app.OnChanOpenConfirm(c, portID, channelID); err != nil {
			return nil, appError(portID, err)
		}
		ch.State = channeltypes.OPEN
		setChannel(c, portID, channelID, ch)
		return []abci.Event{channelEvent(EventChannelOpenConfirm, portID, channelID, ch)}, nil
	})
}

// ChanCloseInit closes a channel end that is not yet CLOSED. It is meant
// for the module bound to the port (a consumer closing its provider
// channel, say) and asks no application; a transaction goes through
// HandleChannelCloseInit, which asks the application first. Errors:
// ErrChannelNotFound, ErrChannelClosed, ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrClientNotActive.
func (k *Keeper) ChanCloseInit(s state.Store, now time.Time, portID, channelID string) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		return k.closeInit(c, now, portID, channelID, nil)
	})
}

// closeInit closes a channel end; ask, if not nil, may refuse first.
func (k *Keeper) closeInit(s state.Store, now time.Time, portID, channelID string, ask func() error) ([]abci.Event, error) {
	ch, ok := k.getChannel(s, portID, channelID)
	if !ok {
		return nil, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, portID, channelID)
	}
	if ch.State == channeltypes.CLOSED {
		return nil, fmt.Errorf("%w: %s/%s", ErrChannelClosed, portID, channelID)
	}
	conn, err := k.Connections.Open(s, ch.ConnectionHops[0])
	if err != nil {
		return nil, err
	}
	if err := k.clientActive(s, conn.ClientId, now); err != nil {
		return nil, err
	}
	if ask != nil {
		if err := ask(); err != nil {
			return nil, err
		}
	}
	ch.State = channeltypes.CLOSED
	setChannel(s, portID, channelID, ch)
	return []abci.Event{channelEvent(EventChannelCloseInit, portID, channelID, ch)}, nil
}

// ChanCloseConfirm closes our end of a channel whose counterparty end is
// proven CLOSED, after telling the application. Errors: ErrPortNotBound,
// ErrChannelNotFound, ErrChannelClosed, ErrInvalidChannelState (the
// counterparty channel is not known yet), ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrInvalidHeight, ErrClientNotActive,
// ErrInvalidProof, ErrAppRejected.
func (k *Keeper) ChanCloseConfirm(s state.Store, now time.Time, portID, channelID string, proof []byte, proofHeight clienttypes.Height) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		app, err := k.PortApp(portID)
		if err != nil {
			return nil, err
		}
		ch, ok := k.getChannel(c, portID, channelID)
		if !ok {
			return nil, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, portID, channelID)
		}
		if ch.State == channeltypes.CLOSED {
			return nil, fmt.Errorf("%w: %s/%s", ErrChannelClosed, portID, channelID)
		}
		if ch.Counterparty.ChannelId == "" {
			return nil, fmt.Errorf("%w: %s/%s does not know its counterparty channel", ErrInvalidChannelState, portID, channelID)
		}
		conn, err := k.Connections.Open(c, ch.ConnectionHops[0])
		if err != nil {
			return nil, err
		}
		expected := channeltypes.NewChannel(channeltypes.CLOSED, ch.Ordering, channeltypes.NewCounterparty(portID, channelID),
			[]string{conn.Counterparty.ConnectionId}, ch.Version)
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.ChannelPath(ch.Counterparty.PortId, ch.Counterparty.ChannelId), mustMarshal(&expected)); err != nil {
			return nil, err
		}
		if err := app.OnChanCloseConfirm(c, portID, channelID); err != nil {
			return nil, appError(portID, err)
		}
		ch.State = channeltypes.CLOSED
		setChannel(c, portID, channelID, ch)
		return []abci.Event{channelEvent(EventChannelCloseConfirm, portID, channelID, ch)}, nil
	})
}
