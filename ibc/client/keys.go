package client

import (
	"encoding/binary"
	"strconv"
	"strings"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/ibc/commitment"
)

// ClientType is the type of every client this package creates; client
// identifiers are ClientType + "-" + a sequence number.
const ClientType = "07-tendermint"

// The client state and consensus states live under their ICS-24 paths in
// the "ibc" store (commitment.ClientStatePath and
// commitment.ConsensusStatePath), so that the counterparty can prove them.
// The package's own bookkeeping lives under keys that start with
// metaPrefix, a byte no ICS-24 path (printable ASCII) starts with. These
// bytes are part of the state layout and must never change; a test freezes
// them.
const (
	metaPrefix          byte = 0x00
	keyClientSequence   byte = 0x01 // metaPrefix | 0x01 -> ClientSequence
	prefixConsensusMeta byte = 0x02 // metaPrefix | 0x02 | len(id) | id | revision (8) | height (8) -> ConsensusMetadata
)

// maxClientIDLen bounds client identifiers (as ICS-24 does), so that the
// identifier's length fits in one byte of a key.
const maxClientIDLen = 64

// ClientID returns the identifier of the n-th client (counting from 0).
func ClientID(n uint64) string {
	return ClientType + "-" + strconv.FormatUint(n, 10)
}

// validClientID reports whether id has the form of an identifier that
// this package generates: "07-tendermint-" and a decimal number without
// leading zeros.
func validClientID(id string) bool {
	if len(id) > maxClientIDLen {
		return false
	}
	num, ok := strings.CutPrefix(id, ClientType+"-")
	if !ok || num == "" || (len(num) > 1 && num[0] == '0') {
		return false
	}
	_, err := strconv.ParseUint(num, 10, 64)
	return err == nil
}

// clientSequenceKey is the key of the number of clients created.
func clientSequenceKey() []byte { return []byte{metaPrefix, keyClientSequence} }

// consensusMetaPrefix is the prefix of the metadata keys of one client's
// consensus states; they sort by height.
func consensusMetaPrefix(clientID string) []byte {
	k := make([]byte, 0, 3+len(clientID)+16)
	k = append(k, metaPrefix, prefixConsensusMeta, byte(len(clientID)))
	return append(k, clientID...)
}

// heightBytes encodes a height so that byte order is height order.
func heightBytes(h clienttypes.Height) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, h.RevisionNumber)
	binary.BigEndian.PutUint64(b[8:], h.RevisionHeight)
	return b
}

// ConsensusMetaKey is the store key of the metadata of the consensus state
// of clientID at height h.
func ConsensusMetaKey(clientID string, h clienttypes.Height) []byte {
	return append(consensusMetaPrefix(clientID), heightBytes(h)...)
}

// heightFromMetaKey returns the height encoded at the end of a metadata
// key under prefix p.
func heightFromMetaKey(p, key []byte) (clienttypes.Height, bool) {
	if len(key) != len(p)+16 {
		return clienttypes.Height{}, false
	}
	b := key[len(p):]
	return clienttypes.NewHeight(binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])), true
}

// clientStateKey and consensusStateKey are the ICS-24 keys.
func clientStateKey(clientID string) []byte { return []byte(commitment.ClientStatePath(clientID)) }

func consensusStateKey(clientID string, h clienttypes.Height) []byte {
	return []byte(commitment.ConsensusStatePath(clientID, h))
}
