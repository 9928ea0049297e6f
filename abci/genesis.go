package abci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/transfer"
)

// Genesis is the application part of a genesis file (app_state): one JSON
// object per module, each the proto3 JSON of that module's GenesisState.
type Genesis struct {
	Auth         auth.GenesisState
	Bank         bank.GenesisState
	Staking      staking.GenesisState
	Distribution distribution.GenesisState
	Gov          gov.GenesisState
	Transfer     transfer.GenesisState
}

// DefaultGenesis returns a genesis with default parameters, no accounts
// and no validators.
func DefaultGenesis() *Genesis {
	return &Genesis{
		Auth:         *auth.DefaultGenesis(),
		Staking:      *staking.DefaultGenesis(),
		Distribution: *distribution.DefaultGenesis(),
		Gov:          *gov.DefaultGenesis(),
		Transfer:     *transfer.DefaultGenesis(),
	}
}

func (g *Genesis) modules() map[string]gogoproto.Message {
	return map[string]gogoproto.Message{
		auth.StoreName: &g.Auth, bank.StoreName: &g.Bank, staking.StoreName: &g.Staking,
		distribution.StoreName: &g.Distribution, gov.StoreName: &g.Gov, "transfer": &g.Transfer,
	}
}

// MarshalJSON encodes the genesis with sorted module names.
func (g *Genesis) MarshalJSON() ([]byte, error) {
	m := g.modules()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.WriteByte('{')
	enc := jsonpb.Marshaler{OrigName: true, EmitDefaults: true}
	for i, n := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, "%q:", n)
		if err := enc.Marshal(&buf, m[n]); err != nil {
			return nil, fmt.Errorf("genesis %s: %w", n, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// ParseGenesis decodes app_state. Unknown modules and unknown fields are
// errors (ErrInvalidGenesis); a missing module keeps its defaults.
func ParseGenesis(bz []byte) (*Genesis, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bz, &raw); err != nil {
		return nil, fmt.Errorf("%w: app_state: %v", ErrInvalidGenesis, err)
	}
	g := DefaultGenesis()
	m := g.modules()
	for name, msg := range raw {
		target, ok := m[name]
		if !ok {
			return nil, fmt.Errorf("%w: unknown module %q", ErrInvalidGenesis, name)
		}
		target.Reset()
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(msg), target); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalidGenesis, name, err)
		}
	}
	return g, nil
}
