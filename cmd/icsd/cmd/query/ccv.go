package query

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
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
		queryCommand("consumers", "Every consumer chain: consumer id, chain id, phase, top N, validators, client, channel, spawn time", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumers }, printConsumers),
		queryCommand("consumer CONSUMER_ID", "One consumer: owner, phase, metadata, all its parameters, opted-in validators and current validator set", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathConsumer + a[0] }, printConsumerDetail),
		validatorConsumersCmd(),
		queryCommand("blocks-until-next-epoch", "Blocks left until the provider next computes the consumers' validator sets", cobra.NoArgs,
			func([]string) string { return interchain.PathEpoch },
			func(w io.Writer, e interchain.EpochJSON) {
				fmt.Fprintf(w, "next epoch in %d blocks (height %d, an epoch every %d blocks)\n", e.BlocksLeft, e.Height, e.BlocksPerEpoch)
			}),
		consumerGenesisCmd(),
		queryCommand("validators CONSUMER_ID", "The validator set the provider last sent CONSUMER_ID, with consumer keys", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathConsumerVals + a[0] }, printConsumerValidators),
		queryCommand("pending-vsc CONSUMER_ID", "Validator set changes waiting for CONSUMER_ID's channel", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathPendingVSC + a[0] }, rawText[json.RawMessage]),
		queryCommand("throttle", "The slash meter", cobra.NoArgs,
			func([]string) string { return interchain.PathThrottle }, rawText[json.RawMessage]),
		queryCommand("holds", "Unbonding entries held by consumers, and since when", cobra.NoArgs,
			func([]string) string { return interchain.PathHolds }, rawText[[]interchain.HoldJSON]),
		queryCommand("key-assignments CONSUMER_ID", "Consumer keys assigned for CONSUMER_ID", cobra.ExactArgs(1),
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
		queryCommand("consumer-rewards CONSUMER_ID", "The reward pool of CONSUMER_ID, its allowlisted reward denominations and its last distribution", cobra.ExactArgs(1),
			func(a []string) string { return interchain.PathConsumerRewards + a[0] },
			printConsumerRewards),
		queryCommand("params", "Provider parameters", cobra.NoArgs,
			func([]string) string { return interchain.PathProviderParams }, rawText[json.RawMessage]),
	)
	return c
}

// validatorConsumersCmd is query provider validator-consumers: it checks
// the address before it asks the node.
func validatorConsumersCmd() *cobra.Command {
	c := queryCommand("validator-consumers VALIDATOR", "The consumers a validator (valcons address or 40 hex digits) is opted in to or validates, with the key it runs each with", cobra.ExactArgs(1),
		func(a []string) string { return interchain.PathValidatorConsumer + a[0] },
		func(w io.Writer, vs []interchain.ValidatorConsumerJSON) {
			if len(vs) == 0 {
				fmt.Fprintln(w, "no consumers")
				return
			}
			tw := table(w, "CONSUMER_ID", "CHAIN_ID", "PHASE", "OPTED_IN", "IN_SET", "POWER", "COMMISSION", "CONSUMER_ADDRESS", "CONSUMER_KEY")
			for _, v := range vs {
				row(tw, v.ConsumerID, v.ChainID, v.Phase, v.OptedIn, v.InSet, v.Power, orDash(v.Commission), v.ConsumerAddress, v.ConsumerKey)
			}
			tw.Flush()
		})
	run := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if !isValcons(args[0]) {
			return fmt.Errorf("validator %q: want a bech32 valcons address (icsvalcons1...) or %d hex digits", args[0], 2*address.Len)
		}
		return run(cmd, args)
	}
	return c
}

// isValcons reports whether s is a consensus address as the
// validator-consumers query takes it: bech32 under a prefix ending in
// "valcons", or 40 hex digits.
func isValcons(s string) bool {
	if bz, err := hex.DecodeString(s); err == nil {
		return len(bz) == address.Len
	}
	lower := strings.ToLower(s)
	i := strings.LastIndexByte(lower, '1')
	if i <= 0 || !strings.HasSuffix(lower[:i], "valcons") {
		return false
	}
	_, err := address.Decode(lower[:i], s)
	return err == nil
}

func printConsumers(w io.Writer, cs []interchain.ConsumerJSON) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no consumers")
		return
	}
	tw := table(w, "CONSUMER_ID", "CHAIN_ID", "PHASE", "TOP_N", "VALIDATORS", "CLIENT", "CHANNEL", "SPAWN_TIME")
	for _, c := range cs {
		row(tw, c.ConsumerID, c.ChainID, c.Phase, c.TopN, c.Validators, orDash(c.ClientID), orDash(c.ChannelID), orDash(c.SpawnTime))
	}
	tw.Flush()
}

// printConsumerDetail prints a consumer as sections of "name: value"
// lines, then its opted-in validators and its validator set.
func printConsumerDetail(w io.Writer, d interchain.ConsumerDetailJSON) {
	fmt.Fprintf(w, "consumer %s: %s (%s)\n", d.ConsumerID, d.ChainID, d.Phase)
	var md registry.ConsumerMetadata
	var init registry.ConsumerInitializationParameters
	var inf registry.InfractionParameters
	for _, p := range []struct {
		raw json.RawMessage
		m   gogoproto.Message
	}{{d.Metadata, &md}, {d.Initialization, &init}, {d.Infraction, &inf}} {
		if err := (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(bytes.NewReader(p.raw), p.m); err != nil {
			fmt.Fprintf(w, "(cannot read the answer: %v; use -o json)\n", err)
			return
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	line := func(name string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", name, v) }
	line("owner", d.Owner)
	line("name", orDash(md.Name))
	line("description", orDash(md.Description))
	line("metadata", orDash(md.Metadata))
	line("client", orDash(d.ClientID))
	line("channel", orDash(d.ChannelID))
	if d.LaunchHeight != 0 {
		line("launch height", d.LaunchHeight)
	}
	if d.InitHeight != 0 {
		line("channel open at height", d.InitHeight)
	}
	if d.StopTime != "" {
		line("stop time", d.StopTime)
	}
	if d.StopReason != "" {
		line("stop reason", d.StopReason)
	}
	tw.Flush()

	fmt.Fprintln(w, "\ninitialization parameters:")
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	p := init.Params
	line("  spawn time", orDash(d.SpawnTime))
	line("  initial height", init.InitialHeight)
	if init.Changeover {
		line("  changeover", "a running standalone chain becomes the consumer at the initial height")
	}
	line("  unbonding period", p.UnbondingPeriod)
	line("  ccv timeout period", p.CcvTimeoutPeriod)
	line("  transfer timeout period", p.TransferTimeoutPeriod)
	line("  redistribution fraction", p.ConsumerRedistributionFraction)
	line("  blocks per distribution transmission", p.BlocksPerDistributionTransmission)
	line("  historical entries", p.HistoricalEntries)
	line("  retry delay period", p.RetryDelayPeriod)
	line("  signed blocks window", p.SignedBlocksWindow)
	line("  min signed per window", p.MinSignedPerWindow)
	tw.Flush()

	fmt.Fprintln(w, "\npower shaping parameters:")
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	ps := d.PowerShaping
	topN := "0 (opt-in)"
	if ps.TopN > 0 {
		topN = fmt.Sprintf("%d%%", ps.TopN)
	}
	line("  top N", topN)
	line("  validators power cap", noneIfZero(ps.ValidatorsPowerCap, "%d%%"))
	line("  validator set cap", noneIfZero(ps.ValidatorSetCap, "%d"))
	line("  min stake", ps.MinStake)
	line("  allow inactive validators", ps.AllowInactiveVals)
	for _, l := range []struct {
		name string
		list []string
	}{{"allowlist", ps.Allowlist}, {"denylist", ps.Denylist}, {"prioritylist", ps.Prioritylist}} {
		if len(l.list) == 0 {
			line("  "+l.name, "none")
			continue
		}
		line("  "+l.name, strings.Join(l.list, ", "))
	}
	tw.Flush()

	fmt.Fprintln(w, "\ninfraction parameters:")
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	line("  double sign", punishment(inf.DoubleSign))
	line("  downtime", punishment(inf.Downtime))
	tw.Flush()

	fmt.Fprintf(w, "\nopted in (%d):\n", len(d.OptedIn))
	for _, a := range d.OptedIn {
		fmt.Fprintf(w, "  %s\n", a)
	}
	fmt.Fprintf(w, "\nvalidator set (%d):\n", len(d.ValidatorSet))
	if len(d.ValidatorSet) > 0 {
		printConsumerValidators(w, d.ValidatorSet)
	}
}

func punishment(p registry.InfractionParams) string {
	jail := "not jailed"
	switch {
	case p.Tombstone:
		jail = "jailed forever, tombstoned"
	case p.JailDuration > 0:
		jail = "jailed " + p.JailDuration.String()
	}
	return fmt.Sprintf("slash %s, %s", p.SlashFraction, jail)
}

func noneIfZero(v uint32, format string) string {
	if v == 0 {
		return "none"
	}
	return fmt.Sprintf(format, v)
}

// table starts a tab-aligned table with its header.
func table(w io.Writer, header ...any) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row(tw, header...)
	return tw
}

func row(tw *tabwriter.Writer, cells ...any) {
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, c)
	}
	fmt.Fprintln(tw)
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
		queryCommand("next-fee-distribution", "The next transmission of the provider's share of the fees: height, pending amounts, channel", cobra.NoArgs,
			func([]string) string { return interchain.PathConsumerNextFeeDistribution }, printNextFeeDistribution),
		sovereignTransitionCmd(),
	)
	return c
}

func printNextFeeDistribution(w io.Writer, d interchain.NextFeeDistributionJSON) {
	next := "-"
	if d.NextHeight > 0 {
		next = strconv.FormatInt(d.NextHeight, 10)
	}
	pending := make([]string, len(d.Pending))
	for i, c := range d.Pending {
		pending[i] = strconv.FormatUint(c.Amount, 10) + c.Denom
	}
	fmt.Fprintf(w, "current height:    %d\nnext transmission: %s (every %d blocks)\npending:           %s\nchannel:           %s\nprovider address:  %s\nconsumer id:       %s\nconsumer keeps:    %s\n",
		d.CurrentHeight, next, d.BlocksPerDistribution, orDash(strings.Join(pending, ",")), orDash(d.ChannelID), orDash(d.ProviderFeePoolAddr),
		orDash(d.ConsumerID), orDash(d.DistributionFraction))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printConsumerRewards prints a consumer's reward pool.
func printConsumerRewards(w io.Writer, r interchain.ConsumerRewardsJSON) {
	fmt.Fprintf(w, "consumer %s, pool account %s\n", r.ConsumerID, r.PoolAddress)
	if len(r.Pool) == 0 {
		fmt.Fprintln(w, "pool: empty")
	}
	for _, c := range r.Pool {
		fmt.Fprintf(w, "pool: %d %s\n", c.Amount, c.Denom)
	}
	if len(r.AllowlistedDenoms) == 0 {
		fmt.Fprintln(w, "allowlisted denominations: none")
	}
	for _, d := range r.AllowlistedDenoms {
		fmt.Fprintf(w, "allowlisted: %s\n", d)
	}
	fmt.Fprintf(w, "last distribution height: %d\n", r.LastDistribution)
}

// consumerGenesisCmd is query provider consumer-genesis: the node's answer
// in our form, or with --format ics converted to the reference's.
func consumerGenesisCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "consumer-genesis CONSUMER_ID",
		Short: "The genesis the provider computed when it launched CONSUMER_ID (input of icsd genesis import-consumer)",
		Long: `consumer-genesis prints the consumer genesis the provider computed when it
launched CONSUMER_ID. --format icsd (the default) prints our form, as the node
answers it. --format ics prints the reference implementation's
interchain_security.ccv.v1.ConsumerGenesisState in proto JSON (params,
provider.client_state, provider.consensus_state, provider.initial_val_set,
new_chain, ...), for the genesis tooling of the reference's users. A genesis
that form cannot carry without changing the chain it starts (a changeover, a
redistribution address, a downtime window other than the default, a fraction
without an exact decimal) is refused with the reason. icsd genesis
import-consumer reads both forms.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, _ := cmd.Flags().GetString("format")
			format, err := icsgenesis.ParseFormat(name)
			if err != nil {
				return err
			}
			cl, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var raw json.RawMessage
			if err := cl.QueryJSON(ctx, interchain.PathConsumerGenesis+args[0], &raw); err != nil {
				return err
			}
			out, err := consumerGenesisAs(raw, format)
			if err != nil {
				return fmt.Errorf("consumer %s: %w", args[0], err)
			}
			return cli.PrintOut(cmd, out, func(w io.Writer) { rawText(w, out) })
		},
	}
	cli.AddNodeFlag(c)
	c.Flags().String("format", string(icsgenesis.FormatICSD), "form of the genesis: icsd (ours) or ics (the reference's ConsumerGenesisState)")
	return c
}

// consumerGenesisAs returns raw, the node's answer in our form, in format
// f: as it is for ours, converted for the reference's.
func consumerGenesisAs(raw json.RawMessage, f icsgenesis.Format) (json.RawMessage, error) {
	if f == icsgenesis.FormatICSD {
		return raw, nil
	}
	cg, err := icsgenesis.FromICSD(raw)
	if err != nil {
		return nil, err
	}
	return icsgenesis.ToICS(cg)
}
