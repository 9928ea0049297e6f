// Command icsd runs and drives Interchain Security chains: see `icsd --help`.
package main

import (
	"os"

	"github.com/abci-ics/ics/cmd/icsd/cmd"
)

func main() {
	if err := cmd.NewRoot().Execute(); err != nil {
		os.Exit(1)
	}
}
