package client

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"strings"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	bip39 "github.com/cosmos/go-bip39"
)

// Account keys made from a mnemonic follow BIP-39 and SLIP-0010:
//
//  1. the mnemonic is 24 English words (256 bits of entropy and a
//     checksum), normalized to lower case words separated by one space;
//  2. the 64-byte seed is BIP-39's PBKDF2-HMAC-SHA512 of the mnemonic with
//     an empty BIP-39 passphrase;
//  3. the ed25519 private key is SLIP-0010's ed25519 derivation from the
//     seed on HDPath, every level hardened (SLIP-0010 has no other kind for
//     ed25519): 44' for BIP-44, 118' the Cosmos coin type, account 0',
//     change 0', index 0';
//  4. the 32 bytes it gives are the RFC 8032 seed of the ed25519 key.
//
// The same mnemonic therefore always gives the same account, in icsd or in
// any wallet that implements SLIP-0010 ed25519 on the same path.

// HDPath is the SLIP-0010 derivation path of account keys.
const HDPath = "m/44'/118'/0'/0'/0'"

// MnemonicWords is how many words NewMnemonic gives.
const MnemonicWords = 24

var hdPath = []uint32{44, 118, 0, 0, 0}

const hardened = 0x80000000

// NewMnemonic returns a new random 24-word BIP-39 mnemonic.
func NewMnemonic() (string, error) {
	entropy, err := bip39.NewEntropy(256)
	if err != nil {
		return "", err
	}
	return bip39.NewMnemonic(entropy)
}

// NormalizeMnemonic returns mnemonic in lower case with single spaces, or
// ErrInvalidMnemonic when it is not a valid BIP-39 English mnemonic (its
// words, their number or its checksum).
func NormalizeMnemonic(mnemonic string) (string, error) {
	m := strings.Join(strings.Fields(strings.ToLower(mnemonic)), " ")
	if !bip39.IsMnemonicValid(m) {
		return "", fmt.Errorf("%w: want 12 to 24 words of the English word list", ErrInvalidMnemonic)
	}
	if _, err := bip39.MnemonicToByteArray(m); err != nil {
		return "", fmt.Errorf("%w: bad checksum", ErrInvalidMnemonic)
	}
	return m, nil
}

// KeyFromMnemonic returns the account key called name that mnemonic
// derives on HDPath. It fails with ErrInvalidMnemonic.
func KeyFromMnemonic(name, mnemonic string) (Key, error) {
	m, err := NormalizeMnemonic(mnemonic)
	if err != nil {
		return Key{}, err
	}
	seed, err := bip39.NewSeedWithErrorChecking(m, "")
	if err != nil {
		return Key{}, fmt.Errorf("%w: %w", ErrInvalidMnemonic, err)
	}
	k, _ := deriveEd25519(seed, hdPath)
	return Key{Name: name, Priv: cmted25519.PrivKey(ed25519.NewKeyFromSeed(k[:]))}, nil
}

// deriveEd25519 returns the SLIP-0010 ed25519 private key and chain code
// at path (each index hardened here) of the master key of seed.
func deriveEd25519(seed []byte, path []uint32) (key, chainCode [32]byte) {
	split := func(i []byte) {
		copy(key[:], i[:32])
		copy(chainCode[:], i[32:])
	}
	mac := hmac.New(sha512.New, []byte("ed25519 seed"))
	mac.Write(seed)
	split(mac.Sum(nil))
	for _, idx := range path {
		var data [1 + 32 + 4]byte
		copy(data[1:33], key[:])
		binary.BigEndian.PutUint32(data[33:], idx|hardened)
		mac := hmac.New(sha512.New, chainCode[:])
		mac.Write(data[:])
		split(mac.Sum(nil))
	}
	return key, chainCode
}

// SDKHDPath is the BIP-32 path of secp256k1 account keys, the Cosmos SDK's
// and the Go relayer's default for coin type 118.
const SDKHDPath = "m/44'/118'/0'/0/0"

// Secp256k1FromMnemonic returns the 32-byte secp256k1 private key that
// mnemonic derives as the Cosmos SDK derives it (BIP-39 seed with an
// empty passphrase, BIP-32 on SDKHDPath), so that a relayer given the same
// mnemonic signs for the same account. It fails with ErrInvalidMnemonic.
func Secp256k1FromMnemonic(mnemonic string) ([]byte, error) {
	m, err := NormalizeMnemonic(mnemonic)
	if err != nil {
		return nil, err
	}
	priv, err := hd.Secp256k1.Derive()(m, "", SDKHDPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMnemonic, err)
	}
	return priv, nil
}
