package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/types/address"
)

// The keyring is a directory of one JSON file per key, readable by its
// owner only. Keys are not encrypted: it is meant for test and development
// networks, like CometBFT's own priv_validator_key.json.

var keyNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

type keyFile struct {
	Name    string `json:"name"`
	PrivKey []byte `json:"priv_key"`
}

// Key is a named ed25519 account key.
type Key struct {
	Name string
	Priv ed25519.PrivKey
}

// Address returns the key's account address.
func (k Key) Address() []byte { return address.FromPubKey(k.Priv.PubKey().Bytes()) }

func keyringDir(home string) string { return filepath.Join(home, "keyring") }

// AddKey creates a new random key called name. It fails if the name is
// taken or invalid.
func AddKey(home, name string) (Key, error) {
	return SaveKey(home, Key{Name: name, Priv: ed25519.GenPrivKey()})
}

// SaveKey writes k into home's keyring. It fails if the name is taken or
// invalid.
func SaveKey(home string, k Key) (Key, error) {
	if !keyNameRe.MatchString(k.Name) {
		return Key{}, fmt.Errorf("invalid key name %q: use 1 to 64 letters, digits, '.', '_' or '-'", k.Name)
	}
	dir := keyringDir(home)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, err
	}
	bz, err := json.MarshalIndent(keyFile{Name: k.Name, PrivKey: k.Priv}, "", "  ")
	if err != nil {
		return Key{}, err
	}
	f, err := os.OpenFile(filepath.Join(dir, k.Name+".json"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return Key{}, fmt.Errorf("key %q already exists", k.Name)
	}
	if err != nil {
		return Key{}, err
	}
	if _, err := f.Write(bz); err != nil {
		f.Close()
		return Key{}, err
	}
	return k, f.Close()
}

// ImportValidatorKey saves, as key name, the ed25519 consensus key of a
// CometBFT priv_validator_key.json: the account of a validator's
// consensus key, which operates the validator a consumer's sovereign
// transition creates for it. It fails on a file that is not an ed25519
// validator key, and if the name is taken or invalid.
func ImportValidatorKey(home, name, file string) (Key, error) {
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
	return SaveKey(home, Key{Name: name, Priv: ed25519.PrivKey(f.PrivKey.Value)})
}

// LoadOrAddKey returns the key called name, creating it if needed.
func LoadOrAddKey(home, name string) (Key, error) {
	if k, err := LoadKey(home, name); err == nil {
		return k, nil
	}
	return AddKey(home, name)
}

// LoadKey reads the key called name.
func LoadKey(home, name string) (Key, error) {
	if !keyNameRe.MatchString(name) {
		return Key{}, fmt.Errorf("invalid key name %q", name)
	}
	bz, err := os.ReadFile(filepath.Join(keyringDir(home), name+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Key{}, fmt.Errorf("no key %q in %s", name, keyringDir(home))
	}
	if err != nil {
		return Key{}, err
	}
	var kf keyFile
	if err := json.Unmarshal(bz, &kf); err != nil {
		return Key{}, fmt.Errorf("key %q: %v", name, err)
	}
	if len(kf.PrivKey) != ed25519.PrivateKeySize {
		return Key{}, fmt.Errorf("key %q: private key is %d bytes", name, len(kf.PrivKey))
	}
	return Key{Name: name, Priv: ed25519.PrivKey(kf.PrivKey)}, nil
}

// ListKeys returns the names of all keys, sorted.
func ListKeys(home string) ([]string, error) {
	entries, err := os.ReadDir(keyringDir(home))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}
