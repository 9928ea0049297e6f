package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/ibc/relayer"
	"github.com/abci-ics/ics/provider"
)

// IsCCV reports whether a saved link is a CCV channel (A the consumer,
// B the provider).
func (f LinkFile) IsCCV() bool {
	return f.A.Port == ccv.ConsumerPortID && f.B.Port == ccv.ProviderPortID
}

// ccvClients finds the clients a launched consumer and its provider
// created of each other, and the CCV channel if it is open already.
func ccvClients(ctx context.Context, cons, prov *Client, consID, provID string) (consClient, provClient, channel string, err error) {
	var st abci.ConsumerStatusJSON
	if err := cons.QueryJSON(ctx, abci.PathConsumerStatus, &st); err != nil {
		return "", "", "", fmt.Errorf("%s is not a consumer chain? %w", consID, err)
	}
	var cj abci.ClientJSON
	if err := cons.QueryJSON(ctx, abci.PathIBCClient+st.ProviderClientID, &cj); err != nil {
		return "", "", "", err
	}
	if cj.ChainID != provID {
		return "", "", "", fmt.Errorf("consumer %s's provider is %s, not %s", consID, cj.ChainID, provID)
	}
	var list []abci.ConsumerJSON
	if err := prov.QueryJSON(ctx, abci.PathConsumers, &list); err != nil {
		return "", "", "", fmt.Errorf("%s is not a provider chain? %w", provID, err)
	}
	for _, c := range list {
		if c.ChainID != consID {
			continue
		}
		if c.ClientID == "" {
			return "", "", "", fmt.Errorf("consumer %s is %s on %s, not launched yet", consID, c.Phase, provID)
		}
		return st.ProviderClientID, c.ClientID, st.ProviderChannelID, nil
	}
	return "", "", "", fmt.Errorf("%s has no consumer %s", provID, consID)
}

// LinkCCV opens the connection and the CCV channel between a launched
// consumer (side A, which initiates) and its provider (side B), on the
// clients each created at launch, and returns the link to save. When the
// consumer's CCV channel is open already it returns that channel's link.
func LinkCCV(ctx context.Context, consumer, prov LinkEnd) (LinkFile, error) {
	a, err := consumer.chain(ctx)
	if err != nil {
		return LinkFile{}, err
	}
	b, err := prov.chain(ctx)
	if err != nil {
		return LinkFile{}, err
	}
	ca, err := NewClient(consumer.Node)
	if err != nil {
		return LinkFile{}, err
	}
	cb, err := NewClient(prov.Node)
	if err != nil {
		return LinkFile{}, err
	}
	aClient, bClient, open, err := ccvClients(ctx, ca, cb, a.ID, b.ID)
	if err != nil {
		return LinkFile{}, err
	}
	var l *relayer.Link
	if open != "" {
		l, err = relayer.LinkOfChannel(ctx, a, b, ccv.ConsumerPortID, open)
	} else {
		l, err = relayer.NewLinkOnClients(ctx, a, b, aClient, bClient, ccv.ConsumerPortID, ccv.ProviderPortID, channeltypes.ORDERED, ccv.Version)
	}
	if err != nil {
		return LinkFile{}, err
	}
	lf := LinkFile{A: consumer, B: prov}
	for _, p := range []struct {
		e   *LinkEnd
		end *relayer.End
	}{{&lf.A, l.A}, {&lf.B, l.B}} {
		p.e.ChainID, p.e.Client, p.e.Connection, p.e.Port, p.e.Channel = p.end.Chain.ID, p.end.Client, p.end.Connection, p.end.Port, p.end.Channel
	}
	return lf, nil
}

// SaveLink writes lf to file.
func SaveLink(file string, lf LinkFile) error {
	bz, err := json.MarshalIndent(lf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, bz, 0o644)
}

// settledEvidence reports whether a failed double-vote report needs no
// retry: the validator was punished already, or is not the provider's.
func settledEvidence(res *abcitypes.ExecTxResult) bool {
	return res.Code == abci.Code(provider.ErrAlreadyTombstoned) || res.Code == abci.Code(provider.ErrValidatorNotFound)
}

// doubleVotingMsg returns the builder of MsgSubmitConsumerDoubleVoting
// from submitter about consumer chainID.
func doubleVotingMsg(submitter []byte, chainID string) func(ev *cmtproto.DuplicateVoteEvidence, h *ibctm.Header) gogoproto.Message {
	return func(ev *cmtproto.DuplicateVoteEvidence, h *ibctm.Header) gogoproto.Message {
		evBz, err := ev.Marshal()
		if err != nil {
			panic(fmt.Sprintf("marshal duplicate vote evidence: %v", err))
		}
		hBz, err := h.Marshal()
		if err != nil {
			panic(fmt.Sprintf("marshal header: %v", err))
		}
		return &provider.MsgSubmitConsumerDoubleVoting{Submitter: submitter, ChainId: chainID, DuplicateVoteEvidence: evBz, InfractionBlockHeader: hBz}
	}
}

// NewEvidenceWatcher returns the watcher of a CCV link: the consumer's
// double votes go to the provider.
func NewEvidenceWatcher(l *relayer.Link, lookback int64, found func(ev *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult)) *relayer.EvidenceWatcher {
	return &relayer.EvidenceWatcher{Chain: l.A.Chain, Reporter: l.B, Message: doubleVotingMsg(l.B.Chain.Submit.Address(), l.A.Chain.ID),
		Settled: settledEvidence, Lookback: lookback, Found: found}
}

func relayLinkCCVCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "link-ccv",
		Short: "Open the connection and the CCV channel between a launched consumer and its provider, on the clients they created at launch, and save the link",
		Long: `link-ccv finds the consumer's client of the provider (icsd query consumer status) and
the provider's client of the consumer (icsd query provider consumers), opens a connection
between them and the ordered CCV channel from port consumer to port provider, initiated by
the consumer, and saves the link for icsd relay start. If the channel is open already it
saves that channel's link.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var cons, prov LinkEnd
			cons.Node, _ = f.GetString("consumer-node")
			prov.Node, _ = f.GetString("provider-node")
			cons.Home, _ = f.GetString("consumer-home")
			prov.Home, _ = f.GetString("provider-home")
			cons.Key, _ = f.GetString("consumer-key")
			prov.Key, _ = f.GetString("provider-key")
			out, _ := f.GetString("link")
			timeout, _ := f.GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			lf, err := LinkCCV(ctx, cons, prov)
			if err != nil {
				return err
			}
			if err := SaveLink(out, lf); err != nil {
				return err
			}
			return printOut(cmd, lf, func(w io.Writer) {
				fmt.Fprintf(w, "CCV channel open: %s %s/%s (%s, %s) <-> %s %s/%s (%s, %s); saved %s\n",
					lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.A.Connection, lf.A.Client,
					lf.B.ChainID, lf.B.Port, lf.B.Channel, lf.B.Connection, lf.B.Client, out)
			})
		},
	}
	f := c.Flags()
	f.String("consumer-node", "tcp://127.0.0.1:26667", "RPC address of a consumer node")
	f.String("provider-node", "tcp://127.0.0.1:26657", "RPC address of a provider node")
	f.String("consumer-home", DefaultHome(), "home whose keyring holds the relayer key on the consumer")
	f.String("provider-home", DefaultHome(), "home whose keyring holds the relayer key on the provider")
	f.String("consumer-key", "validator", "relayer key on the consumer (pays its fees)")
	f.String("provider-key", "validator", "relayer key on the provider")
	f.String("link", filepath.Join(DefaultHome(), "relayer", "ccv.json"), "file to save the link in")
	f.Duration("timeout", 5*time.Minute, "give up after this long")
	addOutputFlag(c)
	return c
}

func submitDoubleVotingCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "submit-double-voting KEY CHAIN_ID HEIGHT",
		Short: "Report the double votes in block HEIGHT of consumer CHAIN_ID (read from --consumer-node) to the provider (--node)",
		Long: `submit-double-voting reads the duplicate-vote evidence CometBFT committed in block HEIGHT
of the consumer, builds the infraction header (the consumer's header at the vote height with
its validator set, trusting a height the provider's client of the consumer holds) and sends
MsgSubmitConsumerDoubleVoting signed by KEY. icsd relay start does this by itself.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := LoadKey(home(cmd), args[0])
			if err != nil {
				return err
			}
			chainID := args[1]
			height, err := strconv.ParseInt(args[2], 10, 64)
			if err != nil || height < 1 {
				return fmt.Errorf("height %q: want a positive block height", args[2])
			}
			provNode, _ := cmd.Flags().GetString(flagNode)
			consNode, _ := cmd.Flags().GetString("consumer-node")
			timeout, _ := cmd.Flags().GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			pc, err := NewClient(provNode)
			if err != nil {
				return err
			}
			prov, err := relayer.NewChain(ctx, provNode, Submitter{Client: pc, Key: key})
			if err != nil {
				return err
			}
			cons, err := relayer.NewChain(ctx, consNode, nil)
			if err != nil {
				return err
			}
			if cons.ID != chainID {
				return fmt.Errorf("--consumer-node serves %s, not %s", cons.ID, chainID)
			}
			var list []abci.ConsumerJSON
			if err := pc.QueryJSON(ctx, abci.PathConsumers, &list); err != nil {
				return err
			}
			clientID := ""
			for _, c := range list {
				if c.ChainID == chainID {
					clientID = c.ClientID
				}
			}
			if clientID == "" {
				return fmt.Errorf("%s has no launched consumer %s", prov.ID, chainID)
			}
			b, err := cons.RPC.Block(ctx, &height)
			if err != nil {
				return fmt.Errorf("block %d of %s: %w", height, chainID, err)
			}
			w := &relayer.EvidenceWatcher{Chain: cons, Reporter: &relayer.End{Chain: prov, Client: clientID}, Message: doubleVotingMsg(key.Address(), chainID)}
			var results []TxResult
			for _, ev := range b.Block.Evidence.Evidence {
				dv, ok := ev.(*cmttypes.DuplicateVoteEvidence)
				if !ok {
					continue
				}
				h, err := w.InfractionHeader(ctx, dv.VoteA.Height)
				if err != nil {
					return err
				}
				msg, err := auth.NewAny(w.Message(dv.ToProto(), h))
				if err != nil {
					return err
				}
				res, err := pc.SignAndBroadcast(ctx, key, nil, msg)
				if err != nil {
					return err
				}
				results = append(results, res)
			}
			if len(results) == 0 {
				return fmt.Errorf("block %d of %s holds no duplicate-vote evidence", height, chainID)
			}
			failed := false
			for _, res := range results {
				failed = failed || res.Code != 0
			}
			if err := printOut(cmd, results, func(w io.Writer) {
				for _, res := range results {
					if res.Code == 0 {
						fmt.Fprintf(w, "committed at height %d: %s\n", res.Height, res.Hash)
					} else {
						fmt.Fprintf(w, "failed with code %d: %s (tx %s)\n", res.Code, res.Log, res.Hash)
					}
				}
			}); err != nil {
				return err
			}
			if failed {
				cmd.SilenceErrors = true
				return fmt.Errorf("a report failed")
			}
			return nil
		},
	}
	addTxFlags(c)
	c.Flags().String("consumer-node", "tcp://127.0.0.1:26667", "RPC address of a node of the consumer")
	return c
}
