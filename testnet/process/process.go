package process

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
)

// Process is a child process of a testnet: a node or a relayer.
type Process struct {
	Name string // node0, consumer-1/node2, consumer-1/relayer, ...
	Home string
	RPC  string // tcp://127.0.0.1:port, for nodes
	Log  string // the file its output is appended to
	cmd  *exec.Cmd
	done chan struct{}
	err  error

	stopped atomic.Bool // Stop or Kill was called
}

// Start runs bin with args as a child process in its own process group
// (Ctrl-C reaches the parent only, which stops its children in order),
// with its output appended to logPath.
func Start(bin, name, logPath string, args ...string) (*Process, error) {
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
	cfg, err := nodehome.LoadConfig(home, nil)
	if err != nil {
		return nil, err
	}
	p, err := Start(bin, filepath.Base(home), filepath.Join(home, "node.log"), append([]string{"start", "--home", home}, extra...)...)
	if err != nil {
		return nil, err
	}
	p.Home, p.RPC = home, cfg.RPC.ListenAddress
	return p, nil
}

// Stop asks the process to stop and waits for it, killing it after
// timeout.
func (p *Process) Stop(timeout time.Duration) {
	p.stopped.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.Kill()
	}
}

// Kill ends the process at once, as a crash would, and waits for it.
func (p *Process) Kill() {
	p.stopped.Store(true)
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

// ExitReport describes how the process ended: its log's path, and
// when it ended by itself rather than by Stop or Kill, how it ended and
// the last lines of its log, which say why (the log may be gone by the
// time anyone reads a failed run's output).
func (p *Process) ExitReport() string {
	if p.stopped.Load() {
		return fmt.Sprintf("log %s", p.Log)
	}
	return fmt.Sprintf("%v; log %s ends:\n%s", p.Wait(), p.Log, tail(p.Log, 12))
}

// tail returns the last n lines of the file at path, indented.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    " + err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

// Wait waits for the process to end and returns how it ended.
func (p *Process) Wait() error {
	<-p.done
	return p.err
}

// Report prints, until ctx ends, one line per interval: each node's
// height, and the validator set whenever it changes.
func Report(ctx context.Context, w io.Writer, procs []*Process, interval time.Duration) {
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
			qctx, qcancel := context.WithTimeout(ctx, time.Second)
			parts = append(parts, name+"="+Height(qctx, p.RPC))
			qcancel()
		}
		fmt.Fprintf(w, "%s heights %s\n", time.Now().Format("15:04:05"), strings.Join(parts, " "))
		if h, set := validatorSet(ctx, procs); set != "" && set != lastSet {
			fmt.Fprintf(w, "validator set at height %d: %s\n", h, set)
			lastSet = set
		}
	}
}

// Height returns the latest height of the node at rpc, "down" when it
// does not answer, "?" for an address that is not one.
func Height(ctx context.Context, rpc string) string {
	c, err := client.NewClient(rpc)
	if err != nil {
		return "?"
	}
	s, err := c.RPC().Status(ctx)
	if err != nil {
		return "down"
	}
	return fmt.Sprint(s.SyncInfo.LatestBlockHeight)
}

// validatorSet describes the current CometBFT validator set as seen by the
// first live node, and the height it is for.
func validatorSet(ctx context.Context, procs []*Process) (int64, string) {
	for _, p := range procs {
		if p.Exited() {
			continue
		}
		c, err := client.NewClient(p.RPC)
		if err != nil {
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		res, err := c.RPC().Validators(qctx, nil, nil, nil)
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
