package testnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/process"
)

// A kvconsumer consumer (CCVOptions.KVConsumers) is a chain that is not
// icsd: examples/kvconsumer, its own ABCI application with JSON
// transactions, mounting the interchain layer. The harness treats it as a
// user would: it writes its homes with the binary's own commands
// (`kvconsumer init`, then `kvconsumer genesis` from the consumer genesis
// the provider computed) after copying each provider validator's
// priv_validator_key.json into the home, so that the validator signs with
// its provider key, and its relayer submits RelayTx transactions there
// (`icsd relay link-ccv --consumer-relay-tx`).

// kvLogLevel keeps a kvconsumer node's log to errors and one line per
// committed block.
const kvLogLevel = "*:error,state:info"

func (o CCVOptions) validateKV() error {
	if len(o.KVConsumers) > 0 && o.KVConsumerBin == "" {
		return errors.New("kvconsumer consumers need the kvconsumer binary")
	}
	for _, j := range o.KVConsumers {
		if j < 1 || j > o.Consumers {
			return fmt.Errorf("kvconsumer consumer %d: consumers are 1 to %d", j, o.Consumers)
		}
		if slices.Contains(o.AssignKeys, j) {
			return fmt.Errorf("kvconsumer consumer %d runs with the provider keys: no key assignment", j)
		}
	}
	if o.SelfDelegations != nil && len(o.SelfDelegations) != o.Validators {
		return fmt.Errorf("%d self-delegations for %d validators", len(o.SelfDelegations), o.Validators)
	}
	return nil
}

// consumerGenesis returns the consumer genesis the provider computed for
// c, as the provider answered it (proto3 JSON) and decoded.
func (t *CCVTestnet) consumerGenesis(ctx context.Context, c *ConsumerChain) ([]byte, *ccv.ConsumerGenesis, error) {
	pc, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return nil, nil, err
	}
	if _, err := t.providerConsumers(ctx); err != nil {
		return nil, nil, err
	}
	res, err := pc.RPC().ABCIQuery(ctx, interchain.PathConsumerGenesis+c.ConsumerID, nil)
	if err != nil {
		return nil, nil, err
	}
	if res.Response.Code != 0 {
		return nil, nil, fmt.Errorf("consumer genesis: %s", res.Response.Log)
	}
	cg, err := nodehome.ReadConsumerGenesis(res.Response.Value)
	if err != nil {
		return nil, nil, err
	}
	return res.Response.Value, cg, nil
}

// writeKVConsumerHomes writes validator i's kvconsumer home on c for
// every i in vals: the provider's validator key copied in, a node key made
// first so that the peers are known, `kvconsumer init` with loopback ports
// and the other nodes as peers, and `kvconsumer genesis` from the consumer
// genesis (saved as DIR/consumer-<j>/consumer-genesis.json) with one
// genesis time for all.
func (t *CCVTestnet) writeKVConsumerHomes(ctx context.Context, c *ConsumerChain, vals []int, raw []byte, cg *ccv.ConsumerGenesis) error {
	ids := map[int]p2p.ID{}
	for _, i := range vals {
		id, err := t.prepareKVHome(c, i)
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
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", ids[k], t.consumerP2PPort(c, k)))
			}
		}
		home := NodeHome(c.Dir, i)
		if err := t.kvInit(ctx, c, i, peers); err != nil {
			return err
		}
		if err := t.kvconsumer(ctx, "genesis", "--home", home, "--chain-id", c.ChainID, "--consumer-genesis", genesisFile,
			"--genesis-time", genesisTime); err != nil {
			return err
		}
		c.addNode(&ConsumerNode{Validator: i, Home: home})
	}
	t.logf("wrote the kvconsumer homes of %s from its consumer genesis: %s (%d initial validators, provider keys)", c.describe(), describeValidators(vals), len(cg.InitialValidators))
	return nil
}

// prepareKVHome copies validator i's provider key into its kvconsumer home
// on c and makes the node key, which it returns the id of.
func (t *CCVTestnet) prepareKVHome(c *ConsumerChain, i int) (p2p.ID, error) {
	cfg := nodehome.Config(NodeHome(c.Dir, i))
	if err := os.MkdirAll(filepath.Dir(cfg.NodeKeyFile()), 0o755); err != nil {
		return "", err
	}
	bz, err := os.ReadFile(nodehome.Config(NodeHome(t.Opts.Dir, i)).PrivValidatorKeyFile())
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

// kvInit runs `kvconsumer init` for validator i's home on c with loopback
// ports and peers, tuned by tuneCatchUp.
func (t *CCVTestnet) kvInit(ctx context.Context, c *ConsumerChain, i int, peers []string) error {
	commit := t.Opts.TimeoutCommit
	if commit <= 0 {
		commit = time.Second
	}
	home := NodeHome(c.Dir, i)
	if err := t.kvconsumer(ctx, "init", "--home", home, "--moniker", fmt.Sprintf("%s-node%d", c.ChainID, i),
		"--rpc", t.ConsumerRPC(c, i), "--p2p", fmt.Sprintf("tcp://127.0.0.1:%d", t.consumerP2PPort(c, i)),
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
func (t *CCVTestnet) kvconsumer(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, t.Opts.KVConsumerBin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kvconsumer %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// startConsumerNode starts node n of consumer c: `icsd start` with the
// options' NodeArgs, or `kvconsumer start`.
func (t *CCVTestnet) startConsumerNode(c *ConsumerChain, n *ConsumerNode) (*process.Process, error) {
	var p *process.Process
	var err error
	if c.KV {
		p, err = process.Start(t.Opts.KVConsumerBin, filepath.Base(n.Home), filepath.Join(n.Home, "node.log"), "start", "--home", n.Home)
		if err == nil {
			p.Home, p.RPC = n.Home, t.ConsumerRPC(c, n.Validator)
		}
	} else {
		p, err = process.StartNode(t.Opts.Bin, n.Home, t.Opts.NodeArgs...)
	}
	if err != nil {
		return nil, err
	}
	p.Name = c.ChainID + "/" + p.Name
	return p, nil
}
