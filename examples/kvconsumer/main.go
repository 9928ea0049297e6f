// Command kvconsumer is a small key-value chain on CometBFT secured by an
// icsd provider: an example of a chain that is not icsd and mounts the
// interchain layer as a consumer. Its own transactions are JSON
// {"key": K, "value": V}; relayers submit interchain.RelayTx transactions
// (icsd relay link-ccv --consumer-relay-tx).
//
//	kvconsumer init --home H [--moniker M] [--rpc ADDR] [--p2p ADDR] [--peers ID@ADDR,...]
//	                [--timeout-commit D] [--log-level L]
//	kvconsumer genesis --home H --chain-id C --consumer-genesis FILE [--genesis-time RFC3339]
//	kvconsumer start --home H
//
// init writes CometBFT's configuration, a node key and a validator key
// (keeping those copied to config/ first: a provider validator copies its
// priv_validator_key.json); genesis writes config/genesis.json from the
// consumer genesis the provider computed, with the same file and time on
// every node; start runs the node until SIGINT or SIGTERM.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"
	"github.com/spf13/viper"

	"github.com/abci-ics/ics/ccv"
)

var commands = map[string]func(args []string) error{"init": initHome, "genesis": writeGenesis, "start": start}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: kvconsumer init|genesis|start --home DIR [flags]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "kvconsumer %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// flags returns the flag set of command name, with its --home.
func flags(name string) (*flag.FlagSet, *string) {
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	return set, set.String("home", "", "node home directory (required)")
}

// parse parses args, rejecting positional arguments and a missing --home.
func parse(set *flag.FlagSet, args []string, home *string) error {
	if err := set.Parse(args); err != nil {
		return err
	}
	if set.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", set.Arg(0))
	}
	if *home == "" {
		return errors.New("--home is required")
	}
	return nil
}

func initHome(args []string) error {
	set, home := flags("init")
	moniker := set.String("moniker", "kvconsumer", "node name")
	rpc := set.String("rpc", "tcp://127.0.0.1:26657", "RPC listen address")
	p2pAddr := set.String("p2p", "tcp://127.0.0.1:26656", "P2P listen address")
	peers := set.String("peers", "", "persistent peers, ID@HOST:PORT,...")
	commit := set.Duration("timeout-commit", time.Second, "CometBFT timeout_commit")
	level := set.String("log-level", cmtcfg.DefaultLogLevel, `log level, as CometBFT's log_level (e.g. "*:error,state:info")`)
	if err := parse(set, args, home); err != nil {
		return err
	}
	for _, a := range []string{*rpc, *p2pAddr} {
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(a, "tcp://")); err != nil || !strings.HasPrefix(a, "tcp://") {
			return fmt.Errorf("listen address %q: want tcp://HOST:PORT", a)
		}
	}
	for _, p := range strings.Split(*peers, ",") {
		if _, err := p2p.NewNetAddressString(p); p != "" && err != nil {
			return fmt.Errorf("--peers: %q: %w", p, err)
		}
	}
	if _, err := cmtflags.ParseLogLevel(*level, cmtlog.NewNopLogger(), cmtcfg.DefaultLogLevel); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	cfg := cmtcfg.DefaultConfig().SetRoot(*home)
	cfg.Moniker, cfg.RPC.ListenAddress, cfg.P2P.ListenAddress, cfg.P2P.PersistentPeers = *moniker, *rpc, *p2pAddr, *peers
	cfg.P2P.AllowDuplicateIP, cfg.P2P.AddrBookStrict = true, false
	cfg.Consensus.TimeoutCommit, cfg.LogLevel = *commit, *level
	if err := cfg.ValidateBasic(); err != nil {
		return err
	}
	cmtcfg.EnsureRoot(*home)
	cmtcfg.WriteConfigFile(filepath.Join(*home, "config", "config.toml"), cfg)
	loadOrGenPV(cfg)
	key, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	fmt.Println(key.ID())
	return nil
}

// loadOrGenPV keeps a validator key copied into the home, starting its
// signing state afresh when none was copied with it (CometBFT exits with
// the reason on a file that is not a key), or makes a new key.
func loadOrGenPV(cfg *cmtcfg.Config) {
	keyFile, stateFile := cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()
	if _, err := os.Stat(keyFile); err != nil {
		privval.GenFilePV(keyFile, stateFile).Save()
	} else if _, err := os.Stat(stateFile); err != nil {
		privval.LoadFilePVEmptyState(keyFile, stateFile).Save()
	}
}

func writeGenesis(args []string) error {
	set, home := flags("genesis")
	chainID := set.String("chain-id", "", "the consumer's chain id (required)")
	file := set.String("consumer-genesis", "", "consumer genesis JSON from the provider (required)")
	at := set.String("genesis-time", "", "genesis time, RFC 3339 (default: now); every node must use the same")
	if err := parse(set, args, home); err != nil {
		return err
	}
	if *chainID == "" || *file == "" {
		return errors.New("--chain-id and --consumer-genesis are required")
	}
	bz, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var cg ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(bz), &cg); err != nil {
		return fmt.Errorf("consumer genesis %s: %w", *file, err)
	} else if err := cg.Validate(); err != nil {
		return fmt.Errorf("consumer genesis %s: %w", *file, err)
	}
	t := time.Now().UTC()
	if *at != "" {
		if t, err = time.Parse(time.RFC3339Nano, *at); err != nil {
			return fmt.Errorf("--genesis-time: %w", err)
		}
	}
	doc := &cmttypes.GenesisDoc{ChainID: *chainID, GenesisTime: t, InitialHeight: 1,
		ConsensusParams: cmttypes.DefaultConsensusParams(), AppState: bytes.TrimSpace(bz)}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	return doc.SaveAs(cmtcfg.DefaultConfig().SetRoot(*home).GenesisFile())
}

func start(args []string) error {
	set, home := flags("start")
	if err := parse(set, args, home); err != nil {
		return err
	}
	v := viper.New()
	v.SetConfigFile(filepath.Join(*home, "config", "config.toml"))
	cfg := cmtcfg.DefaultConfig()
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("%w (run kvconsumer init first)", err)
	} else if err := v.Unmarshal(cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cfg.SetRoot(*home)
	if _, err := os.Stat(cfg.GenesisFile()); err != nil {
		return fmt.Errorf("%w (run kvconsumer genesis first)", err)
	}
	logger, err := cmtflags.ParseLogLevel(cfg.LogLevel, cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout)), cmtcfg.DefaultLogLevel)
	if err != nil {
		return fmt.Errorf("log_level: %w", err)
	}
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	db, err := dbm.NewGoLevelDB("application", cfg.DBDir(), nil)
	if err != nil {
		return err
	}
	app, err := NewApp(db)
	if err != nil {
		return err
	}
	defer app.ms.Close()
	n, err := cmtnode.NewNode(cfg, privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()), nodeKey,
		proxy.NewConnSyncLocalClientCreator(app), cmtnode.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider, cmtnode.DefaultMetricsProvider(cfg.Instrumentation), logger)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	if err := n.Stop(); err != nil && !strings.Contains(err.Error(), "already stopped") {
		return err
	}
	n.Wait()
	return nil
}
