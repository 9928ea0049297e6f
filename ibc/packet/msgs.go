package packet

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
)

// The Handle* methods run the chain's packet transactions. Each checks
// that the transaction signer is the message's signer (ErrUnauthorized),
// decodes the packet carried as bytes (ErrInvalidMessage) and runs the
// keeper step of the same name, whose errors it returns. Nothing is
// written on error. The signer of a packet message is the relayer passed
// to the application.

// decodePacket decodes a packet field; an empty field is refused.
func decodePacket(bz []byte) (channeltypes.Packet, error) {
	var p channeltypes.Packet
	if len(bz) == 0 {
		return p, fmt.Errorf("%w: empty packet", ErrInvalidMessage)
	}
	if err := p.Unmarshal(bz); err != nil {
		return p, fmt.Errorf("%w: packet: %v", ErrInvalidMessage, err)
	}
	return p, nil
}

func proofHeight(revision, height uint64) clienttypes.Height {
	return clienttypes.NewHeight(revision, height)
}

// HandleRecvPacket runs RecvPacket with the signer as relayer.
func (k *Keeper) HandleRecvPacket(s state.Store, height int64, now time.Time, signer []byte, m *MsgRecvPacket) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	p, err := decodePacket(m.Packet)
	if err != nil {
		return nil, err
	}
	_, events, err := k.RecvPacket(s, height, now, p, m.ProofCommitment,
		proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight), m.Signer)
	return events, err
}

// HandleAcknowledgement runs AcknowledgePacket with the signer as relayer.
func (k *Keeper) HandleAcknowledgement(s state.Store, height int64, now time.Time, signer []byte, m *MsgAcknowledgement) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	p, err := decodePacket(m.Packet)
	if err != nil {
		return nil, err
	}
	return k.AcknowledgePacket(s, height, now, p, m.Acknowledgement, m.ProofAcked,
		proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight), m.Signer)
}

// HandleTimeout runs TimeoutPacket with the signer as relayer.
func (k *Keeper) HandleTimeout(s state.Store, height int64, now time.Time, signer []byte, m *MsgTimeout) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	p, err := decodePacket(m.Packet)
	if err != nil {
		return nil, err
	}
	return k.TimeoutPacket(s, height, now, p, m.ProofUnreceived,
		proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight), m.NextSequenceRecv, m.Signer)
}
