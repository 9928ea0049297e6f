package nodehome

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/viper"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/abci/snapshots"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/changeover"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/metrics"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/export"
)

// LoadConfig reads HOME/config/config.toml, sets the keys of set on top
// (config.toml names, such as "rpc.laddr"), and validates the result.
func LoadConfig(home string, set map[string]string) (*cmtcfg.Config, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read config (run icsd init first?): %w", err)
	}
	for k, val := range set {
		v.Set(k, val)
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

// genesisRole checks that the node's genesis is for role and tells
// whether a consumer genesis carries the consumer's own staking. It fails
// when the genesis is not for role, or is a consumer genesis still waiting
// for the consumer part. An exported state (package export) is for the
// role its stores say.
func genesisRole(cfg *cmtcfg.Config, role app.Role) (ownStaking bool, err error) {
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return false, fmt.Errorf("genesis: %w", err)
	}
	if st, ok, err := export.Parse(doc.AppState); ok || err != nil {
		if err != nil {
			return false, fmt.Errorf("%s: %w", cfg.GenesisFile(), err)
		}
		got, own := app.StoresRole(st.Names())
		if got != role {
			return false, fmt.Errorf("%s holds the exported state of a %s but %s says the role is %s", cfg.GenesisFile(), got, appConfigFile(cfg.RootDir), role)
		}
		return own, nil
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		return false, fmt.Errorf("%s: %w", cfg.GenesisFile(), err)
	}
	if g.Role() != role {
		return false, fmt.Errorf("%s holds a %s genesis but %s says the role is %s", cfg.GenesisFile(), g.Role(), appConfigFile(cfg.RootDir), role)
	}
	if role == app.RoleConsumer && len(g.Consumer.InitialValidators) == 0 {
		return false, fmt.Errorf("the consumer genesis has no validators yet: import the provider's with icsd genesis import-consumer FILE --home %s", cfg.RootDir)
	}
	return g.OwnStaking(), nil
}

// OpenApp opens the application of the home of cfg over
// HOME/data/application.db, in the role recorded in HOME/config/app.toml,
// without a node: NewNode runs it, and commands that read a stopped node's
// state (export) use it. The database is locked while the App is open.
func OpenApp(cfg *cmtcfg.Config, opts abci.Options) (*abci.App, error) {
	appCfg, err := ReadAppConfig(cfg.RootDir)
	if err != nil {
		return nil, err
	}
	role := appCfg.Role
	own, err := genesisRole(cfg, role)
	if err != nil {
		return nil, err
	}
	db, err := state.OpenGoLevelDB("application", cfg.DBDir())
	if err != nil {
		return nil, fmt.Errorf("open application db: %w (is the node running?)", err)
	}
	a, err := app.Open(db, opts, chainFactory(cfg, role, own, opts.Logger))
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// chainFactory returns the chain a node of the home of cfg runs in role
// (a consumer with its own staking when ownStaking). A provider home is a standalone chain that may change
// over to a consumer (its plan in the home); once it has, its state says
// so.
func chainFactory(cfg *cmtcfg.Config, role app.Role, ownStaking bool, logger abci.Logger) abci.Factory {
	if role == app.RoleConsumer {
		return consumerapp.Factory{Logger: logger, OwnStaking: ownStaking}
	}
	return changeover.Factory{Logger: logger, Plan: ChangeoverPlan(cfg.RootDir)}
}

// GenesisStores returns the stores the state of the node of cfg started
// with: its chain's genesis stores, for its role (state.Open's names).
func GenesisStores(cfg *cmtcfg.Config) ([]string, error) {
	appCfg, err := ReadAppConfig(cfg.RootDir)
	if err != nil {
		return nil, err
	}
	own, err := genesisRole(cfg, appCfg.Role)
	if err != nil {
		return nil, err
	}
	return chainFactory(cfg, appCfg.Role, own, nil).Stores(), nil
}

// TestPauseSave is the environment variable with which tests stop a node
// in the middle of saving a height: set to a height, that height's save
// (with the pipelined commit) waits for good before it writes anything,
// so the test can kill the node then.
const TestPauseSave = "ICSD_TEST_PAUSE_SAVE"

// NewNode builds a CometBFT node around a new App whose state lives in
// HOME/data/application.db, in the role and with the pruning recorded in
// HOME/config/app.toml; the App reports version, and keeps its state
// sync snapshots in HOME/data/snapshots.
func NewNode(cfg *cmtcfg.Config, logger cmtlog.Logger, version string) (*cmtnode.Node, *abci.App, error) {
	appCfg, err := ReadAppConfig(cfg.RootDir)
	if err != nil {
		return nil, nil, err
	}
	appCfg.Memory.Apply()
	keep, interval, err := appCfg.Pruning.Resolve()
	if err != nil {
		return nil, nil, err
	}
	snaps, err := snapshots.Open(filepath.Join(cfg.DBDir(), "snapshots"), snapshots.Options{
		Interval: appCfg.Snapshots.Interval, KeepRecent: int(appCfg.Snapshots.KeepRecent), Logger: logger.With("module", "snapshots")})
	if err != nil {
		return nil, nil, err
	}
	opts := abci.Options{Logger: logger.With("module", "app"), Version: version, State: state.Options{KeepRecent: keep, PruneInterval: interval, CacheSize: appCfg.Memory.NodeCache},
		Snapshots: snaps, Pipeline: appCfg.Commit.Pipeline}
	if fee, ok := appCfg.Mempool.Fee(); ok {
		opts.Admit = app.MinimumFee(fee)
	}
	if h, err := strconv.ParseInt(os.Getenv(TestPauseSave), 10, 64); err == nil && h > 0 {
		opts.PauseSave = func(height int64) {
			if height == h {
				fmt.Fprintf(os.Stderr, "%s: the save of height %d waits for good\n", TestPauseSave, h)
				time.Sleep(time.Hour)
			}
		}
	}
	a, err := OpenApp(cfg, opts)
	if err != nil {
		snaps.Close()
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
	var served abcitypes.Application = a
	if cfg.Instrumentation.Prometheus && appCfg.Metrics.Enabled {
		m := metrics.New(func(path string) ([]byte, error) {
			res, err := a.Query(context.Background(), &abcitypes.RequestQuery{Path: path})
			if err == nil && res.Code != 0 {
				err = errors.New(res.Log)
			}
			return res.GetValue(), err
		})
		if err := m.Register(prometheus.DefaultRegisterer); err != nil {
			logger.Error("icsd metrics not registered", "err", err)
		} else {
			served = m.Instrument(a)
		}
	}
	n, err := cmtnode.NewNode(cfg, pv, nodeKey,
		proxy.NewConnSyncLocalClientCreator(served),
		cmtnode.DefaultGenesisDocProviderFunc(cfg),
		cmtcfg.DefaultDBProvider,
		cmtnode.DefaultMetricsProvider(cfg.Instrumentation),
		logger)
	if err != nil {
		a.Close()
		return nil, nil, fmt.Errorf("new node: %w", err)
	}
	return n, a, nil
}
