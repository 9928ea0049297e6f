package ccvrelay

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/relayer/rpcnode"
)

// IsCCV reports whether a saved link is a CCV channel (A the consumer,
// B the provider).
func IsCCV(f linkfile.File) bool {
	return f.A.Port == ccv.ConsumerPortID && f.B.Port == ccv.ProviderPortID
}

// JSONQuerier runs the JSON queries of a chain: *relayer.Chain over its
// Node, *client.Client over RPC.
type JSONQuerier interface {
	QueryJSON(ctx context.Context, path string, out any) error
}

// ccvClients finds the live consumer on the provider with chain id consID,
// the clients a launched consumer and its provider created of each other,
// and the CCV channel if it is open already.
func ccvClients(ctx context.Context, cons, prov JSONQuerier, consID, provID string) (consumerID, consClient, provClient, channel string, err error) {
	var st interchain.ConsumerStatusJSON
	if err := cons.QueryJSON(ctx, interchain.PathConsumerStatus, &st); err != nil {
		return "", "", "", "", fmt.Errorf("%s is not a consumer chain? %w", consID, err)
	}
	var cj interchain.ClientJSON
	if err := cons.QueryJSON(ctx, interchain.PathIBCClient+st.ProviderClientID, &cj); err != nil {
		return "", "", "", "", err
	}
	if cj.ChainID != provID {
		return "", "", "", "", fmt.Errorf("consumer %s's provider is %s, not %s", consID, cj.ChainID, provID)
	}
	c, err := LiveConsumer(ctx, prov, consID)
	if err != nil {
		return "", "", "", "", fmt.Errorf("%s: %w", provID, err)
	}
	if c.ClientID == "" {
		return "", "", "", "", fmt.Errorf("consumer %s (%s) is %s on %s, not launched yet", c.ConsumerID, consID, c.Phase, provID)
	}
	return c.ConsumerID, st.ProviderClientID, c.ClientID, st.ProviderChannelID, nil
}

// LiveConsumer returns the provider's consumer with chain id chainID that
// is neither stopped nor deleted (there is at most one).
func LiveConsumer(ctx context.Context, prov JSONQuerier, chainID string) (interchain.ConsumerJSON, error) {
	var list []interchain.ConsumerJSON
	if err := prov.QueryJSON(ctx, interchain.PathConsumers, &list); err != nil {
		return interchain.ConsumerJSON{}, fmt.Errorf("not a provider chain? %w", err)
	}
	for _, c := range list {
		if c.ChainID == chainID && c.Phase != "stopped" && c.Phase != "deleted" {
			return c, nil
		}
	}
	return interchain.ConsumerJSON{}, fmt.Errorf("no live consumer with chain id %s", chainID)
}

// LinkCCV opens the connection (unless one is open between their clients)
// and the CCV channel between a launched consumer (side A, which
// initiates) and its provider (side B), on the clients of the launch
// (OpenCCV), then the ICS-20 channel beside it (LinkCCVOn), and returns
// the link to save. Channels open already are reused, so running it again
// opens nothing.
func LinkCCV(ctx context.Context, consumer, prov linkfile.End) (linkfile.File, error) {
	a, err := consumer.Chain(ctx)
	if err != nil {
		return linkfile.File{}, err
	}
	b, err := prov.Chain(ctx)
	if err != nil {
		return linkfile.File{}, err
	}
	links, err := LinkCCVOn(ctx, a, b)
	if err != nil {
		return linkfile.File{}, err
	}
	lf := linkfile.File{A: consumer, B: prov, ConsumerID: links.ConsumerID}
	lf.Record(links.CCV)
	lf.RecordTransfer(links.Transfer)
	return lf, nil
}

// Links are the channels of a consumer and its provider: the CCV channel
// and the ICS-20 channel on the same clients and connection.
type Links struct {
	CCV *relayer.Link
	// Transfer is nil when a side has no ICS-20.
	Transfer *relayer.Link
	// ConsumerID names the consumer on the provider.
	ConsumerID string
}

// LinkCCVOn is LinkCCV over chains however they are reached: consumer a
// (side A) and provider b. When the consumer's CCV channel is open already
// it continues with that channel's link. Then it finds or opens the
// ICS-20 channel (OpenTransfer).
func LinkCCVOn(ctx context.Context, a, b *relayer.Chain) (Links, error) {
	consumerID, aClient, bClient, open, err := ccvClients(ctx, a, b, a.ID, b.ID)
	if err != nil {
		return Links{}, err
	}
	var l *relayer.Link
	if open != "" {
		l, err = relayer.LinkOfChannel(ctx, a, b, ccv.ConsumerPortID, open)
	} else {
		l, err = OpenCCV(ctx, a, b, aClient, bClient)
	}
	if err != nil {
		return Links{}, err
	}
	t, err := OpenTransfer(ctx, l)
	if err != nil {
		return Links{}, fmt.Errorf("transfer channel: %w", err)
	}
	return Links{CCV: l, Transfer: t, ConsumerID: consumerID}, nil
}

// OpenCCV opens the CCV channel from consumer a's port to provider b's,
// initiated by a, on a connection between the clients aClient (a's of b)
// and bClient (b's of a): the one open between them already (a
// changeover that reuses the standalone's connection, SPEC 9), else a new
// one.
func OpenCCV(ctx context.Context, a, b *relayer.Chain, aClient, bClient string) (*relayer.Link, error) {
	var conns []connectiontypes.IdentifiedConnection
	if err := a.QueryJSON(ctx, interchain.PathIBCConnections, &conns); err != nil {
		return nil, err
	}
	for _, c := range conns {
		if c.ClientId != aClient || c.Counterparty.ClientId != bClient || c.State != connectiontypes.OPEN {
			continue
		}
		on := &relayer.Link{A: &relayer.End{Chain: a, Client: aClient, Connection: c.Id},
			B: &relayer.End{Chain: b, Client: bClient, Connection: c.Counterparty.ConnectionId}}
		return on.OpenChannel(ctx, ccv.ConsumerPortID, ccv.ProviderPortID, channeltypes.ORDERED, ccv.Version)
	}
	return relayer.NewLinkOnClients(ctx, a, b, aClient, bClient, ccv.ConsumerPortID, ccv.ProviderPortID, channeltypes.ORDERED, ccv.Version)
}

// settledEvidence reports whether a failed double-vote report needs no
// retry: the validator was punished already, or is not the provider's.
func settledEvidence(res *abcitypes.ExecTxResult) bool {
	return res.Code == app.Code(provider.ErrAlreadyTombstoned) || res.Code == app.Code(provider.ErrEvidenceHandled) ||
		res.Code == app.Code(provider.ErrValidatorNotFound)
}

// doubleVotingMsg returns the builder of MsgSubmitConsumerDoubleVoting
// from submitter about consumer consumerID.
func doubleVotingMsg(submitter []byte, consumerID string) func(ev *cmtproto.DuplicateVoteEvidence, h *ibctm.Header) gogoproto.Message {
	return func(ev *cmtproto.DuplicateVoteEvidence, h *ibctm.Header) gogoproto.Message {
		evBz, err := ev.Marshal()
		if err != nil {
			panic(fmt.Sprintf("marshal duplicate vote evidence: %v", err))
		}
		hBz, err := h.Marshal()
		if err != nil {
			panic(fmt.Sprintf("marshal header: %v", err))
		}
		return &provider.MsgSubmitConsumerDoubleVoting{Submitter: submitter, ConsumerId: consumerID, DuplicateVoteEvidence: evBz, InfractionBlockHeader: hBz}
	}
}

// NewEvidenceWatcher returns the watcher of a CCV link to the provider's
// consumer consumerID: the consumer's double votes go to the provider.
func NewEvidenceWatcher(l *relayer.Link, consumerID string, lookback int64, found func(ev *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult)) *EvidenceWatcher {
	return &EvidenceWatcher{Chain: l.A.Chain, Reporter: l.B, Message: doubleVotingMsg(l.B.Chain.Submit.Address(), consumerID),
		Settled: settledEvidence, Lookback: lookback, Found: found}
}

// SubmitDoubleVoting reports the duplicate votes CometBFT committed in
// block height of consumer chainID (read from the node at consNode) to the
// provider (the node at provNode), one MsgSubmitConsumerDoubleVoting per
// evidence signed by key, and returns the transactions' results. It fails
// when consNode serves another chain, when the provider has no launched
// consumer chainID, and when the block holds no duplicate-vote evidence.
func SubmitDoubleVoting(ctx context.Context, provNode, consNode string, key client.Key, consumerID string, height int64) ([]client.TxResult, error) {
	pc, err := client.NewClient(provNode)
	if err != nil {
		return nil, err
	}
	prov, err := rpcnode.Chain(ctx, provNode, client.Submitter{Client: pc, Key: key})
	if err != nil {
		return nil, err
	}
	cons, err := rpcnode.Chain(ctx, consNode, nil)
	if err != nil {
		return nil, err
	}
	var c interchain.ConsumerJSON
	if err := pc.QueryJSON(ctx, interchain.PathConsumer+consumerID, &c); err != nil {
		return nil, fmt.Errorf("%s: consumer %s: %w", prov.ID, consumerID, err)
	}
	chainID, clientID := c.ChainID, c.ClientID
	if cons.ID != chainID {
		return nil, fmt.Errorf("--consumer-node serves %s, consumer %s is %s", cons.ID, consumerID, chainID)
	}
	if clientID == "" || c.Phase == "stopped" || c.Phase == "deleted" {
		return nil, fmt.Errorf("%s: consumer %s (%s) is %s, not launched", prov.ID, consumerID, chainID, c.Phase)
	}
	evs, err := cons.Node.Evidence(ctx, height)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", height, chainID, err)
	}
	w := &EvidenceWatcher{Chain: cons, Reporter: &relayer.End{Chain: prov, Client: clientID}, Message: doubleVotingMsg(key.Address(), consumerID)}
	var results []client.TxResult
	for _, ev := range evs {
		dv, ok := ev.(*cmttypes.DuplicateVoteEvidence)
		if !ok {
			continue
		}
		h, err := w.InfractionHeader(ctx, dv.VoteA.Height)
		if err != nil {
			return nil, err
		}
		msg, err := auth.NewAny(w.Message(dv.ToProto(), h))
		if err != nil {
			return nil, err
		}
		res, err := pc.SignAndBroadcast(ctx, key, nil, msg)
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("block %d of %s holds no duplicate-vote evidence", height, chainID)
	}
	return results, nil
}
