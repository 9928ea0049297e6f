package query

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/interchain"
)

func printConsumerValidators(w io.Writer, vs []interchain.ConsumerValidatorJSON) {
	if len(vs) == 0 {
		fmt.Fprintln(w, "no validators")
		return
	}
	fmt.Fprintf(w, "%-64s %12s %-52s %s\n", "CONSUMER_KEY", "POWER", "CONSUMER_ADDRESS", "PROVIDER_ADDRESS")
	for _, v := range vs {
		fmt.Fprintf(w, "%-64s %12d %-52s %s\n", v.ConsumerKey, v.Power, v.ConsumerAddress, v.ProviderAddress)
	}
}

func providerQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "provider", Short: "Interchain Security queries of a provider chain"}
	c.AddCommand(
		queryCommand("consumers", "Every consumer chain: phase, client, channel, spawn and stop times", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumers },
			func(w io.Writer, cs []interchain.ConsumerJSON) {
				if len(cs) == 0 {
					fmt.Fprintln(w, "no consumers")
					return
				}
				fmt.Fprintf(w, "%-20s %-10s %-12s %-12s %s\n", "CHAIN_ID", "PHASE", "CLIENT", "CHANNEL", "SPAWN_TIME")
				for _, c := range cs {
					fmt.Fprintf(w, "%-20s %-10s %-12s %-12s %s\n", c.ChainID, c.Phase, orDash(c.ClientID), orDash(c.ChannelID), c.SpawnTime)
				}
			}),
		queryCommand("consumer-genesis CHAIN_ID", "The genesis the provider computed when it launched CHAIN_ID (input of icsd genesis import-consumer)", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathConsumerGenesis + a[0] }, rawText[json.RawMessage]),
		queryCommand("validators CHAIN_ID", "The validator set the provider last sent CHAIN_ID, with consumer keys", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathConsumerVals + a[0] }, printConsumerValidators),
		queryCommand("pending-vsc CHAIN_ID", "Validator set changes waiting for CHAIN_ID's channel", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathPendingVSC + a[0] }, rawText[json.RawMessage]),
		queryCommand("throttle", "The slash meter", cobra.NoArgs,
			func([]string) string { return interchain.PathThrottle }, rawText[json.RawMessage]),
		queryCommand("holds", "Unbonding entries held by consumers, and since when", cobra.NoArgs,
			func([]string) string { return interchain.PathHolds }, rawText[[]interchain.HoldJSON]),
		queryCommand("key-assignments CHAIN_ID", "Consumer keys assigned for CHAIN_ID", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathKeyAssignments + a[0] },
			func(w io.Writer, ks []interchain.KeyAssignmentJSON) {
				if len(ks) == 0 {
					fmt.Fprintln(w, "no keys assigned")
					return
				}
				for _, k := range ks {
					fmt.Fprintf(w, "%s -> %s (%s)\n", k.ProviderAddress, k.ConsumerKey, k.ConsumerAddress)
				}
			}),
		queryCommand("params", "Provider parameters", cobra.NoArgs,
			func([]string) string { return interchain.PathProviderParams }, rawText[json.RawMessage]),
	)
	return c
}

func consumerQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "consumer", Short: "Interchain Security queries of a consumer chain"}
	c.AddCommand(
		queryCommand("status", "The consumer's CCV link: provider client and channel, highest applied VSC id, pending packets", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumerStatus },
			func(w io.Writer, s interchain.ConsumerStatusJSON) {
				fmt.Fprintf(w, "provider client:  %s\nprovider channel: %s\nhighest vsc id:   %d\npending packets:  %d\nstopped:          %v\n",
					s.ProviderClientID, orDash(s.ProviderChannelID), s.HighestVSCID, s.PendingPackets, s.Stopped)
			}),
		queryCommand("params", "Consumer parameters", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumerParams }, rawText[json.RawMessage]),
		queryCommand("validators", "The consumer's validator set, as the provider sent it", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumerValidator }, printConsumerValidators),
		queryCommand("pending-packets", "Packets (slash, VSC matured) waiting to be sent to the provider", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumerPackets }, rawText[json.RawMessage]),
	)
	return c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
