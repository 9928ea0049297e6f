package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/state"
)

// startFlags are CometBFT settings that start may override; each name is
// the key in config.toml.
var startFlags = []struct{ name, usage string }{
	{"moniker", "node name"},
	{"log_level", "log level, for example info or state:debug,*:info"},
	{"rpc.laddr", "RPC listen address"},
	{"p2p.laddr", "P2P listen address"},
	{"p2p.persistent_peers", "comma-separated ID@host:port peers"},
	{"p2p.seeds", "comma-separated ID@host:port seed nodes"},
	{"consensus.timeout_commit", "pause after each block, for example 1s"},
	{"consensus.create_empty_blocks", "produce blocks without transactions"},
	{"instrumentation.prometheus", "serve Prometheus metrics"},
	{"instrumentation.prometheus_listen_addr", "Prometheus metrics address"},
}

// loadNodeConfig reads HOME/config/config.toml with the flags the user set
// on top, and validates the result.
func loadNodeConfig(cmd *cobra.Command, home string) (*cmtcfg.Config, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read config (run icsd init first?): %w", err)
	}
	for _, f := range startFlags {
		if fl := cmd.Flags().Lookup(f.name); fl != nil && fl.Changed {
			v.Set(f.name, fl.Value.String())
		}
	}
	cfg := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg.SetRoot(home)
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func startCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "start",
		Short: "Run a CometBFT node with the application in this process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadNodeConfig(cmd, home(cmd))
			if err != nil {
				return err
			}
			logger := cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout))
			logger, err = cmtflags.ParseLogLevel(cfg.LogLevel, logger, cmtcfg.DefaultLogLevel)
			if err != nil {
				return fmt.Errorf("log_level: %w", err)
			}
			n, app, err := NewNode(cfg, logger)
			if err != nil {
				return err
			}
			if err := n.Start(); err != nil {
				app.Close()
				return fmt.Errorf("start node: %w", err)
			}
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			logger.Info("stopping")
			if err := n.Stop(); err != nil {
				logger.Error("stop node", "err", err)
			}
			n.Wait()
			return app.Close()
		},
	}
	for _, f := range startFlags {
		c.Flags().String(f.name, "", f.usage)
	}
	return c
}

// checkGenesisRole fails when the node's genesis is not for role, or is a
// consumer genesis still waiting for the consumer part.
func checkGenesisRole(cfg *cmtcfg.Config, role app.Role) error {
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.GenesisFile(), err)
	}
	if g.Role() != role {
		return fmt.Errorf("%s holds a %s genesis but %s says the role is %s", cfg.GenesisFile(), g.Role(), appConfigFile(cfg.RootDir), role)
	}
	if role == app.RoleConsumer && len(g.Consumer.InitialValidators) == 0 {
		return fmt.Errorf("the consumer genesis has no validators yet: import the provider's with icsd genesis import-consumer FILE --home %s", cfg.RootDir)
	}
	return nil
}

// NewNode builds a CometBFT node around a new App whose state lives in
// HOME/data/application.db, in the role recorded in HOME/config/app.toml.
func NewNode(cfg *cmtcfg.Config, logger cmtlog.Logger) (*node.Node, *abci.App, error) {
	role, err := ReadRole(cfg.RootDir)
	if err != nil {
		return nil, nil, err
	}
	if err := checkGenesisRole(cfg, role); err != nil {
		return nil, nil, err
	}
	db, err := state.OpenGoLevelDB("application", cfg.DBDir())
	if err != nil {
		return nil, nil, fmt.Errorf("open application db: %w", err)
	}
	open := providerapp.New
	if role == app.RoleConsumer {
		open = consumerapp.New
	}
	a, err := open(db, abci.Options{Logger: logger.With("module", "app"), Version: Version, State: state.Options{KeepRecent: 10000}})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		a.Close()
		return nil, nil, fmt.Errorf("node key: %w", err)
	}
	for _, f := range []string{cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()} {
		if _, err := os.Stat(f); err != nil {
			a.Close()
			return nil, nil, fmt.Errorf("validator key: %w (run icsd init first?)", err)
		}
	}
	pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	n, err := node.NewNode(cfg, pv, nodeKey,
		proxy.NewConnSyncLocalClientCreator(a),
		node.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider,
		node.DefaultMetricsProvider(cfg.Instrumentation),
		logger)
	if err != nil {
		a.Close()
		return nil, nil, fmt.Errorf("new node: %w", err)
	}
	return n, a, nil
}
