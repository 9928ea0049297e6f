package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/types/address"
)

// The keyring is the directory HOME/keyring: one file per key (its format
// is in keyfile.go) and the file "backend", which records how the keyring
// writes keys:
//
//   - file: encrypted with the keyring's passphrase, the default of
//     `icsd keys add` in a new keyring;
//   - test: in the clear, like CometBFT's own priv_validator_key.json, for
//     test and development networks (icsd init, icsd testnet).
//
// A keyring without the record that holds keys was written before there
// were backends and is a test keyring (a file keyring if a key is
// encrypted, which only a lost record explains); the record is written
// with the next key. Reading goes by each file's own format, so a file keyring also
// loads a key file in the clear.

// Backend is how a keyring stores its keys.
type Backend string

// The keyring backends.
const (
	BackendFile Backend = "file"
	BackendTest Backend = "test"
)

// EnvKeyringPassphrase is the environment variable EnvPassphrase reads.
const EnvKeyringPassphrase = "ICSD_KEYRING_PASSPHRASE"

// ParseBackend returns the backend called s.
func ParseBackend(s string) (Backend, error) {
	switch b := Backend(s); b {
	case BackendFile, BackendTest:
		return b, nil
	}
	return "", fmt.Errorf("unknown keyring backend %q: use file or test", s)
}

var keyNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Key is a named ed25519 account key.
type Key struct {
	Name string
	Priv ed25519.PrivKey
}

// Address returns the key's account address.
func (k Key) Address() []byte { return address.FromPubKey(k.Priv.PubKey().Bytes()) }

// KeyInfo is what the keyring tells of a key without its passphrase.
type KeyInfo struct {
	Name string
	// Algo is AlgoEd25519 (icsd's own keys) or AlgoSecp256k1 (keys for
	// Cosmos SDK signers), and PubKey the public key of that algorithm.
	Algo      string
	PubKey    []byte
	Encrypted bool
}

// Address returns the key's account address: for a secp256k1 key the
// SDK's, ripemd160(sha256(key)).
func (i KeyInfo) Address() []byte {
	if i.Algo == AlgoSecp256k1 {
		return sdktx.Address(i.PubKey)
	}
	return address.FromPubKey(i.PubKey)
}

// PassphraseFunc returns the keyring's passphrase. confirm is true when the
// passphrase is new (no key of the keyring is encrypted yet), for a prompt
// to ask for it twice.
type PassphraseFunc func(confirm bool) ([]byte, error)

// EnvPassphrase is a PassphraseFunc that reads ICSD_KEYRING_PASSPHRASE;
// without it, it fails with ErrPassphraseNeeded.
func EnvPassphrase(bool) ([]byte, error) {
	if p, ok := os.LookupEnv(EnvKeyringPassphrase); ok {
		return []byte(p), nil
	}
	return nil, fmt.Errorf("%w: set %s", ErrPassphraseNeeded, EnvKeyringPassphrase)
}

// Keyring is the keyring of a home.
type Keyring struct {
	dir      string
	backend  Backend
	recorded bool
	pass     PassphraseFunc
	verified []byte // the passphrase once a key opened with it
}

func keyringDir(home string) string { return filepath.Join(home, "keyring") }

// OpenKeyring opens the keyring of home. Its backend is the one recorded
// there; a keyring without a record is a test keyring if it holds keys
// (file if one of them is encrypted), and otherwise a new keyring of
// backend, recorded with its first key. pass gives the passphrase when an
// encrypted key is written or read; nil means none can be had. It fails
// on an unknown backend, asked for or recorded.
func OpenKeyring(home string, backend Backend, pass PassphraseFunc) (*Keyring, error) {
	if _, err := ParseBackend(string(backend)); err != nil {
		return nil, err
	}
	kr := &Keyring{dir: keyringDir(home), backend: backend, pass: pass}
	bz, err := os.ReadFile(kr.backendFile())
	switch {
	case err == nil:
		b, err := ParseBackend(strings.TrimSpace(string(bz)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kr.backendFile(), err)
		}
		kr.backend, kr.recorded = b, true
	case errors.Is(err, os.ErrNotExist):
		names, err := kr.names()
		if err != nil {
			return nil, err
		}
		if len(names) > 0 {
			kr.backend = BackendTest
		}
		for _, n := range names {
			// A corrupt file fails when its key is used, not here.
			if i, err := kr.Info(n); err == nil && i.Encrypted {
				kr.backend = BackendFile
			}
		}
	default:
		return nil, err
	}
	return kr, nil
}

// Dir returns the keyring's directory.
func (kr *Keyring) Dir() string { return kr.dir }

// Backend returns how the keyring stores keys.
func (kr *Keyring) Backend() Backend { return kr.backend }

func (kr *Keyring) backendFile() string { return filepath.Join(kr.dir, "backend") }

func (kr *Keyring) path(name string) string { return filepath.Join(kr.dir, name+".json") }

func checkName(name string) error {
	if !keyNameRe.MatchString(name) {
		return fmt.Errorf("invalid key name %q: use 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// names returns the names of the keys, sorted.
func (kr *Keyring) names() ([]string, error) {
	entries, err := os.ReadDir(kr.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() && keyNameRe.MatchString(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

func (kr *Keyring) read(name string) (*keyFile, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	bz, err := os.ReadFile(kr.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no key %q in %s", ErrKeyNotFound, name, kr.dir)
	}
	if err != nil {
		return nil, err
	}
	f, err := parseKeyFile(bz)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	return f, nil
}

// Info returns what the keyring tells of key name without its passphrase.
func (kr *Keyring) Info(name string) (KeyInfo, error) {
	f, err := kr.read(name)
	if err != nil {
		return KeyInfo{}, err
	}
	algo := f.Algo
	if algo == "" {
		algo = AlgoEd25519
	}
	return KeyInfo{Name: name, Algo: algo, PubKey: f.pubKey(), Encrypted: f.encrypted()}, nil
}

// List returns every key, sorted by name.
func (kr *Keyring) List() ([]KeyInfo, error) {
	names, err := kr.names()
	if err != nil {
		return nil, err
	}
	out := make([]KeyInfo, 0, len(names))
	for _, n := range names {
		i, err := kr.Info(n)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}

// Find returns the key named s or, when s is a bech32 address (of any
// prefix), the key of that address. It fails with ErrKeyNotFound.
func (kr *Keyring) Find(s string) (KeyInfo, error) {
	if keyNameRe.MatchString(s) {
		i, err := kr.Info(s)
		if !errors.Is(err, ErrKeyNotFound) {
			return i, err
		}
	}
	addr, err := address.Decode("", s)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("%w: no key %q in %s (neither a key name nor an address)", ErrKeyNotFound, s, kr.dir)
	}
	all, err := kr.List()
	if err != nil {
		return KeyInfo{}, err
	}
	for _, i := range all {
		if bytes.Equal(i.Address(), addr) {
			return i, nil
		}
	}
	return KeyInfo{}, fmt.Errorf("%w: no key of address %s in %s", ErrKeyNotFound, s, kr.dir)
}

// Load returns key name, decrypting it with the keyring's passphrase if
// it is encrypted: it fails with ErrKeyNotFound, ErrPassphraseNeeded or
// ErrWrongPassphrase, and with ErrNotEd25519 for a secp256k1 key (icsd
// signs with ed25519 keys; a secp256k1 key is for Cosmos SDK signers,
// which restore it from its mnemonic).
func (kr *Keyring) Load(name string) (Key, error) {
	f, err := kr.read(name)
	if err != nil {
		return Key{}, err
	}
	if f.Algo != "" {
		return Key{}, fmt.Errorf("%w: key %q is a %s key, for Cosmos SDK signers (a relayer restores it from its mnemonic)", ErrNotEd25519, name, f.Algo)
	}
	if !f.encrypted() {
		return Key{Name: name, Priv: ed25519.PrivKey(f.PrivKey)}, nil
	}
	if kr.verified != nil {
		if priv, err := f.privKey(kr.verified); err == nil {
			return Key{Name: name, Priv: priv}, nil
		}
	}
	pass, err := kr.passphrase(false)
	if err != nil {
		return Key{}, err
	}
	priv, err := f.privKey(pass)
	if err != nil {
		return Key{}, fmt.Errorf("key %q: %w", name, err)
	}
	kr.verified = pass
	return Key{Name: name, Priv: priv}, nil
}

func (kr *Keyring) passphrase(confirm bool) ([]byte, error) {
	if kr.pass == nil {
		return nil, fmt.Errorf("%w: the keys in %s are encrypted", ErrPassphraseNeeded, kr.dir)
	}
	return kr.pass(confirm)
}

// writePassphrase returns the passphrase a new key of a file keyring is
// encrypted with: the one its encrypted keys open with, or a new one.
func (kr *Keyring) writePassphrase() ([]byte, error) {
	if kr.verified != nil {
		return kr.verified, nil
	}
	names, err := kr.names()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if i, err := kr.Info(n); err == nil && i.Encrypted {
			_, err := kr.Load(n)
			return kr.verified, err
		}
	}
	pass, err := kr.passphrase(true)
	if err != nil {
		return nil, err
	}
	if len(pass) < MinPassphraseLen {
		return nil, fmt.Errorf("the keyring passphrase must have at least %d characters", MinPassphraseLen)
	}
	kr.verified = pass
	return pass, nil
}

// Save writes k into the keyring, encrypted in a file keyring. It fails
// with ErrKeyExists if the name is taken, and if it is invalid.
func (kr *Keyring) Save(k Key) (Key, error) {
	if err := kr.save(k.Name, "", k.Priv); err != nil {
		return Key{}, err
	}
	return k, nil
}

// save writes the private key priv of algo ("" for ed25519) as key name.
func (kr *Keyring) save(name, algo string, priv []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if privLen, _, _ := keySizes(algo); len(priv) != privLen {
		return fmt.Errorf("key %q: private key is %d bytes", name, len(priv))
	}
	if _, err := os.Stat(kr.path(name)); err == nil {
		return fmt.Errorf("%w: %q in %s", ErrKeyExists, name, kr.dir)
	}
	f := &keyFile{Name: name, Algo: algo, PrivKey: priv}
	if kr.backend == BackendFile {
		pass, err := kr.writePassphrase()
		if err != nil {
			return err
		}
		if f, err = sealKey(name, algo, priv, pass); err != nil {
			return err
		}
	}
	bz, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(kr.dir, 0o700); err != nil {
		return err
	}
	if !kr.recorded {
		if err := os.WriteFile(kr.backendFile(), []byte(string(kr.backend)+"\n"), 0o600); err != nil {
			return err
		}
		kr.recorded = true
	}
	if err := writeNew(kr.path(name), bz); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %q in %s", ErrKeyExists, name, kr.dir)
		}
		return err
	}
	return nil
}

// Encrypt turns the keyring into a file keyring: each key in the clear is
// encrypted with the keyring's passphrase (a new one if no key is
// encrypted yet) and the backend is recorded as file. It returns the names
// of the keys it encrypted. A key file is replaced whole, so an
// interrupted Encrypt leaves every key loadable; run it again to finish.
func (kr *Keyring) Encrypt() ([]string, error) {
	names, err := kr.names()
	if err != nil {
		return nil, err
	}
	var done []string
	for _, n := range names {
		f, err := kr.read(n)
		if err != nil {
			return done, err
		}
		if f.encrypted() {
			continue
		}
		pass, err := kr.writePassphrase()
		if err != nil {
			return done, err
		}
		sealed, err := sealKey(n, f.Algo, f.PrivKey, pass)
		if err != nil {
			return done, err
		}
		bz, err := json.MarshalIndent(sealed, "", "  ")
		if err != nil {
			return done, err
		}
		if err := replaceFile(kr.path(n), bz); err != nil {
			return done, err
		}
		done = append(done, n)
	}
	if err := os.MkdirAll(kr.dir, 0o700); err != nil {
		return done, err
	}
	if err := replaceFile(kr.backendFile(), []byte(string(BackendFile)+"\n")); err != nil {
		return done, err
	}
	kr.backend, kr.recorded = BackendFile, true
	return done, nil
}

// replaceFile writes path whole through a temporary file renamed over it.
func replaceFile(path string, bz []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), bz)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, path)
}

// writeTemp writes bz to a new temporary file of dir, readable by its
// owner only, and returns its path.
func writeTemp(dir string, bz []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, ".new-*.tmp")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(bz)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// writeNew writes a new file whole or not at all: a temporary file first,
// then linked to path, which fails if path exists.
func writeNew(path string, bz []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), bz)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}

// Add creates key name from a new 24-word mnemonic and returns both: the
// mnemonic is not stored.
func (kr *Keyring) Add(name string) (Key, string, error) {
	if err := checkName(name); err != nil {
		return Key{}, "", err
	}
	m, err := NewMnemonic()
	if err != nil {
		return Key{}, "", err
	}
	k, err := KeyFromMnemonic(name, m)
	if err != nil {
		return Key{}, "", err
	}
	k, err = kr.Save(k)
	return k, m, err
}

// Recover saves as name the key mnemonic derives (KeyFromMnemonic).
func (kr *Keyring) Recover(name, mnemonic string) (Key, error) {
	k, err := KeyFromMnemonic(name, mnemonic)
	if err != nil {
		return Key{}, err
	}
	return kr.Save(k)
}

// AddSecp256k1 creates secp256k1 key name from a new 24-word mnemonic
// (Secp256k1FromMnemonic) and returns its description and the mnemonic,
// which is not stored.
func (kr *Keyring) AddSecp256k1(name string) (KeyInfo, string, error) {
	if err := checkName(name); err != nil {
		return KeyInfo{}, "", err
	}
	m, err := NewMnemonic()
	if err != nil {
		return KeyInfo{}, "", err
	}
	i, err := kr.RecoverSecp256k1(name, m)
	return i, m, err
}

// RecoverSecp256k1 saves as name the secp256k1 key mnemonic derives
// (Secp256k1FromMnemonic), as a Cosmos SDK keyring or relayer restores it.
func (kr *Keyring) RecoverSecp256k1(name, mnemonic string) (KeyInfo, error) {
	priv, err := Secp256k1FromMnemonic(mnemonic)
	if err != nil {
		return KeyInfo{}, err
	}
	if err := kr.save(name, AlgoSecp256k1, priv); err != nil {
		return KeyInfo{}, err
	}
	return kr.Info(name)
}

// Delete removes key name.
func (kr *Keyring) Delete(name string) error {
	if _, err := kr.read(name); err != nil {
		return err
	}
	return os.Remove(kr.path(name))
}

// Export returns key name encrypted with exportPass (of at least
// MinPassphraseLen characters) as a PEM block, for Import.
func (kr *Keyring) Export(name string, exportPass []byte) ([]byte, error) {
	if len(exportPass) < MinPassphraseLen {
		return nil, fmt.Errorf("the export passphrase must have at least %d characters", MinPassphraseLen)
	}
	k, err := kr.Load(name)
	if err != nil {
		return nil, err
	}
	return armorKey(k.Priv, exportPass)
}

// Import saves as name the key of an Export, decrypted with exportPass.
// It fails with ErrWrongPassphrase, and as Save does.
func (kr *Keyring) Import(name string, armored, exportPass []byte) (Key, error) {
	if err := checkName(name); err != nil {
		return Key{}, err
	}
	priv, err := unarmorKey(armored, exportPass)
	if err != nil {
		return Key{}, fmt.Errorf("import: %w", err)
	}
	return kr.Save(Key{Name: name, Priv: ed25519.PrivKey(priv)})
}

// ImportValidatorKey saves, as key name, the ed25519 consensus key of a
// CometBFT priv_validator_key.json: the account of a validator's
// consensus key, which operates the validator a consumer's sovereign
// transition creates for it. It fails on a file that is not an ed25519
// validator key, and as Save does.
func (kr *Keyring) ImportValidatorKey(name, file string) (Key, error) {
	bz, err := os.ReadFile(file)
	if err != nil {
		return Key{}, err
	}
	var f struct {
		PrivKey struct {
			Type  string `json:"type"`
			Value []byte `json:"value"`
		} `json:"priv_key"`
	}
	if err := json.Unmarshal(bz, &f); err != nil {
		return Key{}, fmt.Errorf("%s: %w", file, err)
	}
	if f.PrivKey.Type != ed25519.PrivKeyName || len(f.PrivKey.Value) != ed25519.PrivateKeySize {
		return Key{}, fmt.Errorf("%s: not an ed25519 validator key (type %q, %d bytes)", file, f.PrivKey.Type, len(f.PrivKey.Value))
	}
	return kr.Save(Key{Name: name, Priv: ed25519.PrivKey(f.PrivKey.Value)})
}

// The functions below serve programs that keep keys in test and
// development homes (icsd init, the testnet, the relayer's links): they
// open home's keyring as a test keyring when it is new, and take the
// passphrase of a file keyring from ICSD_KEYRING_PASSPHRASE.

func defaultKeyring(home string) (*Keyring, error) {
	return OpenKeyring(home, BackendTest, EnvPassphrase)
}

// AddKey creates a new random key called name. It fails if the name is
// taken or invalid.
func AddKey(home, name string) (Key, error) {
	kr, err := defaultKeyring(home)
	if err != nil {
		return Key{}, err
	}
	return kr.Save(Key{Name: name, Priv: ed25519.GenPrivKey()})
}

// SaveKey writes k into home's keyring. It fails if the name is taken or
// invalid.
func SaveKey(home string, k Key) (Key, error) {
	kr, err := defaultKeyring(home)
	if err != nil {
		return Key{}, err
	}
	return kr.Save(k)
}

// ImportValidatorKey is Keyring.ImportValidatorKey on home's keyring.
func ImportValidatorKey(home, name, file string) (Key, error) {
	kr, err := defaultKeyring(home)
	if err != nil {
		return Key{}, err
	}
	return kr.ImportValidatorKey(name, file)
}

// LoadOrAddKey returns the key called name, creating it if there is none.
func LoadOrAddKey(home, name string) (Key, error) {
	k, err := LoadKey(home, name)
	if errors.Is(err, ErrKeyNotFound) {
		return AddKey(home, name)
	}
	return k, err
}

// LoadKey reads the key called name.
func LoadKey(home, name string) (Key, error) {
	kr, err := defaultKeyring(home)
	if err != nil {
		return Key{}, err
	}
	return kr.Load(name)
}

// ListKeys returns the names of all keys, sorted.
func ListKeys(home string) ([]string, error) {
	return (&Keyring{dir: keyringDir(home)}).names()
}
