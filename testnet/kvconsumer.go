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

// writeKVConsumerHomes writes validator i's kvconsumer home on c for every
// i: the provider's validator key copied in, a node key made first so that
// the peers are known, `kvconsumer init` with loopback ports and the other
// nodes as peers, and `kvconsumer genesis` from the consumer genesis
// (saved as DIR/consumer-<j>/consumer-genesis.json) with one genesis time
// for all.
func (t *CCVTestnet) writeKVConsumerHomes(ctx context.Context, c *ConsumerChain, raw []byte, cg *ccv.ConsumerGenesis) error {
	inGenesis := map[string]bool{}
	for _, v := range cg.InitialValidators {
		inGenesis[string(v.PubKey)] = true
	}
	ids := make([]p2p.ID, len(c.Homes))
	for i, home := range c.Homes {
		cfg := nodehome.Config(home)
		if err := os.MkdirAll(filepath.Dir(cfg.NodeKeyFile()), 0o755); err != nil {
			return err
		}
		provKey := nodehome.Config(NodeHome(t.Opts.Dir, i)).PrivValidatorKeyFile()
		pub, err := nodehome.ParseConsensusKey(provKey)
		if err != nil {
			return err
		}
		if !inGenesis[string(pub)] {
			return fmt.Errorf("validator %d's provider key %X is not in the consumer genesis", i, pub)
		}
		bz, err := os.ReadFile(provKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg.PrivValidatorKeyFile(), bz, 0o600); err != nil {
			return err
		}
		nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
		if err != nil {
			return err
		}
		ids[i] = nk.ID()
	}
	genesisFile := filepath.Join(c.Dir, "consumer-genesis.json")
	if err := os.WriteFile(genesisFile, raw, 0o644); err != nil {
		return err
	}
	genesisTime := time.Now().UTC().Format(time.RFC3339Nano)
	for i, home := range c.Homes {
		var peers []string
		for k, id := range ids {
			if k != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", id, t.consumerP2PPort(c, k)))
			}
		}
		commit := t.Opts.TimeoutCommit
		if commit <= 0 {
			commit = time.Second
		}
		if err := t.kvconsumer(ctx, "init", "--home", home, "--moniker", fmt.Sprintf("%s-node%d", c.ChainID, i),
			"--rpc", t.ConsumerRPC(c, i), "--p2p", fmt.Sprintf("tcp://127.0.0.1:%d", t.consumerP2PPort(c, i)),
			"--peers", strings.Join(peers, ","), "--timeout-commit", commit.String(), "--log-level", kvLogLevel); err != nil {
			return err
		}
		if err := t.kvconsumer(ctx, "genesis", "--home", home, "--chain-id", c.ChainID, "--consumer-genesis", genesisFile,
			"--genesis-time", genesisTime); err != nil {
			return err
		}
	}
	t.logf("wrote %d kvconsumer homes of %s from its consumer genesis (%d initial validators, provider keys)", len(c.Homes), c.ChainID, len(cg.InitialValidators))
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

// startConsumerNode starts validator i's node on consumer c: `icsd start`
// with the options' NodeArgs, or `kvconsumer start`.
func (t *CCVTestnet) startConsumerNode(c *ConsumerChain, i int) (*process.Process, error) {
	home := c.Homes[i]
	var p *process.Process
	var err error
	if c.KV {
		p, err = process.Start(t.Opts.KVConsumerBin, filepath.Base(home), filepath.Join(home, "node.log"), "start", "--home", home)
		if err == nil {
			p.Home, p.RPC = home, t.ConsumerRPC(c, i)
		}
	} else {
		p, err = process.StartNode(t.Opts.Bin, home, t.Opts.NodeArgs...)
	}
	if err != nil {
		return nil, err
	}
	p.Name = c.ChainID + "/" + p.Name
	return p, nil
}
