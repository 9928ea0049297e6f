package cmd

import (
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/keys"
)

// keysCmd returns icsd keys, which lives in package keys.
func keysCmd() *cobra.Command { return keys.Command(prefixFor) }
