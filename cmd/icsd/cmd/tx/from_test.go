package tx

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
)

// TestEveryTxCommandTakesFrom: each command of icsd tx signs with --from
// or its positional KEY, so it can be called without KEY when --from is
// given.
func TestEveryTxCommandTakesFrom(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		if !c.Runnable() {
			return
		}
		n++
		if c.Flags().Lookup(cli.FlagFrom) == nil || c.Flags().Lookup(cli.FlagKeyringPassphraseFile) == nil {
			t.Errorf("%s has no --from or --keyring-passphrase-file", c.CommandPath())
		}
		if !strings.Contains(c.Use, "KEY") {
			t.Errorf("%s: %q names no KEY", c.CommandPath(), c.Use)
		}
		// With --from, one argument fewer is accepted.
		c.Flags().Set(cli.FlagFrom, "alice")
		defer c.Flags().Set(cli.FlagFrom, "")
		args := make([]string, strings.Count(c.Use, " ")-strings.Count(c.Use, "["))
		if err := c.Args(c, args[1:]); err != nil {
			t.Errorf("%s --from with %d arguments: %v", c.CommandPath(), len(args)-1, err)
		}
	}
	walk(Command())
	if n < 20 {
		t.Fatalf("only %d commands", n)
	}
}
