package client

import "errors"

// The keyring's errors, for callers to branch on with errors.Is.
var (
	// ErrKeyNotFound is returned for a name or address no key of the
	// keyring has.
	ErrKeyNotFound = errors.New("key not found")
	// ErrKeyExists is returned when a key is saved under a name in use.
	ErrKeyExists = errors.New("key already exists")
	// ErrWrongPassphrase is returned when an encrypted key file does not
	// open: the passphrase is wrong or the file was altered.
	ErrWrongPassphrase = errors.New("wrong passphrase or corrupt key file")
	// ErrPassphraseNeeded is returned when an encrypted key is used and
	// no passphrase can be had.
	ErrPassphraseNeeded = errors.New("keyring passphrase needed")
	// ErrInvalidMnemonic is returned for a mnemonic that is not a valid
	// BIP-39 English sentence (words, length or checksum).
	ErrInvalidMnemonic = errors.New("invalid BIP-39 mnemonic")
	// ErrNotEd25519 is returned when a secp256k1 key is loaded to sign:
	// icsd signs with ed25519 keys.
	ErrNotEd25519 = errors.New("not an ed25519 key")
)
