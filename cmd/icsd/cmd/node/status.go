package node

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/cmd/icsd/cmd/query"
	"github.com/abci-ics/ics/interchain"
)

// StatusJSON is what `icsd status` prints: the node, the chain's role, and
// its CCV state (the provider's consumers, or the consumer's link).
type StatusJSON struct {
	ChainID    string         `json:"chain_id"`
	Moniker    string         `json:"moniker"`
	NodeID     string         `json:"node_id"`
	Version    string         `json:"version"`
	Height     int64          `json:"height,string"`
	BlockTime  time.Time      `json:"block_time"`
	CatchingUp bool           `json:"catching_up"`
	Peers      int            `json:"peers"`
	Validator  *ValidatorJSON `json:"validator,omitempty"`
	Role       query.RoleJSON `json:"role"`
	// Consumers are a provider's (every consumer it knows, stopped and
	// deleted ones included).
	Consumers []interchain.ConsumerJSON `json:"consumers,omitempty"`
	// Consumer is a consumer's CCV link, and Sovereign its planned
	// transition when it has its own staking.
	Consumer  *interchain.ConsumerStatusJSON       `json:"consumer,omitempty"`
	Sovereign *consumerapp.SovereignTransitionJSON `json:"sovereign_transition,omitempty"`
}

// ValidatorJSON is the node's validator, when it signs with voting power.
type ValidatorJSON struct {
	Address string `json:"address"`
	Power   int64  `json:"voting_power,string"`
}

// StatusCmd is `icsd status`.
func StatusCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "status",
		Short: "One screen of a node: chain, role, height, sync, peers, validator, and its CCV state",
		Long: `status reads a running node (--node) and prints its chain id, moniker, height and
block time, whether it is catching up, its peers, and whether it is a validator of the
chain's current set (with its voting power); then the chain's role (icsd query role):
on a provider, each consumer with its phase, validators, CCV channel and VSC progress (the
last VSC sent, the last the consumer matured, and how many wait for the channel); on a
consumer, its CCV link (icsd query consumer status) and its planned sovereign transition.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			st, err := nodeStatus(ctx, c)
			if err != nil {
				return err
			}
			return cli.PrintOut(cmd, st, func(w io.Writer) { printStatus(w, st) })
		},
	}
	cli.AddNodeFlag(c)
	return c
}

// nodeStatus gathers StatusJSON from the node c reaches.
func nodeStatus(ctx context.Context, c *client.Client) (StatusJSON, error) {
	rs, err := c.RPC().Status(ctx)
	if err != nil {
		return StatusJSON{}, fmt.Errorf("node status: %w", err)
	}
	st := StatusJSON{ChainID: rs.NodeInfo.Network, Moniker: rs.NodeInfo.Moniker, NodeID: string(rs.NodeInfo.DefaultNodeID),
		Version: rs.NodeInfo.Version, Height: rs.SyncInfo.LatestBlockHeight, BlockTime: rs.SyncInfo.LatestBlockTime,
		CatchingUp: rs.SyncInfo.CatchingUp}
	if v := rs.ValidatorInfo; v.VotingPower > 0 {
		st.Validator = &ValidatorJSON{Address: v.Address.String(), Power: v.VotingPower}
	}
	ni, err := c.RPC().NetInfo(ctx)
	if err != nil {
		return StatusJSON{}, fmt.Errorf("node peers: %w", err)
	}
	st.Peers = ni.NPeers
	var stores abci.StoresJSON
	if err := c.QueryJSON(ctx, abci.PathStores, &stores); err != nil {
		return StatusJSON{}, err
	}
	st.Role, err = query.ChainRole(stores, func() ([]interchain.ConsumerJSON, error) {
		err := c.QueryJSON(ctx, interchain.PathConsumers, &st.Consumers)
		return st.Consumers, err
	})
	if err != nil {
		return StatusJSON{}, err
	}
	if st.Role.Role == query.RoleConsumer {
		st.Consumer = &interchain.ConsumerStatusJSON{}
		if err := c.QueryJSON(ctx, interchain.PathConsumerStatus, st.Consumer); err != nil {
			return StatusJSON{}, err
		}
		var p consumerapp.SovereignTransitionJSON
		if c.QueryJSON(ctx, consumerapp.PathSovereignTransition, &p) == nil { // only with its own staking
			st.Sovereign = &p
		}
	}
	return st, nil
}

func printStatus(w io.Writer, st StatusJSON) {
	sync := "in sync"
	if st.CatchingUp {
		sync = "catching up"
	}
	fmt.Fprintf(w, "%s  height %d at %s (%s)\n", st.ChainID, st.Height, st.BlockTime.UTC().Format(time.RFC3339), sync)
	fmt.Fprintf(w, "node %s (%s, %s), %d peers\n", st.Moniker, st.NodeID, st.Version, st.Peers)
	if st.Validator != nil {
		fmt.Fprintf(w, "validator %s, voting power %d\n", st.Validator.Address, st.Validator.Power)
	} else {
		fmt.Fprintln(w, "not a validator of the current set")
	}
	fmt.Fprint(w, "role: ")
	query.PrintRole(w, st.Role)
	for _, c := range st.Consumers {
		line := fmt.Sprintf("  consumer %s %s: %s", c.ConsumerID, c.ChainID, c.Phase)
		if c.Phase == "launched" || c.Phase == "running" {
			ch := c.ChannelID
			if ch == "" {
				ch = "no CCV channel yet"
			}
			line += fmt.Sprintf(", %d validators, %s, VSC sent %d, matured %d, queued %d", c.Validators, ch, c.LastVSCSent, c.LastVSCMatured, c.QueuedVSCs)
		}
		if c.StopReason != "" {
			line += " (" + c.StopReason + ")"
		}
		fmt.Fprintln(w, line)
	}
	if cs := st.Consumer; cs != nil {
		link := "CCV channel " + cs.ProviderChannelID
		if cs.ProviderChannelID == "" {
			link = "no CCV channel yet"
		}
		if cs.Stopped {
			link += ", stopped"
		}
		fmt.Fprintf(w, "  provider client %s, %s, highest VSC %d, %d packets pending\n", cs.ProviderClientID, link, cs.HighestVSCID, cs.PendingPackets)
	}
	if p := st.Sovereign; p != nil && p.Planned {
		fmt.Fprintf(w, "  sovereign transition planned at height %d (%s)\n", p.Height, strings.ReplaceAll(p.Reason, "_", " "))
	}
}
