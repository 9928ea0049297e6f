package client

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// A key file is HOME/keyring/NAME.json, readable by its owner only, in one
// of two formats.
//
// The test backend's file (and every key file written before the keyring
// had backends) holds the key in the clear:
//
//	{"name": "alice", "priv_key": "<base64 of the 64-byte ed25519 key>"}
//
// A secp256k1 key (keys add --algo secp256k1, for Cosmos SDK signers such
// as stock relayers) adds "algo": "secp256k1" and holds the 32-byte
// secp256k1 private key; its public key is the 33-byte compressed one. A
// file without "algo" is ed25519.
//
// The file backend's file, version 1, holds it encrypted:
//
//	{
//	  "name": "alice",
//	  "version": 1,
//	  "pub_key": "<base64 of the 32-byte ed25519 public key>",
//	  "kdf": {"name": "scrypt", "salt": "<base64, 32 random bytes>", "n": 32768, "r": 8, "p": 1},
//	  "cipher": "xchacha20-poly1305",
//	  "nonce": "<base64, 24 random bytes>",
//	  "ciphertext": "<base64>"
//	}
//
// The 32-byte encryption key is scrypt(passphrase, salt, n, r, p); the
// plaintext is the 64-byte ed25519 private key (seed then public key); the
// additional data the AEAD authenticates is "icsd-key-v1" followed by the
// public key, which stays in the clear so that a key can be listed and
// found by address without the passphrase. A file whose public key was
// changed does not open. Every file has its own salt and nonce. An export
// (Keyring.Export) is the same object without the name, encrypted with the
// export passphrase, in a PEM block of type "ICSD PRIVATE KEY".

const (
	keyFileVersion = 1
	kdfScrypt      = "scrypt"
	cipherName     = "xchacha20-poly1305"
	exportPEMType  = "ICSD PRIVATE KEY"
	aadPrefix      = "icsd-key-v1"

	scryptR = 8
	scryptP = 1
	saltLen = 32

	// MinPassphraseLen is the shortest passphrase a key is encrypted with.
	MinPassphraseLen = 8
)

// scryptN is scrypt's cost of new files (32 MiB of memory with r = 8); the
// package's tests lower it to be fast.
var scryptN = 1 << 15

type kdfParams struct {
	Name string `json:"name"`
	Salt []byte `json:"salt"`
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
}

// The algorithms of account keys. Key files name only secp256k1 (an
// ed25519 file has no "algo").
const (
	AlgoEd25519   = "ed25519"
	AlgoSecp256k1 = "secp256k1"
)

// keySizes returns the private and public key sizes of algo as a key file
// names it ("" is ed25519).
func keySizes(algo string) (priv, pub int, ok bool) {
	switch algo {
	case "":
		return ed25519.PrivateKeySize, ed25519.PubKeySize, true
	case AlgoSecp256k1:
		return secp256k1.PrivKeySize, secp256k1.PubKeySize, true
	}
	return 0, 0, false
}

// publicKey returns the public key of a private key of algo, whose size
// keySizes checked.
func publicKey(algo string, priv []byte) []byte {
	if algo == AlgoSecp256k1 {
		return (&secp256k1.PrivKey{Key: priv}).PubKey().Bytes()
	}
	return ed25519.PrivKey(priv).PubKey().Bytes()
}

// keyFile is both formats: PrivKey is set in a test file, Version and the
// fields after it in an encrypted one.
type keyFile struct {
	Name       string     `json:"name,omitempty"`
	Algo       string     `json:"algo,omitempty"`
	PrivKey    []byte     `json:"priv_key,omitempty"`
	Version    int        `json:"version,omitempty"`
	PubKey     []byte     `json:"pub_key,omitempty"`
	KDF        *kdfParams `json:"kdf,omitempty"`
	Cipher     string     `json:"cipher,omitempty"`
	Nonce      []byte     `json:"nonce,omitempty"`
	Ciphertext []byte     `json:"ciphertext,omitempty"`
}

func (f *keyFile) encrypted() bool { return f.Version != 0 }

// parseKeyFile decodes and checks the shape of a key file.
func parseKeyFile(bz []byte) (*keyFile, error) {
	var f keyFile
	if err := json.Unmarshal(bz, &f); err != nil {
		return nil, fmt.Errorf("corrupt key file: %w", err)
	}
	privLen, pubLen, ok := keySizes(f.Algo)
	switch {
	case !ok:
		return nil, fmt.Errorf("key file of algorithm %q: this icsd reads %s and %s keys", f.Algo, AlgoEd25519, AlgoSecp256k1)
	case f.Version == 0:
		if len(f.PrivKey) != privLen {
			return nil, fmt.Errorf("corrupt key file: private key is %d bytes", len(f.PrivKey))
		}
	case f.Version != keyFileVersion:
		return nil, fmt.Errorf("key file version %d: this icsd reads version %d", f.Version, keyFileVersion)
	case len(f.PubKey) != pubLen:
		return nil, fmt.Errorf("corrupt key file: public key is %d bytes", len(f.PubKey))
	case f.KDF == nil || f.KDF.Name != kdfScrypt || len(f.KDF.Salt) < 16:
		return nil, errors.New("corrupt key file: want scrypt with a salt of 16 bytes or more")
	case f.KDF.N < 2 || f.KDF.N > 1<<20 || f.KDF.N&(f.KDF.N-1) != 0 || f.KDF.R < 1 || f.KDF.R > 32 || f.KDF.P < 1 || f.KDF.P > 16:
		return nil, fmt.Errorf("corrupt key file: scrypt parameters n=%d r=%d p=%d out of range", f.KDF.N, f.KDF.R, f.KDF.P)
	case f.Cipher != cipherName || len(f.Nonce) != chacha20poly1305.NonceSizeX:
		return nil, fmt.Errorf("corrupt key file: want %s with a %d-byte nonce", cipherName, chacha20poly1305.NonceSizeX)
	}
	return &f, nil
}

// pubKey returns the key's public key, which both formats give without a
// passphrase.
func (f *keyFile) pubKey() []byte {
	if f.encrypted() {
		return f.PubKey
	}
	return publicKey(f.Algo, f.PrivKey)
}

func aead(pass []byte, k *kdfParams) (cipher.AEAD, error) {
	key, err := scrypt.Key(pass, k.Salt, k.N, k.R, k.P, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

// sealKey returns priv, a key of algo ("" for ed25519), encrypted with
// pass in a new version 1 file with a fresh salt and nonce.
func sealKey(name, algo string, priv []byte, pass []byte) (*keyFile, error) {
	f := &keyFile{Name: name, Algo: algo, Version: keyFileVersion, PubKey: publicKey(algo, priv), Cipher: cipherName,
		KDF: &kdfParams{Name: kdfScrypt, Salt: make([]byte, saltLen), N: scryptN, R: scryptR, P: scryptP}, Nonce: make([]byte, chacha20poly1305.NonceSizeX)}
	if _, err := rand.Read(f.KDF.Salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(f.Nonce); err != nil {
		return nil, err
	}
	c, err := aead(pass, f.KDF)
	if err != nil {
		return nil, err
	}
	f.Ciphertext = c.Seal(nil, f.Nonce, priv, append([]byte(aadPrefix), f.PubKey...))
	return f, nil
}

// privKey returns the file's private key: in the clear, or decrypted with
// pass, failing with ErrWrongPassphrase when it does not open or does not
// match the public key.
func (f *keyFile) privKey(pass []byte) ([]byte, error) {
	if !f.encrypted() {
		return f.PrivKey, nil
	}
	c, err := aead(pass, f.KDF)
	if err != nil {
		return nil, err
	}
	bz, err := c.Open(nil, f.Nonce, f.Ciphertext, append([]byte(aadPrefix), f.PubKey...))
	privLen, _, _ := keySizes(f.Algo)
	if err != nil || len(bz) != privLen || !bytes.Equal(publicKey(f.Algo, bz), f.PubKey) {
		return nil, ErrWrongPassphrase
	}
	return bz, nil
}

// armorKey returns priv encrypted with pass as a PEM block.
func armorKey(priv ed25519.PrivKey, pass []byte) ([]byte, error) {
	f, err := sealKey("", "", priv, pass)
	if err != nil {
		return nil, err
	}
	bz, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: exportPEMType, Headers: map[string]string{"version": "1"}, Bytes: bz}), nil
}

// unarmorKey reads an export made by armorKey and decrypts it with pass.
func unarmorKey(armored, pass []byte) (ed25519.PrivKey, error) {
	b, _ := pem.Decode(armored)
	if b == nil || b.Type != exportPEMType {
		return nil, fmt.Errorf("not an exported key: want a PEM block of type %q", exportPEMType)
	}
	f, err := parseKeyFile(b.Bytes)
	if err != nil {
		return nil, err
	}
	if !f.encrypted() {
		return nil, errors.New("corrupt export: the key is not encrypted")
	}
	if f.Algo != "" {
		return nil, fmt.Errorf("export of a %s key: only ed25519 keys are exported", f.Algo)
	}
	return f.privKey(pass)
}
