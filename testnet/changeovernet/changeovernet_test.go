package changeovernet

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/valnet"
)

// TestWriteHomes: the standalone homes beside a provider testnet hold the
// provider validators' operator and consensus keys, bonded in one genesis
// of the chain's own (validator 0 twice as much), a fresh signing state,
// ports past the testnet's and the provider role.
func TestWriteHomes(t *testing.T) {
	dir := t.TempDir()
	if err := valnet.Init(valnet.Options{Dir: dir, ChainID: "testnet-1", Validators: 3, BasePort: 30000, TimeoutCommit: 300 * time.Millisecond,
		Balance: 1_000_000_000, SelfDelegation: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	o := Default()
	o.Dir, o.Bin = dir, "icsd"
	c, err := Load(o)
	if err != nil {
		t.Fatal(err)
	}
	if c.base != 31000 || c.RPC(2) != "tcp://127.0.0.1:31021" || c.prov.chainID != "testnet-1" || c.Validators() != 3 {
		t.Fatalf("base %d, rpc %s, provider %s", c.base, c.RPC(2), c.prov.chainID)
	}
	o.ChainID = "testnet-1"
	if _, err := Load(o); err == nil {
		t.Fatal("the provider's chain id was accepted")
	}
	relayer, err := client.LoadOrAddKey(c.RelayerHome(), RelayerKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.writeHomes(relayer); err != nil {
		t.Fatal(err)
	}
	doc, err := cmttypes.GenesisDocFromFile(nodehome.Config(c.NodeHome(1)).GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChainID != "standalone-1" || len(g.Staking.Validators) != 3 || g.Staking.Params.UnbondingPeriod != o.UnbondingPeriod {
		t.Fatalf("genesis %s: %+v", doc.ChainID, g.Staking)
	}
	for i := range 3 {
		pv := privval.LoadFilePV(nodehome.Config(c.NodeHome(i)).PrivValidatorKeyFile(), nodehome.Config(c.NodeHome(i)).PrivValidatorStateFile())
		prov := privval.LoadFilePVEmptyState(filepath.Join(valnet.NodeHome(dir, i), "config", "priv_validator_key.json"), "")
		v := g.Staking.Validators[i]
		if !bytes.Equal(pv.Key.PrivKey.Bytes(), prov.Key.PrivKey.Bytes()) || !bytes.Equal(v.PubKey, prov.Key.PubKey.Bytes()) ||
			pv.LastSignState.Height != 0 || v.SelfDelegation != bond(i, 3) {
			t.Fatalf("node %d: key or bond %d not the provider validator's", i, v.SelfDelegation)
		}
		op, err := client.LoadKey(c.NodeHome(i), "validator")
		if err != nil {
			t.Fatal(err)
		}
		provOp, err := client.LoadKey(valnet.NodeHome(dir, i), "validator")
		if err != nil || !bytes.Equal(op.Address(), provOp.Address()) {
			t.Fatalf("node %d: operator key not the provider validator's (%v)", i, err)
		}
		if role, err := nodehome.ReadRole(c.NodeHome(i)); err != nil || role != app.RoleProvider {
			t.Fatalf("node %d: role %s %v", i, role, err)
		}
	}
	if bond(0, 3) != 2*bond(1, 3) {
		t.Fatal("validator 0 does not bond twice as much")
	}
}
