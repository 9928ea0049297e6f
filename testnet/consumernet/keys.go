package consumernet

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cometbft/cometbft/privval"

	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/valnet"
)

// PrivValidator returns validator i's consensus key on the chain, kept in
// its home on the chain (written now if missing): a fresh key made for
// the assignment when the chain uses assigned keys, or else the provider
// key.
func (c *Chain) PrivValidator(i int) (*privval.FilePV, error) {
	cfg := nodehome.Config(valnet.NodeHome(c.Dir, i))
	if _, err := os.Stat(cfg.PrivValidatorKeyFile()); err == nil {
		return privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()), nil
	}
	for _, f := range []string{cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return nil, err
		}
	}
	if c.AssignedKeys {
		pv := privval.GenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
		pv.Save()
		return pv, nil
	}
	pcfg := nodehome.Config(valnet.NodeHome(c.Net.ProviderDir, i))
	prov := privval.LoadFilePVEmptyState(pcfg.PrivValidatorKeyFile(), "")
	pv := privval.NewFilePV(prov.Key.PrivKey, cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	pv.Save()
	return pv, nil
}

// Key returns the public key validator i validates the chain with,
// without writing anything: the key in its home on the chain, else (with
// assigned keys) none, with false, else its provider key.
func (c *Chain) Key(i int) ([]byte, bool, error) {
	for _, home := range []string{valnet.NodeHome(c.Dir, i), valnet.NodeHome(c.Net.ProviderDir, i)} {
		file := nodehome.Config(home).PrivValidatorKeyFile()
		if _, err := os.Stat(file); err == nil {
			pub, err := nodehome.ParseConsensusKey(file)
			return pub, err == nil, err
		}
		if c.AssignedKeys {
			return nil, false, nil
		}
	}
	return nil, false, fmt.Errorf("validator %d has no consensus key", i)
}
