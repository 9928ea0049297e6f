package tx

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/cmd/icsd/cmd/consumersettings"
)

// TestConsumerCommandsTakeTheSettings checks that the commands that send
// consumer settings register the flags package consumersettings reads,
// as it defines them; what the flags mean is tested there.
func TestConsumerCommandsTakeTheSettings(t *testing.T) {
	cmds := map[string]*cobra.Command{}
	for _, c := range append(providerConsumerTxCmds(), consumerGovTxCmds()...) {
		cmds[c.Name()] = c
	}
	for name, add := range map[string]func(*pflag.FlagSet){
		"create-consumer":          func(f *pflag.FlagSet) { consumersettings.AddFlags(f, true) },
		"update-consumer":          func(f *pflag.FlagSet) { consumersettings.AddFlags(f, false) },
		"submit-consumer-update":   func(f *pflag.FlagSet) { consumersettings.AddFlags(f, false) },
		"submit-consumer-addition": consumersettings.AddParamFlags,
	} {
		c := cmds[name]
		if c == nil {
			t.Fatalf("no command %s", name)
		}
		want := pflag.NewFlagSet(name, pflag.ContinueOnError)
		add(want)
		want.VisitAll(func(w *pflag.Flag) {
			got := c.Flags().Lookup(w.Name)
			if got == nil {
				t.Errorf("%s has no --%s", name, w.Name)
			} else if got.Value.Type() != w.Value.Type() || got.DefValue != w.DefValue || got.Usage != w.Usage {
				t.Errorf("%s --%s: %s %q %q, want %s %q %q", name, w.Name, got.Value.Type(), got.DefValue, got.Usage, w.Value.Type(), w.DefValue, w.Usage)
			}
		})
	}
}
