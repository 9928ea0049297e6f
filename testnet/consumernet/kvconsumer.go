package consumernet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"

	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/valnet"
)

// A kvconsumer chain (Chain.KV) is a chain that is not icsd:
// examples/kvconsumer, its own ABCI application with JSON transactions,
// mounting the interchain layer. Its homes are written the way a user
// would write them: with the binary's own commands (`kvconsumer init`,
// then `kvconsumer genesis` from the consumer genesis the provider
// computed) after copying each provider validator's
// priv_validator_key.json into the home, so that the validator signs with
// its provider key.

// kvLogLevel keeps a kvconsumer node's log to errors and one line per
// committed block.
const kvLogLevel = "*:error,state:info"

// WriteKVHomes writes validator i's kvconsumer home on the chain for every
// i in vals, and records them as its nodes: the provider's validator key
// copied in, a node key made first so that the peers are known,
// `kvconsumer init` with loopback ports and the other nodes as peers, and
// `kvconsumer genesis` from the consumer genesis raw (proto3 JSON, saved
// as DIR/consumer-<j>/consumer-genesis.json) with one genesis time for
// all.
func (c *Chain) WriteKVHomes(ctx context.Context, vals []int, raw []byte) error {
	ids := map[int]p2p.ID{}
	for _, i := range vals {
		id, err := c.prepareKVHome(i)
		if err != nil {
			return err
		}
		ids[i] = id
	}
	genesisFile := filepath.Join(c.Dir, "consumer-genesis.json")
	if err := os.WriteFile(genesisFile, raw, 0o644); err != nil {
		return err
	}
	genesisTime := time.Now().UTC().Format(time.RFC3339Nano)
	for _, i := range vals {
		var peers []string
		for _, k := range vals {
			if k != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", ids[k], c.P2PPort(k)))
			}
		}
		home := valnet.NodeHome(c.Dir, i)
		if err := c.kvInit(ctx, i, peers); err != nil {
			return err
		}
		if err := c.kvconsumer(ctx, "genesis", "--home", home, "--chain-id", c.ChainID, "--consumer-genesis", genesisFile,
			"--genesis-time", genesisTime); err != nil {
			return err
		}
		c.addNode(&Node{Validator: i, Home: home})
	}
	return nil
}

// prepareKVHome copies validator i's provider key into its kvconsumer home
// on the chain and makes the node key, which it returns the id of.
func (c *Chain) prepareKVHome(i int) (p2p.ID, error) {
	cfg := nodehome.Config(valnet.NodeHome(c.Dir, i))
	if err := os.MkdirAll(filepath.Dir(cfg.NodeKeyFile()), 0o755); err != nil {
		return "", err
	}
	bz, err := os.ReadFile(nodehome.Config(valnet.NodeHome(c.Net.ProviderDir, i)).PrivValidatorKeyFile())
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(cfg.PrivValidatorKeyFile(), bz, 0o600); err != nil {
		return "", err
	}
	nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return "", err
	}
	return nk.ID(), nil
}

// kvInit runs `kvconsumer init` for validator i's home on the chain with
// loopback ports and peers, tuned by tuneCatchUp.
func (c *Chain) kvInit(ctx context.Context, i int, peers []string) error {
	commit := c.Net.TimeoutCommit
	if commit <= 0 {
		commit = time.Second
	}
	home := valnet.NodeHome(c.Dir, i)
	if err := c.kvconsumer(ctx, "init", "--home", home, "--moniker", fmt.Sprintf("%s-node%d", c.ChainID, i),
		"--rpc", c.RPC(i), "--p2p", fmt.Sprintf("tcp://127.0.0.1:%d", c.P2PPort(i)),
		"--peers", strings.Join(peers, ","), "--timeout-commit", commit.String(), "--log-level", kvLogLevel); err != nil {
		return err
	}
	// kvconsumer init has no flags for tuneCatchUp: edit the config.toml
	// it wrote.
	cfg, err := nodehome.LoadConfig(home, nil)
	if err != nil {
		return err
	}
	tuneCatchUp(cfg)
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	return nil
}

// kvconsumer runs the kvconsumer binary with args and fails with its
// output.
func (c *Chain) kvconsumer(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, c.Net.KVConsumerBin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kvconsumer %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}
