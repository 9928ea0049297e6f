package ibctest

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/relayer/ccvrelay"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Provider test parameters: short epochs and votes.
const (
	// EpochBlocks is the provider's BlocksPerEpoch in these chains.
	EpochBlocks = 3
	// VotingPeriod is the provider's governance voting period.
	VotingPeriod = 20 * time.Second
)

// NewProvider starts a provider chain with nvals validators of equal power,
// epochs of EpochBlocks blocks and a short voting period; edit, if not
// nil, changes the genesis further.
func NewProvider(t testing.TB, clock *Clock, id string, nvals, naccounts int, edit func(*app.Genesis)) *Chain {
	return NewChainWith(t, clock, id, nvals, naccounts, func(g *app.Genesis) {
		g.Provider.Params.BlocksPerEpoch = EpochBlocks
		g.Gov.Params.VotingPeriod = int64(VotingPeriod)
		g.Gov.Params.MinDeposit = coin.Coin{Denom: "stake", Amount: 1}
		if edit != nil {
			edit(g)
		}
	})
}

// PassProposal submits content as a governance proposal from account 0,
// has every validator operator (accounts 0..n-1 of the genesis validators)
// vote yes and runs blocks until the voting period is over. It fails the
// test unless the proposal passed.
func PassProposal(c *Chain, content gogoproto.Message) {
	bz, err := gogoproto.Marshal(content)
	if err != nil {
		c.T.Fatal(err)
	}
	resp := c.MustSucceed(c.NextBlock(c.Tx(0, &gov.MsgSubmitProposal{Proposer: c.Address(0),
		Content: gov.Content{TypeUrl: auth.TypeURL(content), Value: bz}, InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}, Title: "proposal"})))
	id := attr(resp, "submit_proposal", "proposal_id")
	pid, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		c.T.Fatalf("%s: proposal id %q: %v", c.ID, id, err)
	}
	var votes [][]byte
	for i := range c.ValidatorKeys {
		votes = append(votes, c.Tx(i, &gov.MsgVote{Voter: c.Address(i), ProposalId: pid, Option: gov.OptionYes}))
	}
	c.MustSucceed(c.NextBlock(votes...))
	end := c.Time.Add(VotingPeriod)
	for !c.Time.After(end) {
		c.NextBlock()
	}
	var p gov.Proposal
	c.QueryJSON(pos.PathProposal+id, &p)
	if p.Status != gov.StatusPassed {
		c.T.Fatalf("%s: proposal %s: status %v", c.ID, id, p.Status)
	}
}

// ConsumerParams returns consumer parameters for tests: the defaults with
// a short unbonding period and downtime window.
func ConsumerParams() ccv.ConsumerParams {
	p := ccv.DefaultConsumerParams()
	p.UnbondingPeriod = 10 * time.Minute
	p.SignedBlocksWindow = 10
	p.RetryDelayPeriod = time.Minute
	return p
}

// ProposeConsumer passes the addition of consumer chainID with params as a
// top-N 100 consumer (every validator validates it), spawning at the next
// block.
func ProposeConsumer(prov *Chain, chainID string, params ccv.ConsumerParams) {
	PassProposal(prov, &provider.ConsumerAdditionProposal{ChainId: chainID, SpawnTime: prov.Time.UnixNano(), InitialHeight: 1, Params: params,
		PowerShaping: registry.PowerShapingParameters{TopN: 100}})
}

// ConsumerID returns the consumer id of the provider's live consumer with
// chain id chainID.
func ConsumerID(prov *Chain, chainID string) string {
	if c, ok := FindConsumer(prov, chainID); ok {
		return c.ConsumerID
	}
	prov.T.Fatalf("%s: no live consumer %s", prov.ID, chainID)
	return ""
}

// FindConsumer returns the provider's live (not stopped or deleted)
// consumer with chain id chainID.
func FindConsumer(prov *Chain, chainID string) (interchain.ConsumerJSON, bool) {
	var list []interchain.ConsumerJSON
	prov.QueryJSON(interchain.PathConsumers, &list)
	for _, c := range list {
		if c.ChainID == chainID && c.Phase != "stopped" && c.Phase != "deleted" {
			return c, true
		}
	}
	return interchain.ConsumerJSON{}, false
}

// ConsumerGenesis returns the consumer genesis the provider computed for
// its live consumer with chain id chainID.
func ConsumerGenesis(prov *Chain, chainID string) *ccv.ConsumerGenesis {
	res := prov.Query(interchain.PathConsumerGenesis+ConsumerID(prov, chainID), nil, 0, false)
	if res.Code != 0 {
		prov.T.Fatalf("%s: consumer genesis of %s: %s", prov.ID, chainID, res.Log)
	}
	var g ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(res.Value), &g); err != nil {
		prov.T.Fatal(err)
	}
	return &g
}

// LaunchConsumer passes the addition of consumer chainID, runs the provider
// until it launches it and starts the consumer chain from its genesis,
// signed by the provider's validator keys and the extra keys (assigned
// consumer keys).
func LaunchConsumer(prov *Chain, chainID string, params ccv.ConsumerParams, naccounts int, extra ...ed25519.PrivKey) *Chain {
	ProposeConsumer(prov, chainID, params)
	prov.NextBlock()
	return StartConsumer(prov, chainID, naccounts, extra...)
}

// StartConsumer starts consumer chainID from the genesis the provider
// launched it with.
func StartConsumer(prov *Chain, chainID string, naccounts int, extra ...ed25519.PrivKey) *Chain {
	return startConsumer(prov, chainID, app.DefaultConsumerGenesis(), naccounts, nil, extra...)
}

// LaunchOwnStakingConsumer is LaunchConsumer for a consumer that carries
// its own staking, distribution and gov (app.DefaultOwnStakingConsumerGenesis,
// no validators of its own); edit, if not nil, changes its genesis before
// it starts.
func LaunchOwnStakingConsumer(prov *Chain, chainID string, params ccv.ConsumerParams, naccounts int, edit func(*app.Genesis)) *Chain {
	ProposeConsumer(prov, chainID, params)
	prov.NextBlock()
	return startConsumer(prov, chainID, app.DefaultOwnStakingConsumerGenesis(), naccounts, edit)
}

// startConsumer starts consumer chainID from genesis g with the consumer
// genesis the provider launched it with.
func startConsumer(prov *Chain, chainID string, g *app.Genesis, naccounts int, edit func(*app.Genesis), extra ...ed25519.PrivKey) *Chain {
	c := newChain(prov.T, prov.clock, chainID)
	for _, k := range append(append([]ed25519.PrivKey(nil), prov.ValidatorKeys...), extra...) {
		c.AddSigner(k)
	}
	g.Consumer = ConsumerGenesis(prov, chainID)
	fundAccounts(c, g, naccounts)
	if edit != nil {
		edit(g)
	}
	c.start(g, app.RoleConsumer)
	return c
}

// LinkCCV opens the CCV channel between a consumer and its provider on
// the clients of the launch, as the relayer does (ccvrelay.OpenCCV): on
// the connection open between them, else a new one; the consumer is side
// A and initiates.
func LinkCCV(cons, prov *Chain) *Path {
	p := NewPath(cons, prov)
	var st interchain.ConsumerStatusJSON
	cons.QueryJSON(interchain.PathConsumerStatus, &st)
	p.A.Client = st.ProviderClientID
	if c, ok := FindConsumer(prov, cons.ID); ok {
		p.B.Client = c.ClientID
	}
	if p.A.Client == "" || p.B.Client == "" {
		cons.T.Fatalf("LinkCCV: clients %q and %q", p.A.Client, p.B.Client)
	}
	l, err := ccvrelay.OpenCCV(context.Background(), cons.Relayer(), prov.Relayer(), p.A.Client, p.B.Client)
	must(cons, err)
	p.A.set(l.A)
	p.B.set(l.B)
	return p
}

// take removes from c's outbox the packets sent on end e.
func take(c *Chain, e *End) {
	var keep []channeltypes.Packet
	for _, pk := range c.Outbox {
		if pk.SourcePort != e.Port || pk.SourceChannel != e.Channel {
			keep = append(keep, pk)
		}
	}
	c.Outbox = keep
}

// Flush relays every packet either side of the path has sent and not yet
// relayed, with their acknowledgements, until neither side has any left,
// and returns how many packets it delivered. Packets that blocks of the
// relay itself send are relayed too. The relayer finds the work on the
// chains; the packets it took are removed from both outboxes.
func (p *Path) Flush() int {
	l := p.Relayer()
	n := 0
	for round := 0; round < 50; round++ {
		pr, err := l.RelayOnce(context.Background())
		if err != nil {
			p.A.Chain.T.Fatalf("Flush: %v", err)
		}
		take(p.A.Chain, p.A)
		take(p.B.Chain, p.B)
		n += pr.Received
		if pr.Received+pr.Acked+pr.TimedOut == 0 {
			return n
		}
	}
	p.A.Chain.T.Fatalf("Flush: packets still flowing after 50 rounds")
	return n
}

// fundAccounts adds naccounts funded accounts to g.
func fundAccounts(c *Chain, g *app.Genesis, naccounts int) {
	for i := 0; i < naccounts; i++ {
		k := ed25519.GenPrivKeyFromSecret([]byte(c.ID + "/account/" + strconv.Itoa(i)))
		c.Accounts = append(c.Accounts, k)
		a := addressOf(g, k)
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000_000}}})
	}
}

func addressOf(g *app.Genesis, k ed25519.PrivKey) string {
	return address.Encode(g.Auth.Params.Bech32Prefix, address.FromPubKey(k.PubKey().Bytes()))
}

// UpdateClients brings each end's client of the other chain to the other
// chain's latest header (a block on each chain).
func (p *Path) UpdateClients() {
	if err := p.Relayer().UpdateClients(context.Background()); err != nil {
		p.A.Chain.T.Fatalf("UpdateClients: %v", err)
	}
}

// Net is a provider with its consumers and their CCV paths, stepped
// together: a block on every chain, then every path flushed, and the
// clients refreshed every few steps so that none expires.
type Net struct {
	Provider  *Chain
	Consumers []*Chain
	Paths     []*Path
	// Hold, when it returns true for a path index, keeps that path's
	// packets undelivered (a relayer that only keeps the clients alive).
	Hold  func(i int) bool
	steps int
}

// Step runs one block on every chain and relays.
func (n *Net) Step() {
	n.steps++
	n.Provider.NextBlock()
	for _, c := range n.Consumers {
		c.NextBlock()
	}
	for i, p := range n.Paths {
		if n.Hold == nil || !n.Hold(i) {
			p.Flush()
		}
		if n.steps%6 == 0 {
			p.UpdateClients()
		}
	}
}

// Run steps until cond holds, at most max steps, and reports whether it
// held.
func (n *Net) Run(max int, cond func() bool) bool {
	for i := 0; i < max; i++ {
		if cond() {
			return true
		}
		n.Step()
	}
	return cond()
}

// CountEvents counts the events of type typ in every block c finalized,
// with attribute key equal to value when key is not empty.
func CountEvents(c *Chain, typ, key, value string) int {
	n := 0
	for _, resp := range c.Log {
		for _, e := range Events(resp, typ) {
			if key == "" || e[key] == value {
				n++
			}
		}
	}
	return n
}
