package query

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
)

// The roles `query role` tells.
const (
	RoleConsumer   = "consumer"
	RoleProvider   = "provider"   // a provider with live consumers
	RoleStandalone = "standalone" // a provider with none
)

// RoleJSON is what `query role` prints: the chain's role, its live
// consumers when it is a provider, and the transitions its stores went
// through.
type RoleJSON struct {
	Role        string           `json:"role"`
	Consumers   []string         `json:"consumers,omitempty"`
	Transitions []TransitionJSON `json:"transitions"`
	Stores      []string         `json:"stores"`
}

// TransitionJSON is one store upgrade of the chain, named for the
// transition that made it.
type TransitionJSON struct {
	Height  int64    `json:"height,string"`
	Name    string   `json:"name"`
	Added   []string `json:"added"`
	Retired []string `json:"retired"`
}

// The names of the transitions `query role` recognizes.
const (
	TransitionSovereign  = "consumer -> sovereign"
	TransitionChangeover = "standalone -> consumer"
)

// ChainRole tells the role of a chain whose /app/stores answer is st;
// consumers is what it answered /provider/consumers, read only when it has
// the provider's store. A consumer is live unless stopped or deleted.
func ChainRole(st abci.StoresJSON, consumers func() ([]interchain.ConsumerJSON, error)) (RoleJSON, error) {
	out := RoleJSON{Stores: st.Stores, Transitions: []TransitionJSON{}}
	for _, u := range st.Upgrades {
		name := "store upgrade"
		switch {
		case slices.Contains(u.Added, provider.StoreName) && slices.Contains(u.Retired, consumer.StoreName):
			name = TransitionSovereign
		case slices.Contains(u.Added, consumer.StoreName):
			name = TransitionChangeover
		}
		out.Transitions = append(out.Transitions, TransitionJSON{Height: u.Height, Name: name, Added: u.Added, Retired: u.Retired})
	}
	switch {
	case slices.Contains(st.Stores, consumer.StoreName):
		out.Role = RoleConsumer
	case slices.Contains(st.Stores, provider.StoreName):
		list, err := consumers()
		if err != nil {
			return out, fmt.Errorf("the chain's consumers: %w", err)
		}
		for _, c := range list {
			if c.Phase != "stopped" && c.Phase != "deleted" {
				out.Consumers = append(out.Consumers, c.ChainID)
			}
		}
		out.Role = RoleStandalone
		if len(out.Consumers) > 0 {
			out.Role = RoleProvider
		}
	default:
		return out, fmt.Errorf("neither a provider nor a consumer: stores %s", strings.Join(st.Stores, ", "))
	}
	return out, nil
}

// PrintRole writes r as `query role` does.
func PrintRole(w io.Writer, r RoleJSON) {
	switch r.Role {
	case RoleProvider:
		fmt.Fprintf(w, "provider of %d consumers: %s\n", len(r.Consumers), strings.Join(r.Consumers, ", "))
	case RoleStandalone:
		fmt.Fprintln(w, "standalone (a provider with no consumers)")
	default:
		fmt.Fprintln(w, r.Role)
	}
	for _, t := range r.Transitions {
		fmt.Fprintf(w, "  %s at height %d (stores added: %s; retired: %s)\n", t.Name, t.Height, orDash(strings.Join(t.Added, ",")), orDash(strings.Join(t.Retired, ",")))
	}
}

// roleCmd is `query role`.
func roleCmd() *cobra.Command {
	c := &cobra.Command{
		Use: "role", Aliases: []string{"chain-role"}, Args: cobra.NoArgs,
		Short: "The chain's role (consumer, provider, or standalone: a provider with no consumers) and the transitions it made, with their heights",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var st abci.StoresJSON
			if err := c.QueryJSON(ctx, abci.PathStores, &st); err != nil {
				return err
			}
			r, err := ChainRole(st, func() ([]interchain.ConsumerJSON, error) {
				var list []interchain.ConsumerJSON
				return list, c.QueryJSON(ctx, interchain.PathConsumers, &list)
			})
			if err != nil {
				return err
			}
			return cli.PrintOut(cmd, r, func(w io.Writer) { PrintRole(w, r) })
		},
	}
	cli.AddNodeFlag(c)
	return c
}

// sovereignTransitionCmd is `query consumer sovereign-transition`.
func sovereignTransitionCmd() *cobra.Command {
	return queryCommand("sovereign-transition", "The consumer's planned sovereign transition: height, self-bond, and why (governance, or the provider stopped it)", cobra.NoArgs,
		func([]string) string { return consumerapp.PathSovereignTransition },
		func(w io.Writer, p consumerapp.SovereignTransitionJSON) {
			if !p.Planned {
				fmt.Fprintln(w, "no sovereign transition planned")
				return
			}
			fmt.Fprintf(w, "sovereign at height %d, each CCV validator bonding %d (%s)\n", p.Height, p.SelfBond, orDash(p.Reason))
		})
}
