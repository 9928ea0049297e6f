// Command kvconsumer is a small key-value chain on CometBFT secured by an
// icsd provider: an example of a chain that is not icsd and mounts the
// interchain layer as a consumer. Its own transactions are JSON
// {"key": K, "value": V}; relayers submit interchain.RelayTx transactions.
//
//	kvconsumer init --home H [--moniker M] [--rpc ADDR] [--p2p ADDR] [--peers ID@ADDR,...]
//	                [--timeout-commit D] [--log-level L]
//	kvconsumer genesis --home H --chain-id C --consumer-genesis FILE [--genesis-time RFC3339]
//	kvconsumer start --home H
//
// init writes CometBFT's configuration and a node key (and a validator key
// unless one was copied to config/priv_validator_key.json first, as a
// provider validator that runs the consumer with its provider key does;
// the same holds for config/node_key.json, so peers can be known before
// init); genesis
// writes config/genesis.json from the consumer genesis the provider
// computed (icsd query provider consumer-genesis); start runs the node until
// SIGINT or SIGTERM.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtjson "github.com/cometbft/cometbft/libs/json"
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

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kvconsumer init|genesis|start --home DIR [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "init":
		err = initHome(os.Args[2:])
	case "genesis":
		err = writeGenesis(os.Args[2:])
	case "start":
		err = start(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (want init, genesis or start)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvconsumer:", err)
		os.Exit(1)
	}
}

func config(home string) *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	return cfg
}

func initHome(args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	home := fs.String("home", "", "node home directory (required)")
	moniker := fs.String("moniker", "kvconsumer", "node name")
	rpc := fs.String("rpc", "tcp://127.0.0.1:26657", "RPC listen address")
	p2pAddr := fs.String("p2p", "tcp://127.0.0.1:26656", "P2P listen address")
	peers := fs.String("peers", "", "persistent peers, ID@HOST:PORT,...")
	commit := fs.Duration("timeout-commit", time.Second, "CometBFT timeout_commit")
	level := fs.String("log-level", cmtcfg.DefaultLogLevel, "log level, as CometBFT's log_level (e.g. \"*:error,state:info\")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *home == "" {
		return errors.New("init: --home is required")
	}
	cfg := config(*home)
	cfg.Moniker, cfg.RPC.ListenAddress, cfg.P2P.ListenAddress, cfg.P2P.PersistentPeers = *moniker, *rpc, *p2pAddr, *peers
	cfg.P2P.AllowDuplicateIP, cfg.P2P.AddrBookStrict = true, false
	cfg.Consensus.TimeoutCommit, cfg.LogLevel = *commit, *level
	if err := cfg.ValidateBasic(); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if _, err := cmtflags.ParseLogLevel(*level, cmtlog.NewNopLogger(), cmtcfg.DefaultLogLevel); err != nil {
		return fmt.Errorf("init: --log-level: %w", err)
	}
	for name, addr := range map[string]string{"rpc": *rpc, "p2p": *p2pAddr} {
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(addr, "tcp://")); err != nil || !strings.HasPrefix(addr, "tcp://") {
			return fmt.Errorf("init: --%s %q: want tcp://HOST:PORT", name, addr)
		}
	}
	for _, p := range strings.Split(*peers, ",") {
		if _, err := p2p.NewNetAddressString(p); p != "" && err != nil {
			return fmt.Errorf("init: --peers: %q: %w", p, err)
		}
	}
	cmtcfg.EnsureRoot(*home)
	cmtcfg.WriteConfigFile(filepath.Join(*home, "config", "config.toml"), cfg)
	if err := loadOrGenPV(cfg); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	key, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	fmt.Println(key.ID())
	return nil
}

// parse parses args into fs and rejects positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// loadOrGenPV keeps a validator key copied into the home, starting its
// signing state afresh when none was copied with it, or makes a new key.
func loadOrGenPV(cfg *cmtcfg.Config) error {
	keyFile, stateFile := cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()
	bz, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		privval.GenFilePV(keyFile, stateFile).Save()
		return nil
	}
	if err != nil {
		return err
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(bz, &k); err != nil || k.PrivKey == nil {
		return fmt.Errorf("%s is not a validator key: %v", keyFile, err)
	}
	if _, err := os.Stat(stateFile); errors.Is(err, fs.ErrNotExist) {
		privval.NewFilePV(k.PrivKey, keyFile, stateFile).Save()
	}
	return nil
}

func writeGenesis(args []string) error {
	fs := flag.NewFlagSet("genesis", flag.ContinueOnError)
	home := fs.String("home", "", "node home directory (required)")
	chainID := fs.String("chain-id", "", "the consumer's chain id (required)")
	file := fs.String("consumer-genesis", "", "consumer genesis JSON from the provider (required)")
	at := fs.String("genesis-time", "", "genesis time, RFC 3339 (default: now); every node must use the same")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *home == "" || *chainID == "" || *file == "" {
		return errors.New("genesis: --home, --chain-id and --consumer-genesis are required")
	}
	bz, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var cg ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(bz), &cg); err != nil {
		return fmt.Errorf("consumer genesis %s: %w", *file, err)
	}
	if err := cg.Validate(); err != nil {
		return fmt.Errorf("consumer genesis %s: %w", *file, err)
	}
	t := time.Now().UTC()
	if *at != "" {
		if t, err = time.Parse(time.RFC3339Nano, *at); err != nil {
			return fmt.Errorf("--genesis-time: %w", err)
		}
	}
	appState, err := json.Marshal(Genesis{Consumer: json.RawMessage(bz)})
	if err != nil {
		return err
	}
	doc := &cmttypes.GenesisDoc{ChainID: *chainID, GenesisTime: t, InitialHeight: 1,
		ConsensusParams: cmttypes.DefaultConsensusParams(), AppState: appState}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	return doc.SaveAs(config(*home).GenesisFile())
}

func start(args []string) error {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	home := fs.String("home", "", "node home directory (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *home == "" {
		return errors.New("start: --home is required")
	}
	cfg := config(*home)
	if _, err := os.Stat(cfg.GenesisFile()); err != nil {
		return fmt.Errorf("start: %w (run kvconsumer genesis first)", err)
	}
	v, err := readConfig(*home)
	if err != nil {
		return err
	}
	cfg = v
	db, err := dbm.NewGoLevelDB("application", cfg.DBDir(), nil)
	if err != nil {
		return err
	}
	app, err := NewApp(db)
	if err != nil {
		return err
	}
	defer app.Close()
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return err
	}
	logger, err := cmtflags.ParseLogLevel(cfg.LogLevel, cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout)), cmtcfg.DefaultLogLevel)
	if err != nil {
		return fmt.Errorf("start: log_level: %w", err)
	}
	n, err := cmtnode.NewNode(cfg, privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()), nodeKey,
		proxy.NewConnSyncLocalClientCreator(app), cmtnode.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider, cmtnode.DefaultMetricsProvider(cfg.Instrumentation), logger)
	if err != nil {
		return err
	}
	if err := n.Start(); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := n.Stop(); err != nil && !strings.Contains(err.Error(), "already stopped") {
		return err
	}
	n.Wait()
	return nil
}

// readConfig reads HOME/config/config.toml.
func readConfig(home string) (*cmtcfg.Config, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg.SetRoot(home)
	return cfg, cfg.ValidateBasic()
}
