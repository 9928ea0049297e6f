package nodehome_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/coin"
)

// TestImportICSGenesis: the consumer genesis a provider computed, written
// in the reference's form, imports into a consumer home and gives the very
// genesis file that our form gives; malformed or mismatched input is
// refused with a clear error and leaves the home as it was.
func TestImportICSGenesis(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, "c-1", ibctest.ConsumerParams())
	prov.NextBlock()
	cg := ibctest.ConsumerGenesis(prov, "c-1")
	// The test kit's short downtime window has no place in the reference's
	// form (TestToICSRefuses); take the default one.
	cg.Params.SignedBlocksWindow = ccv.DefaultConsumerParams().SignedBlocksWindow
	ics, err := icsgenesis.ToICS(cg)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := icsgenesis.ICSD(cg)
	if err != nil {
		t.Fatal(err)
	}
	home := func(role app.Role) string {
		h := t.TempDir()
		if _, err := nodehome.Init(nodehome.InitOptions{Home: h, ChainID: "c-1", Moniker: "n", KeyName: "k", Prefix: "ics",
			Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}, Role: role}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	genesisFile := func(h string) []byte {
		bz, err := os.ReadFile(filepath.Join(h, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		return bz
	}
	imp := func(h string, bz []byte) error {
		g, err := nodehome.ReadConsumerGenesis(bz)
		if err != nil {
			return err
		}
		return nodehome.ImportConsumerGenesis(h, g)
	}

	// Both forms give the same genesis file.
	a, b := home(app.RoleConsumer), home(app.RoleConsumer)
	if err := imp(a, ics); err != nil {
		t.Fatal(err)
	}
	if err := imp(b, ours); err != nil {
		t.Fatal(err)
	}
	// The two homes differ in their genesis time and own accounts; the
	// consumer part of their genesis is the same, byte for byte.
	consumerPart := func(h string) []byte {
		g, err := nodehome.ReadAppGenesis(h)
		if err != nil {
			t.Fatal(err)
		}
		bz, err := g.Consumer.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return bz
	}
	if !bytes.Equal(consumerPart(a), consumerPart(b)) {
		t.Fatal("the two forms gave different consumer genesis")
	}
	want, err := cg.Marshal()
	if err != nil || !bytes.Equal(consumerPart(a), want) {
		t.Fatalf("imported consumer genesis differs from the provider's (%v)", err)
	}
	g, err := nodehome.ReadAppGenesis(a)
	if err != nil {
		t.Fatal(err)
	}
	if g.Consumer.ConsumerId != cg.ConsumerId || len(g.Consumer.InitialValidators) != 2 ||
		!bytes.Equal(g.Consumer.ProviderClientState, cg.ProviderClientState) {
		t.Fatalf("imported %+v, want %+v", g.Consumer, cg)
	}

	for _, tc := range []struct {
		name string
		role app.Role
		bz   []byte
		want string
		err  error
	}{
		{"not JSON", app.RoleConsumer, []byte("consumer genesis"), "not a JSON object", ccv.ErrInvalidGenesis},
		{"truncated", app.RoleConsumer, ics[:len(ics)/2], "invalid consumer genesis", ccv.ErrInvalidGenesis},
		{"unknown field", app.RoleConsumer, bytes.Replace(ics, []byte(`"new_chain"`), []byte(`"restart": false, "new_chain"`), 1), `unknown field "restart"`, ccv.ErrInvalidGenesis},
		{"fields of both forms", app.RoleConsumer, bytes.Replace(ics, []byte(`"new_chain"`), []byte(`"initial_validators": [], "new_chain"`), 1), "fields of both forms", ccv.ErrInvalidGenesis},
		{"preCCV", app.RoleConsumer, bytes.Replace(ics, []byte(`"preCCV": false`), []byte(`"preCCV": true`), 1), "changeover", icsgenesis.ErrNotConvertible},
		{"disabled", app.RoleConsumer, bytes.Replace(ics, []byte(`"enabled": true`), []byte(`"enabled": false`), 1), "enabled", icsgenesis.ErrNotConvertible},
		{"reward denoms", app.RoleConsumer, bytes.Replace(ics, []byte(`"reward_denoms": []`), []byte(`"reward_denoms": ["uatom"]`), 1), "reward_denoms", icsgenesis.ErrNotConvertible},
		{"no validators", app.RoleConsumer, bytes.Replace(ics, []byte(`"initial_val_set": [`), []byte(`"initial_val_set": [], "x": [`), 1), "unknown field", ccv.ErrInvalidGenesis},
		{"a new chain into a standalone's home", app.RoleProvider, ics, "for a new chain", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := home(tc.role)
			before := genesisFile(h)
			err := imp(h, tc.bz)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("import: %v, want %q (%v)", err, tc.want, tc.err)
			}
			if !bytes.Equal(before, genesisFile(h)) {
				t.Fatal("a refused import changed the genesis")
			}
			if _, err := os.Stat(nodehome.ChangeoverFile(h)); err == nil {
				t.Fatal("a refused import wrote a changeover plan")
			}
		})
	}
}
