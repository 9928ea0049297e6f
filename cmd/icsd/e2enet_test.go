package main_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/ccvopts"
)

// e2eOptions returns the CCV testnet options the end-to-end tests start
// from: the default testnet with validators provider validators and one
// top-N 100 consumer per entry of kinds, no key assignment, run by bin in
// a fresh directory on ports free for ports nodes, with 300 ms blocks, a
// 4 s voting period, a 2-minute consumer unbonding period and quiet
// nodes, its progress written to out.
func e2eOptions(t *testing.T, bin string, ports, validators int, kinds []ccvopts.ConsumerKind, out *lockedBuffer) ccvopts.Options {
	o := ccvopts.Default()
	o.Dir, o.Bin, o.BasePort = testDir(t), bin, freeBase(t, ports)
	o.Validators, o.Consumers, o.Kinds, o.AssignKeys = validators, len(kinds), kinds, nil
	o.TimeoutCommit = 300 * time.Millisecond
	o.VotingPeriod = 4 * time.Second
	o.ConsumerUnbondingPeriod = 2 * time.Minute
	o.NodeArgs = []string{"--log_level", "error"}
	o.Out = out
	return o
}

// testDir returns a fresh directory for the test's testnet: a temporary
// one, or with ICSD_TEST_KEEP=DIR set, DIR/<test name>, which is kept
// (for reading the nodes' and relayers' logs of a failed run).
func testDir(t *testing.T) string {
	keep := os.Getenv("ICSD_TEST_KEEP")
	if keep == "" {
		return t.TempDir()
	}
	dir := filepath.Join(keep, filepath.Base(t.Name()))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startCCV starts the CCV testnet of o and returns it with a context that
// ends after timeout. When the test ends, the testnet stops; when it
// failed, the test log gets the testnet's output and the tail of each of
// logs (paths under o.Dir).
func startCCV(t *testing.T, o ccvopts.Options, out *lockedBuffer, timeout time.Duration, logs ...string) (*ccvNet, context.Context) {
	t.Helper()
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	net, err := testnet.StartCCVTestnet(ctx, o)
	t.Cleanup(func() {
		cancel()
		if net != nil {
			net.Stop()
		}
		if !t.Failed() {
			return
		}
		t.Logf("testnet output:\n%s", out.String())
		for _, f := range logs {
			if bz, err := os.ReadFile(filepath.Join(o.Dir, f)); err == nil {
				t.Logf("%s (tail):\n%s", f, tail(string(bz), 3000))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("testnet running after %s", time.Since(began).Round(time.Second))
	return &ccvNet{t: t, net: net, out: out}, ctx
}
