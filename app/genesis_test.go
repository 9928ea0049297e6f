package app_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
)

func modules(t *testing.T, g *app.Genesis) (map[string]json.RawMessage, []byte) {
	t.Helper()
	bz, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(bz, &m); err != nil {
		t.Fatal(err)
	}
	return m, bz
}

// TestOwnStakingGenesis: a consumer genesis with a staking module is an
// own-staking consumer's and keeps staking, distribution and gov through a
// round trip; one without stays as it was, with none of them.
func TestOwnStakingGenesis(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    *app.Genesis
		own  bool
		mods []string
	}{
		{"provider", app.DefaultGenesis(), false, []string{"auth", "bank", "distribution", "gov", "provider", "staking", "transfer"}},
		{"consumer", app.DefaultConsumerGenesis(), false, []string{"auth", "bank", "consumer", "transfer"}},
		{"own staking consumer", app.DefaultOwnStakingConsumerGenesis(), true, []string{"auth", "bank", "consumer", "distribution", "gov", "staking", "transfer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, bz := modules(t, tc.g)
			if len(m) != len(tc.mods) {
				t.Fatalf("modules %v, want %v", m, tc.mods)
			}
			for _, name := range tc.mods {
				if _, ok := m[name]; !ok {
					t.Fatalf("no module %q in %s", name, bz)
				}
			}
			back, err := app.ParseGenesis(bz)
			if err != nil {
				t.Fatal(err)
			}
			if back.OwnStaking() != tc.own || tc.g.OwnStaking() != tc.own {
				t.Fatalf("OwnStaking %t after a round trip, %t before; want %t", back.OwnStaking(), tc.g.OwnStaking(), tc.own)
			}
			if _, again := modules(t, back); string(again) != string(bz) {
				t.Fatalf("round trip changed the genesis:\n%s\n%s", bz, again)
			}
		})
	}
}

// TestConsumerGenesisRefusesModules: a consumer genesis never has the
// provider module, nor distribution or gov without staking.
func TestConsumerGenesisRefusesModules(t *testing.T) {
	m, _ := modules(t, app.DefaultGenesis())
	for _, tc := range []struct {
		name string
		add  []string
	}{
		{"provider", []string{"provider"}},
		{"own staking with provider", []string{"staking", "provider"}},
		{"distribution without staking", []string{"distribution"}},
		{"gov without staking", []string{"gov", "distribution"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := modules(t, app.DefaultConsumerGenesis())
			for _, name := range tc.add {
				c[name] = m[name]
			}
			bz, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.ParseGenesis(bz); !errors.Is(err, abci.ErrInvalidGenesis) {
				t.Fatalf("got %v, want ErrInvalidGenesis", err)
			}
		})
	}
	c, _ := modules(t, app.DefaultConsumerGenesis())
	c["staking"] = m["staking"]
	bz, _ := json.Marshal(c)
	g, err := app.ParseGenesis(bz)
	if err != nil || !g.OwnStaking() {
		t.Fatalf("consumer genesis with staking only: %v, own staking %t", err, err == nil && g.OwnStaking())
	}
}
