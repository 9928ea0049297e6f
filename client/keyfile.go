package client

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
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

// keyFile is both formats: PrivKey is set in a test file, Version and the
// fields after it in an encrypted one.
type keyFile struct {
	Name       string     `json:"name,omitempty"`
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
	switch {
	case f.Version == 0:
		if len(f.PrivKey) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("corrupt key file: private key is %d bytes", len(f.PrivKey))
		}
	case f.Version != keyFileVersion:
		return nil, fmt.Errorf("key file version %d: this icsd reads version %d", f.Version, keyFileVersion)
	case len(f.PubKey) != ed25519.PubKeySize:
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
func (f *keyFile) pubKey() ed25519.PubKey {
	if f.encrypted() {
		return ed25519.PubKey(f.PubKey)
	}
	return ed25519.PrivKey(f.PrivKey).PubKey().(ed25519.PubKey)
}

func aead(pass []byte, k *kdfParams) (cipher.AEAD, error) {
	key, err := scrypt.Key(pass, k.Salt, k.N, k.R, k.P, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

// sealKey returns priv encrypted with pass in a new version 1 file with a
// fresh salt and nonce.
func sealKey(name string, priv ed25519.PrivKey, pass []byte) (*keyFile, error) {
	f := &keyFile{Name: name, Version: keyFileVersion, PubKey: priv.PubKey().Bytes(), Cipher: cipherName,
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
func (f *keyFile) privKey(pass []byte) (ed25519.PrivKey, error) {
	if !f.encrypted() {
		return ed25519.PrivKey(f.PrivKey), nil
	}
	c, err := aead(pass, f.KDF)
	if err != nil {
		return nil, err
	}
	bz, err := c.Open(nil, f.Nonce, f.Ciphertext, append([]byte(aadPrefix), f.PubKey...))
	if err != nil || len(bz) != ed25519.PrivateKeySize {
		return nil, ErrWrongPassphrase
	}
	priv := ed25519.PrivKey(bz)
	if !priv.PubKey().Equals(ed25519.PubKey(f.PubKey)) {
		return nil, ErrWrongPassphrase
	}
	return priv, nil
}

// armorKey returns priv encrypted with pass as a PEM block.
func armorKey(priv ed25519.PrivKey, pass []byte) ([]byte, error) {
	f, err := sealKey("", priv, pass)
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
	return f.privKey(pass)
}
