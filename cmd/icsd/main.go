// Command icsd runs and drives Interchain Security chains: see `icsd --help`.
package main

import (
	"os"
	"runtime/debug"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/cmd/icsd/cmd"
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(abci.GCPercent)
	}
	if err := cmd.NewRoot().Execute(); err != nil {
		os.Exit(1)
	}
}
