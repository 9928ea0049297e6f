package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/nodehome/grpcnode"
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
	set := map[string]string{}
	for _, f := range startFlags {
		if fl := cmd.Flags().Lookup(f.name); fl != nil && fl.Changed {
			set[f.name] = fl.Value.String()
		}
	}
	return nodehome.LoadConfig(home, set)
}

func startCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "start",
		Short: "Run a CometBFT node with the application in this process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadNodeConfig(cmd, cli.Home(cmd))
			if err != nil {
				return err
			}
			logger := cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout))
			logger, err = cmtflags.ParseLogLevel(cfg.LogLevel, logger, cmtcfg.DefaultLogLevel)
			if err != nil {
				return fmt.Errorf("log_level: %w", err)
			}
			n, app, err := nodehome.NewNode(cfg, logger, Version)
			if err != nil {
				return err
			}
			if err := n.Start(); err != nil {
				app.Close()
				return fmt.Errorf("start node: %w", err)
			}
			// The gRPC server stops before the node and the application.
			stopGRPC, addr, err := grpcnode.Start(cfg, n, app, Version)
			if err != nil {
				_ = n.Stop()
				n.Wait()
				app.Close()
				return err
			}
			if addr != "" {
				logger.Info("serving gRPC queries", "address", addr)
			}
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			logger.Info("stopping")
			stopGRPC()
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
