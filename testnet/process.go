package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
)

// Testnet is a set of node homes under one directory, one per validator,
// written by `icsd testnet init`.
type Testnet struct {
	Dir   string
	Homes []string // sorted: node0, node1, ...
}

// LoadTestnet finds the node homes under dir.
func LoadTestnet(dir string) (*Testnet, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "node*", "config", "genesis.json"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no node homes under %s: run icsd testnet init first", dir)
	}
	t := &Testnet{Dir: dir}
	for _, m := range matches {
		t.Homes = append(t.Homes, filepath.Dir(filepath.Dir(m)))
	}
	sort.Slice(t.Homes, func(i, j int) bool { return nodeIndex(t.Homes[i]) < nodeIndex(t.Homes[j]) })
	return t, nil
}

func nodeIndex(home string) int {
	var i int
	fmt.Sscanf(strings.TrimPrefix(filepath.Base(home), "node"), "%d", &i)
	return i
}

// Process is a child process of a testnet: a node or a relayer.
type Process struct {
	Name string // node0, consumer-1/node2, consumer-1/relayer, ...
	Home string
	RPC  string // tcp://127.0.0.1:port, for nodes
	Log  string // the file its output is appended to
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// StartProcess runs bin with args as a child process in its own process
// group (Ctrl-C reaches the parent only, which stops its children in
// order), with its output appended to logPath.
func StartProcess(bin, name, logPath string, args ...string) (*Process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// StartNode runs `icsd start --home home` as a child process with its
// output appended to home/node.log.
func StartNode(bin, home string, extra ...string) (*Process, error) {
	cfg, err := loadNodeConfig(&cobra.Command{}, home)
	if err != nil {
		return nil, err
	}
	p, err := StartProcess(bin, filepath.Base(home), filepath.Join(home, "node.log"), append([]string{"start", "--home", home}, extra...)...)
	if err != nil {
		return nil, err
	}
	p.Home, p.RPC = home, cfg.RPC.ListenAddress
	return p, nil
}

// Stop asks the process to stop and waits for it, killing it after
// timeout.
func (p *Process) Stop(timeout time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.Kill()
	}
}

// Kill ends the process at once, as a crash would, and waits for it.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits for the process to end and returns how it ended.
func (p *Process) Wait() error {
	<-p.done
	return p.err
}

func testnetStartCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "start",
		Short: "Run every node of a testnet as its own process and report progress until Ctrl-C; with --consumers, a provider with consumer chains",
		Long: `start runs every node of the testnet in --dir as its own process and reports progress
until Ctrl-C, then stops every child.

With --consumers N it runs Interchain Security: it writes the provider homes if --dir
has none (--validators of them, validator 0 bonding twice as much as the others), starts
the provider, passes a consumer addition proposal for each of consumer-1..consumer-N
(every validator votes yes), has every validator assign a fresh consumer key on the
consumers of --assign-keys before the launch, fetches each consumer genesis, writes one
node per validator on each consumer under DIR/consumer-<j>, starts them, and runs one
relayer per consumer (icsd relay link-ccv, then icsd relay start). It then prints the
consumers' phases, channels opening, each VSC a consumer applies, and validators jailed
on the provider. Started again on the same --dir it resumes: nothing is proposed or
written twice, and an open CCV channel is reused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			dir, _ := f.GetString("dir")
			interval, _ := f.GetDuration("report-every")
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			if n, _ := f.GetInt("consumers"); n > 0 {
				o, err := ccvOptionsFromFlags(cmd)
				if err != nil {
					return err
				}
				o.Dir, o.Bin, o.Out = dir, bin, cmd.OutOrStdout()
				t, err := StartCCVTestnet(ctx, o)
				if err != nil {
					if ctx.Err() != nil {
						fmt.Fprintln(cmd.OutOrStdout(), "stopped")
						return nil
					}
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "running; Ctrl-C stops every node and relayer. Validator set changes reach the consumers every %d provider blocks, for example:\n"+
					"  icsd tx staking delegate validator <operator> 1000000000stake --home %s --node %s\n", o.BlocksPerEpoch, NodeHome(dir, 0), t.ProviderRPC(0))
				t.Watch(ctx, cmd.OutOrStdout(), interval, 10)
				fmt.Fprintln(cmd.OutOrStdout(), "stopping")
				t.Stop()
				return nil
			}
			t, err := LoadTestnet(dir)
			if err != nil {
				return err
			}
			var procs []*Process
			stopAll := func() {
				for _, p := range procs {
					p.Stop(10 * time.Second)
				}
			}
			for _, h := range t.Homes {
				p, err := StartNode(bin, h)
				if err != nil {
					stopAll()
					return err
				}
				procs = append(procs, p)
				fmt.Fprintf(cmd.OutOrStdout(), "started %s (rpc %s, log %s)\n", filepath.Base(h), p.RPC, filepath.Join(h, "node.log"))
			}
			reportLoop(ctx, cmd.OutOrStdout(), procs, interval)
			fmt.Fprintln(cmd.OutOrStdout(), "stopping")
			stopAll()
			return nil
		},
	}
	d := DefaultCCVOptions()
	fl := c.Flags()
	fl.String("dir", "build/testnet", "testnet directory (written by icsd testnet init, or by this command with --consumers)")
	fl.Duration("report-every", 2*time.Second, "interval between progress polls")
	fl.Int("consumers", 0, "number of consumer chains to launch and run (0: run the nodes of --dir only)")
	fl.Int("validators", d.Validators, "with --consumers: provider validators, each running one node per consumer")
	fl.String("chain-id", d.ChainID, "with --consumers: the provider's chain id")
	fl.Int("base-port", d.BasePort, "with --consumers: first loopback port (provider node i: +10i; consumer j node i: +100j+10i)")
	fl.Duration("timeout-commit", d.TimeoutCommit, "with --consumers: CometBFT timeout_commit of every node")
	fl.Duration("voting-period", d.VotingPeriod, "with --consumers: the provider's governance voting period")
	fl.Int64("blocks-per-epoch", d.BlocksPerEpoch, "with --consumers: provider blocks between validator set changes sent to consumers")
	fl.Duration("consumer-unbonding-period", d.ConsumerUnbondingPeriod, "with --consumers: each consumer's unbonding period (the provider's client of it trusts for 0.66 of it)")
	fl.Int64("signed-blocks-window", d.SignedBlocksWindow, "with --consumers: each consumer's downtime window in blocks")
	fl.Duration("downtime-jail", d.DowntimeJail, "with --consumers: how long the provider jails a validator a consumer reports down")
	fl.IntSlice("assign-keys", d.AssignKeys, "with --consumers: consumers (1-based) on which every validator assigns a fresh consumer key before launch")
	fl.String("node-log-level", "info", "with --consumers: log level of every node")
	return c
}

// ccvOptionsFromFlags reads the CCV flags of testnet start.
func ccvOptionsFromFlags(cmd *cobra.Command) (CCVOptions, error) {
	f := cmd.Flags()
	o := DefaultCCVOptions()
	o.Consumers, _ = f.GetInt("consumers")
	o.Validators, _ = f.GetInt("validators")
	o.ChainID, _ = f.GetString("chain-id")
	o.BasePort, _ = f.GetInt("base-port")
	o.TimeoutCommit, _ = f.GetDuration("timeout-commit")
	o.VotingPeriod, _ = f.GetDuration("voting-period")
	o.BlocksPerEpoch, _ = f.GetInt64("blocks-per-epoch")
	o.ConsumerUnbondingPeriod, _ = f.GetDuration("consumer-unbonding-period")
	o.SignedBlocksWindow, _ = f.GetInt64("signed-blocks-window")
	o.DowntimeJail, _ = f.GetDuration("downtime-jail")
	o.AssignKeys, _ = f.GetIntSlice("assign-keys")
	level, _ := f.GetString("node-log-level")
	o.NodeArgs = []string{"--log_level", level}
	if o.ChainID == "" || len(o.ChainID) > cmttypes.MaxChainIDLen {
		return o, fmt.Errorf("invalid --chain-id %q", o.ChainID)
	}
	return o, nil
}

// reportLoop prints one line per interval: each node's height, and the
// validator set whenever it changes.
func reportLoop(ctx context.Context, w io.Writer, procs []*Process, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	lastSet := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var parts []string
		for _, p := range procs {
			name := p.Name
			if p.Exited() {
				parts = append(parts, name+"=exited")
				continue
			}
			c, err := NewClient(p.RPC)
			if err != nil {
				parts = append(parts, name+"=?")
				continue
			}
			qctx, qcancel := context.WithTimeout(ctx, time.Second)
			st, err := c.rpc.Status(qctx)
			qcancel()
			if err != nil {
				parts = append(parts, name+"=down")
				continue
			}
			parts = append(parts, fmt.Sprintf("%s=%d", name, st.SyncInfo.LatestBlockHeight))
		}
		fmt.Fprintf(w, "%s heights %s\n", time.Now().Format("15:04:05"), strings.Join(parts, " "))
		if h, set := validatorSet(ctx, procs); set != "" && set != lastSet {
			fmt.Fprintf(w, "validator set at height %d: %s\n", h, set)
			lastSet = set
		}
	}
}

// validatorSet describes the current CometBFT validator set as seen by the
// first live node, and the height it is for.
func validatorSet(ctx context.Context, procs []*Process) (int64, string) {
	for _, p := range procs {
		if p.Exited() {
			continue
		}
		c, err := NewClient(p.RPC)
		if err != nil {
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		res, err := c.rpc.Validators(qctx, nil, nil, nil)
		cancel()
		if err != nil {
			continue
		}
		parts := make([]string, len(res.Validators))
		for i, v := range res.Validators {
			parts[i] = fmt.Sprintf("%s:%d", v.Address.String()[:8], v.VotingPower)
		}
		return res.BlockHeight, "[" + strings.Join(parts, " ") + "]"
	}
	return 0, ""
}
