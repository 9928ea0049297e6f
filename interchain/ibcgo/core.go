package ibcgo

import (
	"fmt"

	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
)

// SDK module names of the message event.
const (
	ModuleClient     = "ibc_client"
	ModuleConnection = "ibc_connection"
	ModuleChannel    = "ibc_channel"
	ModuleTransfer   = "transfer"
	ModuleProvider   = "provider"
)

// Type URLs of the 07-tendermint values an ibc-go message carries as Any.
var (
	clientStateURL    = "/" + gogoproto.MessageName(&ibctm.ClientState{})
	consensusStateURL = "/" + gogoproto.MessageName(&ibctm.ConsensusState{})
	headerURL         = "/" + gogoproto.MessageName(&ibctm.Header{})
	misbehaviourURL   = "/" + gogoproto.MessageName(&ibctm.Misbehaviour{})
)

func init() {
	registerClient()
	registerConnection()
	registerChannel()
	registerPacket()
	registerTransfer()
	registerProvider()
}

// invalid returns ErrInvalidMsg about what.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMsg}, args...)...)
}

// wrapInvalid wraps an ibc-go validation error in ErrInvalidMsg.
func wrapInvalid(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %w", ErrInvalidMsg, what, err)
}

// marshal encodes an ibc-go value for an icsd message's bytes field.
func marshal(v gogoproto.Message) ([]byte, error) {
	bz, err := gogoproto.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding %s: %w", ErrInvalidMsg, gogoproto.MessageName(v), err)
	}
	return bz, nil
}

// nonEmpty returns ErrInvalidMsg for an empty proof.
func nonEmpty(what string, proof []byte) error {
	if len(proof) == 0 {
		return invalid("empty %s", what)
	}
	return nil
}

// anyValue returns the value of an Any field, which must hold want.
func anyValue(what string, a interface {
	GetTypeUrl() string
	GetValue() []byte
}, want string) ([]byte, error) {
	if a == nil || a.GetTypeUrl() == "" {
		return nil, invalid("no %s", what)
	}
	if a.GetTypeUrl() != want {
		return nil, fmt.Errorf("%w: %s of type %q, icsd accepts %q only", ErrUnsupported, what, a.GetTypeUrl(), want)
	}
	return a.GetValue(), nil
}

func registerClient() {
	register(ModuleClient, func(m *clienttypes.MsgCreateClient) string { return m.Signer }, func(m *clienttypes.MsgCreateClient, from []byte) (gogoproto.Message, error) {
		cs, err := anyValue("client state", m.ClientState, clientStateURL)
		if err != nil {
			return nil, err
		}
		cons, err := anyValue("consensus state", m.ConsensusState, consensusStateURL)
		if err != nil {
			return nil, err
		}
		return &client.MsgCreateClient{ClientState: cs, ConsensusState: cons, Signer: from}, nil
	})
	register(ModuleClient, func(m *clienttypes.MsgUpdateClient) string { return m.Signer }, func(m *clienttypes.MsgUpdateClient, from []byte) (gogoproto.Message, error) {
		if err := host.ClientIdentifierValidator(m.ClientId); err != nil {
			return nil, wrapInvalid("client id", err)
		}
		if m.ClientMessage == nil {
			return nil, invalid("no client message")
		}
		switch m.ClientMessage.TypeUrl {
		case headerURL:
			return &client.MsgUpdateClient{ClientId: m.ClientId, Header: m.ClientMessage.Value, Signer: from}, nil
		case misbehaviourURL:
			return &client.MsgSubmitMisbehaviour{ClientId: m.ClientId, Misbehaviour: m.ClientMessage.Value, Signer: from}, nil
		}
		return nil, fmt.Errorf("%w: client message of type %q, icsd accepts %q and %q", ErrUnsupported, m.ClientMessage.TypeUrl, headerURL, misbehaviourURL)
	})
	register(ModuleClient, func(m *clienttypes.MsgSubmitMisbehaviour) string { return m.Signer }, func(m *clienttypes.MsgSubmitMisbehaviour, from []byte) (gogoproto.Message, error) {
		if err := host.ClientIdentifierValidator(m.ClientId); err != nil {
			return nil, wrapInvalid("client id", err)
		}
		mb, err := anyValue("misbehaviour", m.Misbehaviour, misbehaviourURL)
		if err != nil {
			return nil, err
		}
		return &client.MsgSubmitMisbehaviour{ClientId: m.ClientId, Misbehaviour: mb, Signer: from}, nil
	})
}

// noDelay refuses a connection delay period: icsd's connections have none.
func noDelay(d uint64) error {
	if d != 0 {
		return fmt.Errorf("%w: connection delay period %d; icsd supports 0 only", ErrUnsupported, d)
	}
	return nil
}

func registerConnection() {
	register(ModuleConnection, func(m *connectiontypes.MsgConnectionOpenInit) string { return m.Signer }, func(m *connectiontypes.MsgConnectionOpenInit, from []byte) (gogoproto.Message, error) {
		if err := host.ClientIdentifierValidator(m.ClientId); err != nil {
			return nil, wrapInvalid("client id", err)
		}
		if m.Counterparty.ConnectionId != "" {
			return nil, invalid("counterparty connection id must be empty")
		}
		if err := m.Counterparty.ValidateBasic(); err != nil {
			return nil, wrapInvalid("counterparty", err)
		}
		if err := noDelay(m.DelayPeriod); err != nil {
			return nil, err
		}
		cp, err := marshal(&m.Counterparty)
		if err != nil {
			return nil, err
		}
		var version []byte
		if m.Version != nil {
			if err := connectiontypes.ValidateVersion(m.Version); err != nil {
				return nil, wrapInvalid("version", err)
			}
			if version, err = marshal(m.Version); err != nil {
				return nil, err
			}
		}
		return &connection.MsgConnectionOpenInit{ClientId: m.ClientId, Counterparty: cp, Version: version, Signer: from}, nil
	})
	register(ModuleConnection, func(m *connectiontypes.MsgConnectionOpenTry) string { return m.Signer }, func(m *connectiontypes.MsgConnectionOpenTry, from []byte) (gogoproto.Message, error) {
		if err := host.ClientIdentifierValidator(m.ClientId); err != nil {
			return nil, wrapInvalid("client id", err)
		}
		if err := host.ConnectionIdentifierValidator(m.Counterparty.ConnectionId); err != nil {
			return nil, wrapInvalid("counterparty connection id", err)
		}
		if err := m.Counterparty.ValidateBasic(); err != nil {
			return nil, wrapInvalid("counterparty", err)
		}
		if err := noDelay(m.DelayPeriod); err != nil {
			return nil, err
		}
		if n := len(m.CounterpartyVersions); n == 0 || n > connectiontypes.MaxCounterpartyVersionsLength {
			return nil, invalid("%d counterparty versions, want 1 to %d", n, connectiontypes.MaxCounterpartyVersionsLength)
		}
		versions := make([][]byte, len(m.CounterpartyVersions))
		for i, v := range m.CounterpartyVersions {
			if err := connectiontypes.ValidateVersion(v); err != nil {
				return nil, wrapInvalid(fmt.Sprintf("counterparty version %d", i), err)
			}
			bz, err := marshal(v)
			if err != nil {
				return nil, err
			}
			versions[i] = bz
		}
		if err := nonEmpty("proof init", m.ProofInit); err != nil {
			return nil, err
		}
		cp, err := marshal(&m.Counterparty)
		if err != nil {
			return nil, err
		}
		return &connection.MsgConnectionOpenTry{ClientId: m.ClientId, Counterparty: cp, CounterpartyVersions: versions,
			ProofInit: m.ProofInit, ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight,
			Signer: from}, nil
	})
	register(ModuleConnection, func(m *connectiontypes.MsgConnectionOpenAck) string { return m.Signer }, func(m *connectiontypes.MsgConnectionOpenAck, from []byte) (gogoproto.Message, error) {
		if !connectiontypes.IsValidConnectionID(m.ConnectionId) {
			return nil, invalid("connection id %q", m.ConnectionId)
		}
		if err := host.ConnectionIdentifierValidator(m.CounterpartyConnectionId); err != nil {
			return nil, wrapInvalid("counterparty connection id", err)
		}
		if err := connectiontypes.ValidateVersion(m.Version); err != nil {
			return nil, wrapInvalid("version", err)
		}
		if err := nonEmpty("proof try", m.ProofTry); err != nil {
			return nil, err
		}
		version, err := marshal(m.Version)
		if err != nil {
			return nil, err
		}
		return &connection.MsgConnectionOpenAck{ConnectionId: m.ConnectionId, CounterpartyConnectionId: m.CounterpartyConnectionId,
			Version: version, ProofTry: m.ProofTry,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
	register(ModuleConnection, func(m *connectiontypes.MsgConnectionOpenConfirm) string { return m.Signer }, func(m *connectiontypes.MsgConnectionOpenConfirm, from []byte) (gogoproto.Message, error) {
		if !connectiontypes.IsValidConnectionID(m.ConnectionId) {
			return nil, invalid("connection id %q", m.ConnectionId)
		}
		if err := nonEmpty("proof ack", m.ProofAck); err != nil {
			return nil, err
		}
		return &connection.MsgConnectionOpenConfirm{ConnectionId: m.ConnectionId, ProofAck: m.ProofAck,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
}

// portChannel checks a port and a channel identifier.
func portChannel(port, ch string) error {
	if err := host.PortIdentifierValidator(port); err != nil {
		return wrapInvalid("port id", err)
	}
	if !channeltypes.IsValidChannelID(ch) {
		return invalid("channel id %q", ch)
	}
	return nil
}

// openChannel checks the channel of an open message, which must be in
// state want, with no counterparty channel for INIT and a valid one for
// TRYOPEN, and encodes it.
func openChannel(port string, ch *channeltypes.Channel, want channeltypes.State) ([]byte, error) {
	if err := host.PortIdentifierValidator(port); err != nil {
		return nil, wrapInvalid("port id", err)
	}
	if ch.State != want {
		return nil, invalid("channel in state %s, want %s", ch.State, want)
	}
	if want == channeltypes.INIT && ch.Counterparty.ChannelId != "" {
		return nil, invalid("counterparty channel id must be empty")
	}
	if want == channeltypes.TRYOPEN {
		if err := host.ChannelIdentifierValidator(ch.Counterparty.ChannelId); err != nil {
			return nil, wrapInvalid("counterparty channel id", err)
		}
	}
	if err := ch.ValidateBasic(); err != nil {
		return nil, wrapInvalid("channel", err)
	}
	return marshal(ch)
}

func registerChannel() {
	register(ModuleChannel, func(m *channeltypes.MsgChannelOpenInit) string { return m.Signer }, func(m *channeltypes.MsgChannelOpenInit, from []byte) (gogoproto.Message, error) {
		ch, err := openChannel(m.PortId, &m.Channel, channeltypes.INIT)
		if err != nil {
			return nil, err
		}
		return &channel.MsgChannelOpenInit{PortId: m.PortId, Channel: ch, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgChannelOpenTry) string { return m.Signer }, func(m *channeltypes.MsgChannelOpenTry, from []byte) (gogoproto.Message, error) {
		if m.PreviousChannelId != "" {
			return nil, invalid("previous channel id must be empty")
		}
		ch, err := openChannel(m.PortId, &m.Channel, channeltypes.TRYOPEN)
		if err != nil {
			return nil, err
		}
		if err := nonEmpty("proof init", m.ProofInit); err != nil {
			return nil, err
		}
		return &channel.MsgChannelOpenTry{PortId: m.PortId, Channel: ch, CounterpartyVersion: m.CounterpartyVersion,
			ProofInit: m.ProofInit, ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight,
			Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgChannelOpenAck) string { return m.Signer }, func(m *channeltypes.MsgChannelOpenAck, from []byte) (gogoproto.Message, error) {
		if err := portChannel(m.PortId, m.ChannelId); err != nil {
			return nil, err
		}
		if err := host.ChannelIdentifierValidator(m.CounterpartyChannelId); err != nil {
			return nil, wrapInvalid("counterparty channel id", err)
		}
		if err := nonEmpty("proof try", m.ProofTry); err != nil {
			return nil, err
		}
		return &channel.MsgChannelOpenAck{PortId: m.PortId, ChannelId: m.ChannelId, CounterpartyChannelId: m.CounterpartyChannelId,
			CounterpartyVersion: m.CounterpartyVersion, ProofTry: m.ProofTry,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgChannelOpenConfirm) string { return m.Signer }, func(m *channeltypes.MsgChannelOpenConfirm, from []byte) (gogoproto.Message, error) {
		if err := portChannel(m.PortId, m.ChannelId); err != nil {
			return nil, err
		}
		if err := nonEmpty("proof ack", m.ProofAck); err != nil {
			return nil, err
		}
		return &channel.MsgChannelOpenConfirm{PortId: m.PortId, ChannelId: m.ChannelId, ProofAck: m.ProofAck,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgChannelCloseInit) string { return m.Signer }, func(m *channeltypes.MsgChannelCloseInit, from []byte) (gogoproto.Message, error) {
		if err := portChannel(m.PortId, m.ChannelId); err != nil {
			return nil, err
		}
		return &channel.MsgChannelCloseInit{PortId: m.PortId, ChannelId: m.ChannelId, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgChannelCloseConfirm) string { return m.Signer }, func(m *channeltypes.MsgChannelCloseConfirm, from []byte) (gogoproto.Message, error) {
		if err := portChannel(m.PortId, m.ChannelId); err != nil {
			return nil, err
		}
		if err := nonEmpty("proof init", m.ProofInit); err != nil {
			return nil, err
		}
		return &channel.MsgChannelCloseConfirm{PortId: m.PortId, ChannelId: m.ChannelId, ProofInit: m.ProofInit,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
}

// packetBytes checks a packet as ibc-go does and encodes it.
func packetBytes(p *channeltypes.Packet) ([]byte, error) {
	if err := p.ValidateBasic(); err != nil {
		return nil, wrapInvalid("packet", err)
	}
	return marshal(p)
}

func registerPacket() {
	register(ModuleChannel, func(m *channeltypes.MsgRecvPacket) string { return m.Signer }, func(m *channeltypes.MsgRecvPacket, from []byte) (gogoproto.Message, error) {
		if err := nonEmpty("proof commitment", m.ProofCommitment); err != nil {
			return nil, err
		}
		p, err := packetBytes(&m.Packet)
		if err != nil {
			return nil, err
		}
		return &packet.MsgRecvPacket{Packet: p, ProofCommitment: m.ProofCommitment,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgAcknowledgement) string { return m.Signer }, func(m *channeltypes.MsgAcknowledgement, from []byte) (gogoproto.Message, error) {
		if err := nonEmpty("proof acked", m.ProofAcked); err != nil {
			return nil, err
		}
		if len(m.Acknowledgement) == 0 {
			return nil, invalid("empty acknowledgement")
		}
		p, err := packetBytes(&m.Packet)
		if err != nil {
			return nil, err
		}
		return &packet.MsgAcknowledgement{Packet: p, Acknowledgement: m.Acknowledgement, ProofAcked: m.ProofAcked,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight, Signer: from}, nil
	})
	register(ModuleChannel, func(m *channeltypes.MsgTimeout) string { return m.Signer }, func(m *channeltypes.MsgTimeout, from []byte) (gogoproto.Message, error) {
		if err := nonEmpty("proof unreceived", m.ProofUnreceived); err != nil {
			return nil, err
		}
		if m.NextSequenceRecv == 0 {
			return nil, invalid("next sequence receive cannot be 0")
		}
		p, err := packetBytes(&m.Packet)
		if err != nil {
			return nil, err
		}
		return &packet.MsgTimeout{Packet: p, ProofUnreceived: m.ProofUnreceived,
			ProofRevisionNumber: m.ProofHeight.RevisionNumber, ProofRevisionHeight: m.ProofHeight.RevisionHeight,
			NextSequenceRecv: m.NextSequenceRecv, Signer: from}, nil
	})
}
