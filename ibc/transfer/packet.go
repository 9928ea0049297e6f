package transfer

import (
	"encoding/json"
	"fmt"
	"strings"
)

// FungibleTokenPacketData is the ICS-20 v1 packet data. Its JSON encoding
// (GetBytes) is the wire format: the fields in this order, empty ones left
// out, the same bytes as ibc-go v10's type of the same name.
type FungibleTokenPacketData struct {
	// Denom is the denomination as the sender knows it, with its trace.
	Denom string `json:"denom,omitempty"`
	// Amount is a decimal integer.
	Amount string `json:"amount,omitempty"`
	// Sender is the sender's address on the sending chain.
	Sender string `json:"sender,omitempty"`
	// Receiver is the receiver's address on the receiving chain.
	Receiver string `json:"receiver,omitempty"`
	// Memo is free text for the receiving chain.
	Memo string `json:"memo,omitempty"`
}

// GetBytes returns the JSON encoding of d.
func (d FungibleTokenPacketData) GetBytes() []byte {
	bz, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("transfer: JSON encoding of string fields failed: %v", err))
	}
	return bz
}

// DecodePacketData decodes and checks ICS-20 packet data. It returns
// ErrInvalidPacketData for bytes that are not a JSON object of the packet's
// fields or lack the sender or receiver, ErrInvalidDenom for a denomination
// that checkDenom refuses and ErrInvalidAmount for an amount that is not a
// positive integer that fits 64 bits. On success it also returns the
// amount.
func DecodePacketData(bz []byte) (FungibleTokenPacketData, uint64, error) {
	var d FungibleTokenPacketData
	if err := json.Unmarshal(bz, &d); err != nil {
		return d, 0, fmt.Errorf("%w: %v", ErrInvalidPacketData, err)
	}
	amount, err := parseAmount(d.Amount)
	if err != nil {
		return d, 0, err
	}
	if strings.TrimSpace(d.Sender) == "" {
		return d, 0, fmt.Errorf("%w: blank sender", ErrInvalidPacketData)
	}
	if strings.TrimSpace(d.Receiver) == "" {
		return d, 0, fmt.Errorf("%w: blank receiver", ErrInvalidPacketData)
	}
	if err := checkDenom(d.Denom); err != nil {
		return d, 0, err
	}
	return d, amount, nil
}
