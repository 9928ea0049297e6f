package cmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/abci-ics/ics/testnet/load"
)

// TestBenchLoadFlags: bench load hangs under bench, refuses bad flags by
// name before it starts anything, and with --kvstore alone runs the kvstore
// node and prints JSON with its column only.
func TestBenchLoadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "give --node"},
		{[]string{"--kvstore", "--rate", "0"}, "--rate 0"},
		{[]string{"--kvstore", "--duration", "0s"}, "--duration 0s"},
		{[]string{"--kvstore", "--conns", "0"}, "--conns 0"},
		{[]string{"--kvstore", "--timeout-commit", "0s"}, "--timeout-commit"},
		{[]string{"--node", "127.0.0.1:1", "--accounts", "1"}, "--accounts 1"},
		{[]string{"--node", "127.0.0.1:1", "--per-account", "0"}, "--per-account 0"},
		{[]string{"--node", "127.0.0.1:1", "--home", t.TempDir()}, `no key "validator"`},
	} {
		root := NewRoot()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"bench", "load"}, c.args...))
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}

	root := NewRoot()
	var out, log bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&log)
	root.SetArgs([]string{"bench", "load", "--kvstore", "--rate", "100", "--duration", "1s", "--conns", "2", "--timeout-commit", "100ms", "-o", "json"})
	if err := root.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var cmp load.Comparison
	if err := json.Unmarshal(out.Bytes(), &cmp); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if cmp.ICSD != nil || cmp.KVStore == nil || cmp.KVStore.Committed != cmp.KVStore.Accepted || cmp.KVStore.Committed == 0 {
		t.Fatalf("%s", out.String())
	}
}
