package nodehome

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
)

// ParseConsensusKey reads an ed25519 consensus public key: 64 hex digits,
// or a file holding them, or a CometBFT priv_validator_key.json.
func ParseConsensusKey(s string) ([]byte, error) {
	if bz, err := hex.DecodeString(s); err == nil {
		if len(bz) != ed25519.PubKeySize {
			return nil, fmt.Errorf("public key of %d bytes, want %d (64 hex digits)", len(bz), ed25519.PubKeySize)
		}
		return bz, nil
	}
	content, err := os.ReadFile(s)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%q is neither 64 hex digits nor a file", s)
	}
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(string(content))
	if !strings.HasPrefix(text, "{") {
		return ParseConsensusKey(text)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(content, &key); err != nil {
		return nil, fmt.Errorf("%s: not a priv_validator_key.json: %w", s, err)
	}
	if key.PubKey == nil || key.PubKey.Type() != ed25519.KeyType {
		return nil, fmt.Errorf("%s: not an ed25519 validator key", s)
	}
	return key.PubKey.Bytes(), nil
}
