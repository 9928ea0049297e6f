// Package client is how a program talks to an icsd node from outside: a
// Client runs ABCI queries with JSON answers over CometBFT RPC, learns the
// chain id, and signs and broadcasts transactions with the account's nonce
// and the chain's minimum fee; a Submitter does the same for one key and
// serves the relayer.
//
// The keys live in a file keyring, the directory HOME/keyring with one
// file per named ed25519 account key, readable by its owner only
// (Keyring: OpenKeyring, Add, Recover, Load, Find, List, Delete, Export,
// Import). Its backend is recorded in the directory: a file keyring
// encrypts every key with the keyring's passphrase (scrypt, then
// XChaCha20-Poly1305; the format is in keyfile.go), a test keyring keeps
// them in the clear for test and development networks. A keyring from
// before backends is a test keyring. A new key comes from a 24-word BIP-39
// mnemonic by SLIP-0010 ed25519 derivation on HDPath (mnemonic.go), so
// that the mnemonic restores it. The package functions AddKey, SaveKey,
// LoadKey, LoadOrAddKey and ListKeys serve test homes: a new keyring they
// open is a test one, and a file keyring's passphrase comes from
// ICSD_KEYRING_PASSPHRASE.
//
// The package holds no command-line code: the icsd commands parse their
// flags and call it.
package client
