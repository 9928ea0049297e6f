// Package address derives account addresses and encodes them in bech32
// (BIP-173) with a per-chain human-readable prefix.
//
// An account address is the first 20 bytes of the SHA-256 of the account's
// ed25519 public key. A module account (the fee collector, later the
// staking pools) has the first 20 bytes of the SHA-256 of its name.
package address

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// Len is the length of an address in bytes.
const Len = 20

// ErrInvalid is returned for a string or byte slice that is not an address.
var ErrInvalid = errors.New("invalid address")

// FromPubKey returns the address of an ed25519 public key.
func FromPubKey(pub []byte) []byte {
	h := sha256.Sum256(pub)
	return h[:Len]
}

// Module returns the address of the module account called name.
func Module(name string) []byte {
	h := sha256.Sum256([]byte(name))
	return h[:Len]
}

// Encode returns the bech32 form of addr under prefix. It panics on an
// address of the wrong length, which is a programming error.
func Encode(prefix string, addr []byte) string {
	if len(addr) != Len {
		panic(fmt.Sprintf("address: encode %d-byte address", len(addr)))
	}
	s, err := bech32Encode(prefix, addr)
	if err != nil {
		panic(fmt.Sprintf("address: encode under prefix %q: %v", prefix, err))
	}
	return s
}

// Show returns the bech32 form of addr under prefix, or "" when addr is
// not an address (query answers show a missing or malformed one as
// empty). It still panics on an invalid prefix, a programming error.
func Show(prefix string, addr []byte) string {
	if len(addr) != Len {
		return ""
	}
	return Encode(prefix, addr)
}

// Decode parses a bech32 address and checks its prefix (skipped when prefix
// is empty). It returns ErrInvalid for anything that is not a 20-byte
// address under that prefix.
func Decode(prefix, s string) ([]byte, error) {
	hrp, data, err := bech32Decode(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
	}
	if prefix != "" && hrp != prefix {
		return nil, fmt.Errorf("%w: %q has prefix %q, want %q", ErrInvalid, s, hrp, prefix)
	}
	if len(data) != Len {
		return nil, fmt.Errorf("%w: %q holds %d bytes, want %d", ErrInvalid, s, len(data), Len)
	}
	return data, nil
}

// ValidatePrefix checks a human-readable prefix: 1 to 32 lower-case letters
// or digits.
func ValidatePrefix(p string) error {
	if len(p) == 0 || len(p) > 32 || strings.ToLower(p) != p {
		return fmt.Errorf("%w: prefix %q must be 1 to 32 lower-case characters", ErrInvalid, p)
	}
	for _, c := range []byte(p) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return fmt.Errorf("%w: prefix %q has %q", ErrInvalid, p, c)
		}
	}
	return nil
}
