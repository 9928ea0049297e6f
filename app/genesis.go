package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
)

// Genesis is the application part of a genesis file (app_state): one JSON
// object per module, each the proto3 JSON of that module's GenesisState.
// A provider's genesis has staking, distribution, gov and provider; a
// consumer's has consumer (the consumer genesis the provider computed)
// instead, and, when the consumer carries its own proof of stake
// (OwnStaking), staking, distribution and gov too. All have auth, bank and
// transfer.
type Genesis struct {
	Auth         auth.GenesisState
	Bank         bank.GenesisState
	Staking      staking.GenesisState
	Distribution distribution.GenesisState
	Gov          gov.GenesisState
	Transfer     transfer.GenesisState
	Provider     provider.GenesisState
	// Consumer is set in a consumer's genesis only.
	Consumer *ccv.ConsumerGenesis

	ownStaking bool
}

// DefaultGenesis returns a provider genesis with default parameters, no
// accounts and no validators.
func DefaultGenesis() *Genesis {
	return &Genesis{
		Auth:         *auth.DefaultGenesis(),
		Staking:      *staking.DefaultGenesis(),
		Distribution: *distribution.DefaultGenesis(),
		Gov:          *gov.DefaultGenesis(),
		Transfer:     *transfer.DefaultGenesis(),
		Provider:     *provider.DefaultGenesis(),
	}
}

// DefaultConsumerGenesis returns a consumer genesis with default
// parameters and an empty consumer part, to be filled with the consumer
// genesis the provider computes at launch.
func DefaultConsumerGenesis() *Genesis {
	g := DefaultGenesis()
	g.Consumer = &ccv.ConsumerGenesis{Params: ccv.DefaultConsumerParams()}
	return g
}

// DefaultOwnStakingConsumerGenesis returns DefaultConsumerGenesis with
// the consumer's own staking, distribution and gov (default parameters, no
// validators): a consumer that may become sovereign (SPEC 9).
func DefaultOwnStakingConsumerGenesis() *Genesis {
	g := DefaultConsumerGenesis()
	g.ownStaking = true
	return g
}

// OwnStaking tells whether the genesis is a consumer's that carries its
// own staking, distribution and gov, dormant for validator selection while
// it is a consumer.
func (g *Genesis) OwnStaking() bool { return g.Consumer != nil && g.ownStaking }

// Role returns the role the genesis is for.
func (g *Genesis) Role() Role {
	if g.Consumer != nil {
		return RoleConsumer
	}
	return RoleProvider
}

// posModules are the proof-of-stake modules: a provider's, and an
// own-staking consumer's, whose genesis has staking (the others may keep
// their defaults).
var posModules = []string{staking.StoreName, distribution.StoreName, gov.StoreName}

func (g *Genesis) modules() map[string]gogoproto.Message {
	m := map[string]gogoproto.Message{auth.StoreName: &g.Auth, bank.StoreName: &g.Bank, "transfer": &g.Transfer}
	if g.Consumer != nil {
		m[consumer.StoreName] = g.Consumer
		if !g.ownStaking {
			return m
		}
	} else {
		m[provider.StoreName] = &g.Provider
	}
	m[staking.StoreName] = &g.Staking
	m[distribution.StoreName] = &g.Distribution
	m[gov.StoreName] = &g.Gov
	return m
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
// errors (abci.ErrInvalidGenesis); a missing module keeps its defaults. A
// genesis with a consumer module is a consumer's: one with a staking
// module too is an own-staking consumer's, and a consumer genesis never
// has the provider module, nor distribution or gov without staking.
func ParseGenesis(bz []byte) (*Genesis, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bz, &raw); err != nil {
		return nil, fmt.Errorf("%w: app_state: %v", abci.ErrInvalidGenesis, err)
	}
	g := DefaultGenesis()
	if _, ok := raw[consumer.StoreName]; ok {
		g = DefaultConsumerGenesis()
		_, g.ownStaking = raw[staking.StoreName]
		refused := []string{provider.StoreName}
		if !g.ownStaking {
			refused = append(refused, posModules...)
		}
		for _, name := range refused {
			if _, ok := raw[name]; ok {
				return nil, fmt.Errorf("%w: a consumer genesis has no %q module", abci.ErrInvalidGenesis, name)
			}
		}
	}
	m := g.modules()
	for name, msg := range raw {
		target, ok := m[name]
		if !ok {
			return nil, fmt.Errorf("%w: unknown module %q", abci.ErrInvalidGenesis, name)
		}
		target.Reset()
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(msg), target); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", abci.ErrInvalidGenesis, name, err)
		}
	}
	return g, nil
}

// Role is what a chain is in Interchain Security.
type Role string

// The two roles.
const (
	// RoleProvider: a proof-of-stake chain with governance that launches
	// consumer chains and lends them its validators.
	RoleProvider Role = "provider"
	// RoleConsumer: a chain whose validator set is whatever its provider
	// sends; its own staking, distribution and governance, when it has
	// them (Genesis.OwnStaking), do not choose its validators.
	RoleConsumer Role = "consumer"
)

// ParseGenesisFor decodes app_state as ParseGenesis does and checks that
// it is a genesis for role. Errors wrap abci.ErrInvalidGenesis.
func ParseGenesisFor(bz []byte, role Role) (*Genesis, error) {
	g, err := ParseGenesis(bz)
	if err != nil {
		return nil, err
	}
	if g.Role() != role {
		return nil, fmt.Errorf("%w: a %s genesis given to a %s chain", abci.ErrInvalidGenesis, g.Role(), role)
	}
	return g, nil
}

// StoresRole tells a chain's role from the stores of its state: a
// consumer's state has the consumer store, and an own-staking consumer's
// the staking store too.
func StoresRole(names []string) (role Role, ownStaking bool) {
	if !slices.Contains(names, consumer.StoreName) {
		return RoleProvider, false
	}
	return RoleConsumer, slices.Contains(names, staking.StoreName)
}
