package cmd

import (
	"context"
	"errors"
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

// Process is one running node of a testnet.
type Process struct {
	Home string
	RPC  string // tcp://127.0.0.1:port
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

// StartNode runs `icsd start --home home` as a child process with its
// output appended to home/node.log.
func StartNode(bin, home string, extra ...string) (*Process, error) {
	cfg, err := loadNodeConfig(&cobra.Command{}, home)
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"start", "--home", home}, extra...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start node %s: %w", home, err)
	}
	p := &Process{Home: home, RPC: cfg.RPC.ListenAddress, cmd: cmd, log: logf, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	return p, nil
}

// Stop asks the node to stop and waits for it, killing it after timeout.
func (p *Process) Stop(timeout time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.Kill()
	}
}

// Kill ends the node at once, as a crash would.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.done <- errors.New("killed")
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

func testnetStartCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "start",
		Short: "Run every node of a testnet as its own process and report progress until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("dir")
			interval, _ := cmd.Flags().GetDuration("report-every")
			t, err := LoadTestnet(dir)
			if err != nil {
				return err
			}
			bin, err := os.Executable()
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
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			reportLoop(ctx, cmd.OutOrStdout(), procs, interval)
			fmt.Fprintln(cmd.OutOrStdout(), "stopping")
			stopAll()
			return nil
		},
	}
	c.Flags().String("dir", "build/testnet", "testnet directory written by icsd testnet init")
	c.Flags().Duration("report-every", 2*time.Second, "interval between progress lines")
	return c
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
			name := filepath.Base(p.Home)
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
