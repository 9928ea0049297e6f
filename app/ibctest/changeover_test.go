package ibctest_test

import (
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/changeover"
	"github.com/abci-ics/ics/app/consumerapp"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/relayer/ccvrelay"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// standaloneUnbonding is the standalone chain's own unbonding period.
const standaloneUnbonding = 3 * time.Minute

// changeoverNet starts a provider with four validators and a standalone
// chain standalone-1 with two of its own, whose node changes over by
// plan.
func changeoverNet(t *testing.T, plan changeover.Plan) (*Net, *Chain) {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", 4, 6, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
		g.Provider.Params.SlashMeterReplenishFraction = fraction.New(1, 2)
	})
	sa := NewChainWith(t, clock, "standalone-1", 2, 4, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = standaloneUnbonding
	})
	sa.Reopen(func(db dbm.DB, opts abci.Options) (*abci.App, error) {
		return app.Open(db, opts, changeover.Factory{Plan: plan})
	})
	return &Net{Provider: prov, Consumers: []*Chain{sa}}, sa
}

// launchChangeover passes the addition of a changeover consumer for sa at
// height h, on the provider's connection conn if not empty, spawning
// after the vote; before the launch, provider validator 3 assigns key
// assigned. It runs the provider until the launch and returns the
// consumer genesis.
func launchChangeover(t *testing.T, prov, sa *Chain, h int64, conn string, assigned ed25519.PrivKey) *ccv.ConsumerGenesis {
	propose(prov, sa.ID, h, conn)
	if assigned != nil {
		prov.MustSucceed(prov.NextBlock(prov.Tx(3, &provider.MsgAssignConsumerKey{Operator: prov.Address(3), ConsumerId: ConsumerID(prov, sa.ID),
			ConsumerKey: assigned.PubKey().Bytes()})))
	}
	for i := 0; ; i++ {
		if c, _ := FindConsumer(prov, sa.ID); c.Phase == "launched" {
			break
		}
		if i == 30 {
			t.Fatal("the changeover consumer never launched")
		}
		prov.NextBlock()
	}
	return ConsumerGenesis(prov, sa.ID)
}

// propose passes the addition of a changeover consumer for chainID at
// height h, on the provider's connection conn if not empty, spawning 30 s
// after the vote.
func propose(prov *Chain, chainID string, h int64, conn string) {
	params := ConsumerParams()
	params.BlocksPerDistributionTransmission = 10
	PassProposal(prov, &provider.ConsumerAdditionProposal{ChainId: chainID, SpawnTime: prov.Time.Add(VotingPeriod + 30*time.Second).UnixNano(),
		InitialHeight: uint64(h), Params: params, PowerShaping: registry.PowerShapingParameters{TopN: 100}, Changeover: true, ConnectionId: conn})
}

func initialSet(g *ccv.ConsumerGenesis) map[string]int64 {
	out := map[string]int64{}
	for _, v := range g.InitialValidators {
		out[hex.EncodeToString(v.PubKey)] = v.Power
	}
	return out
}

// TestChangeover: a standalone chain changes over at height H to the
// consumer the provider launched with its chain id (a key assignment
// applied), by the plan imported into its node's home: the transition,
// first in block H, adds the consumer store and retires the provider's;
// blocks up to H+1 are signed by its own set and from H+2 by the
// provider's, the old validators leaving with power 0 in the update of
// block H. The CCV channel opens on the clients both chains created; the
// provider's share of the chain's fees reaches the provider; a delegation
// on the provider reaches the chain; downtime on it jails on the
// provider; an undelegation started on the standalone before H completes
// after its own unbonding period; its own ICS-20 channel to the provider,
// opened before H on clients of its own, still carries transfers; a
// restarted node opens it as a consumer with its own (dormant) staking,
// with the same app hash.
func TestChangeover(t *testing.T) {
	// The node's home: the plan is imported into it as an operator does.
	home := t.TempDir()
	if _, err := nodehome.Init(nodehome.InitOptions{Home: home, ChainID: "standalone-1", Moniker: "n", KeyName: "k", Prefix: "ics",
		Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}}); err != nil {
		t.Fatal(err)
	}
	n, sa := changeoverNet(t, nodehome.ChangeoverPlan(home))
	prov := n.Provider
	assigned := ed25519.GenPrivKeyFromSecret([]byte("standalone-1/assigned/3"))
	h := sa.Height + 15
	plan := launchChangeover(t, prov, sa, h, "", assigned)
	if err := nodehome.ImportConsumerGenesis(home, plan); err != nil {
		t.Fatal(err)
	}
	if c := plan.Changeover; c == nil || c.ChainId != sa.ID || c.Height != uint64(h) {
		t.Fatalf("changeover of the genesis: %+v", c)
	}
	ccvSet := initialSet(plan)
	if len(ccvSet) != 4 || ccvSet[hex.EncodeToString(assigned.PubKey().Bytes())] == 0 ||
		ccvSet[hex.EncodeToString(prov.ValidatorKeys[3].PubKey().Bytes())] != 0 {
		t.Fatalf("initial set %v: want the provider's with validator 3's assigned key", ccvSet)
	}
	for _, k := range prov.ValidatorKeys[:3] {
		sa.AddSigner(k)
	}
	sa.AddSigner(assigned)

	// The standalone's own ICS-20 channel to the provider, on clients of
	// its own, opened before the changeover.
	xfer := NewPath(sa, prov)
	xfer.Link(transfer.PortID, channeltypes.UNORDERED, transfer.Version)
	n.Paths = []*Path{xfer}
	for sa.Height < h-8 {
		n.Step()
	}
	// An undelegation on the standalone, shortly before the changeover.
	sa.MustSucceed(sa.NextBlock(sa.Tx(2, &staking.MsgDelegate{Delegator: sa.Address(2), Validator: sa.Address(0), Amount: 10_000_000})))
	before := sa.Balance(sa.Address(2), "stake")
	sa.MustSucceed(sa.NextBlock(sa.Tx(2, &staking.MsgUndelegate{Delegator: sa.Address(2), Validator: sa.Address(0), Amount: 10_000_000})))
	started := sa.Time
	if len(unbondings(sa, 2)) != 1 {
		t.Fatalf("unbondings on the standalone: %+v", unbondings(sa, 2))
	}
	for sa.Height < h-1 {
		n.Step()
	}
	own := setAt(sa, h-1)
	if len(own) != 2 {
		t.Fatalf("the standalone's set: %v", own)
	}
	n.Step() // block h
	resp := sa.Log[h-1]
	if len(Events(resp, abci.EventTransition)) != 1 || len(Events(resp, changeover.EventChangeover)) != 1 {
		t.Fatalf("block %d: events %v", h, resp.Events)
	}
	var st abci.StoresJSON
	sa.QueryJSON(abci.PathStores, &st)
	if !slices.Contains(st.Stores, consumer.StoreName) || slices.Contains(st.Stores, provider.StoreName) || !slices.Contains(st.Stores, staking.StoreName) ||
		len(st.Upgrades) != 1 || st.Upgrades[0].Height != h {
		t.Fatalf("stores after the changeover: %+v", st)
	}
	if len(resp.ValidatorUpdates) != len(ccvSet)+len(own) {
		t.Fatalf("updates of block %d: %v", h, resp.ValidatorUpdates)
	}
	for _, u := range resp.ValidatorUpdates {
		k := hex.EncodeToString(u.PubKey.GetEd25519())
		if want, ok := ccvSet[k]; (ok && u.Power != want) || (!ok && (u.Power != 0 || own[k] == 0)) {
			t.Fatalf("update %s to %d, initial set %v, own %v", k, u.Power, ccvSet, own)
		}
	}
	for i := 0; i < 3; i++ {
		n.Step()
	}
	for hh := h - 1; hh <= h+1; hh++ {
		if got := setAt(sa, hh); !sameSet(got, own) {
			t.Fatalf("height %d signed by %v, want the standalone's set %v", hh, got, own)
		}
	}
	for hh := h + 2; hh <= h+3; hh++ {
		if got := setAt(sa, hh); !sameSet(got, ccvSet) {
			t.Fatalf("height %d signed by %v, want the provider's %v", hh, got, ccvSet)
		}
	}

	// The relayer opens the CCV channel on the clients of the launch.
	ccvPath := LinkCCV(sa, prov)
	rewards := openTransfer(ccvPath)
	n.Paths = append(n.Paths, ccvPath, rewards)
	n.Step()
	if c, _ := FindConsumer(prov, sa.ID); c.ChannelID == "" {
		t.Fatalf("the provider has no CCV channel: %+v", c)
	}

	// The provider's share of the chain's fees reaches the provider over
	// the transfer channel of the CCV connection.
	sa.MustSucceed(sa.NextBlock(sa.TxFee(3, coin.Coin{Denom: "stake", Amount: 1_000_000}, &staking.MsgDelegate{Delegator: sa.Address(3),
		Validator: sa.Address(1), Amount: 1_000_000})))
	share := transfer.VoucherDenom(transfer.PortID, rewards.B.Channel, "stake")
	if !n.Run(30, func() bool { return prov.Supply(share) > 0 }) {
		t.Fatal("no reward reached the provider")
	}
	// It came from the consumer (stake is not allowlisted: community pool).
	if CountEvents(prov, "consumer_rewards_to_community_pool", "consumer_id", ConsumerID(prov, sa.ID)) == 0 {
		t.Fatal("the provider did not take the reward as the consumer's")
	}

	// A delegation on the provider reaches the chain.
	key0 := hex.EncodeToString(prov.ValidatorKeys[0].PubKey().Bytes())
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(0), Amount: 50_000_000})))
	want := ccvSet[key0] + 50
	if !n.Run(30, func() bool { return consumerSet(sa)[key0] == want && setAt(sa, sa.Height)[key0] == want }) {
		t.Fatalf("the delegation never reached the chain: CCV set %v", consumerSet(sa))
	}

	// Downtime of the assigned key jails validator 3 on the provider.
	sa.Absent[string(assigned.PubKey().Address())] = true
	if !n.Run(300, func() bool { return validator(prov, 3).Jailed }) {
		t.Fatal("validator 3 never jailed for downtime on the chain")
	}
	if !n.Run(30, func() bool { return !has(consumerSet(sa), assigned.PubKey().Bytes()) }) {
		t.Fatal("the jailed validator is still in the chain's set")
	}
	sa.Absent = map[string]bool{}

	// The standalone's undelegation completes on its own schedule.
	if !n.Run(100, func() bool { return len(unbondings(sa, 2)) == 0 }) {
		t.Fatalf("the undelegation never completed: %+v", unbondings(sa, 2))
	}
	if sa.Time.Before(started.Add(standaloneUnbonding)) {
		t.Fatalf("the undelegation completed at %v, started %v", sa.Time, started)
	}
	if got := sa.Balance(sa.Address(2), "stake"); got < before+10_000_000-10 {
		t.Fatalf("balance after the unbonding %d, before it %d", got, before)
	}

	// The standalone's ICS-20 channel still works: its client on the
	// provider follows the change of set (the relayer bisects to H+1).
	voucher := transfer.VoucherDenom(transfer.PortID, xfer.B.Channel, "stake")
	got := prov.Balance(prov.Address(2), voucher)
	sa.MustSucceed(sa.NextBlock(sa.Tx(3, &transfer.MsgTransfer{SourcePort: transfer.PortID, SourceChannel: xfer.A.Channel,
		Token: coin.Coin{Denom: "stake", Amount: 1234}, Sender: sa.Address(3), Receiver: address.Encode("ics", prov.Address(2)),
		TimeoutTimestamp: uint64(sa.Time.Add(time.Hour).UnixNano())})))
	n.Step()
	if after := prov.Balance(prov.Address(2), voucher); after != got+1234 {
		t.Fatalf("voucher on the provider %d, want %d", after, got+1234)
	}

	// A node reopened after the changeover runs a consumer chain.
	sa.Restart()
	if c, ok := sa.App.Chain().(*consumerapp.Chain); !ok || c.PoS == nil {
		t.Fatalf("reopened as %T", sa.App.Chain())
	}
	n.Step()
	if got := setAt(sa, sa.Height); !sameSet(got, consumerSet(sa)) {
		t.Fatalf("after the restart signed by %v, CCV set %v", got, consumerSet(sa))
	}
}

// TestChangeoverBadGenesis: a plan for another chain id, or on a chain
// that is the provider of consumers, fails the block at its height with a
// clear error and nothing committed; the node then goes on without it. A
// changeover consumer needs an initial height above 1. (The import's
// checks: nodehome's TestChangeoverImport.)
func TestChangeoverBadGenesis(t *testing.T) {
	var plan *ccv.ConsumerGenesis
	n, sa := changeoverNet(t, func() (*ccv.ConsumerGenesis, bool, error) { return plan, plan != nil, nil })
	prov := n.Provider
	h := sa.Height + 5
	g := launchChangeover(t, prov, sa, h, "", nil)
	bad := *g
	bad.Changeover = &ccv.Changeover{ChainId: "other-1", Height: uint64(h)}
	plan = &bad
	for sa.Height < h-1 {
		n.Step()
	}
	prev, err := sa.App.Info(context.Background(), &abcitypes.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sa.App.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: h, Time: sa.Time.Add(BlockInterval)})
	if err == nil || !strings.Contains(err.Error(), `the changeover genesis is for chain "other-1", this chain is "standalone-1"`) {
		t.Fatalf("block %d with a plan for another chain: %v", h, err)
	}
	info, err := sa.App.Info(context.Background(), &abcitypes.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	var st abci.StoresJSON
	sa.QueryJSON(abci.PathStores, &st)
	if info.LastBlockHeight != prev.LastBlockHeight || string(info.LastBlockAppHash) != string(prev.LastBlockAppHash) || len(st.Upgrades) != 0 {
		t.Fatalf("after the failed changeover: height %d, stores %+v", info.LastBlockHeight, st)
	}
	// Without the plan the block is an ordinary one.
	plan = nil
	sa.MustSucceed(sa.NextBlock())
	if _, ok := sa.App.Chain().(*changeover.Chain); !ok {
		t.Fatalf("the chain after the block: %T", sa.App.Chain())
	}

	// A chain that is the provider of consumers does not change over.
	sa.MustSucceed(sa.NextBlock(sa.Tx(1, &registry.MsgCreateConsumer{Submitter: sa.Address(1), ChainId: "its-own-1"})))
	good := *g
	good.Changeover = &ccv.Changeover{ChainId: sa.ID, Height: uint64(sa.Height + 1)}
	plan = &good
	_, err = sa.App.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: sa.Height + 1, Time: sa.Time.Add(BlockInterval)})
	if err == nil || !strings.Contains(err.Error(), "the chain is the provider of 1 consumers") {
		t.Fatalf("a changeover of a provider: %v", err)
	}
	plan = nil
	sa.MustSucceed(sa.NextBlock())

	err = (&registry.ConsumerInitializationParameters{InitialHeight: 1, Params: ConsumerParams(), Changeover: true}).Validate()
	if err == nil {
		t.Fatal("a changeover at height 1 was accepted")
	}
}

// TestChangeoverReusesConnection: a changeover consumer named with the
// provider's end of the connection the standalone chain and the provider
// have (an ICS-20 channel open on it) launches on that connection's
// client, and the chain changes over onto its own client of the provider:
// no client or connection is created on either chain. The CCV channel
// opens on that connection, the provider's share of the fees travels on
// the existing transfer channel and is taken as the consumer's, a
// delegation on the provider reaches the chain, and an ordinary transfer
// still works. A connection that is not open, or whose client tracks
// another chain, keeps a consumer from launching, with the reason.
func TestChangeoverReusesConnection(t *testing.T) {
	var plan *ccv.ConsumerGenesis
	n, sa := changeoverNet(t, func() (*ccv.ConsumerGenesis, bool, error) { return plan, plan != nil, nil })
	prov := n.Provider
	xfer := NewPath(sa, prov)
	xfer.Link(transfer.PortID, channeltypes.UNORDERED, transfer.Version)
	n.Paths = []*Path{xfer}

	// Connections that cannot be reused: none launches.
	propose(prov, "other-1", sa.Height+50, xfer.B.Connection)
	propose(prov, "other-2", sa.Height+50, "connection-99")
	for i := 0; i < 5; i++ {
		prov.NextBlock()
	}
	for id, reason := range map[string]string{
		"other-1": "connection " + xfer.B.Connection + " is on client " + xfer.B.Client + ` of chain "standalone-1" (active: true), not an active client of other-1`,
		"other-2": "connection connection-99 to reuse is not open",
	} {
		if c, _ := FindConsumer(prov, id); c.Phase != "registered" ||
			CountEvents(prov, "consumer_not_launched", "reason", reason+": back to registered") != 1 {
			t.Fatalf("%s: phase %s, want registered with reason %q", id, c.Phase, reason)
		}
	}

	var conns [2][]connectiontypes.IdentifiedConnection
	sa.QueryJSON(interchain.PathIBCConnections, &conns[0])
	prov.QueryJSON(interchain.PathIBCConnections, &conns[1])
	h := sa.Height + 15
	plan = launchChangeover(t, prov, sa, h, xfer.B.Connection, nil)
	if plan.Changeover.ConnectionId != xfer.A.Connection {
		t.Fatalf("changeover %+v, want the standalone's end %s", plan.Changeover, xfer.A.Connection)
	}
	if c, _ := FindConsumer(prov, sa.ID); c.ClientID != xfer.B.Client ||
		CountEvents(prov, "consumer_client_reused", "client_id", xfer.B.Client) != 1 {
		t.Fatalf("the consumer's client %s, want %s reused", c.ClientID, xfer.B.Client)
	}
	for _, k := range prov.ValidatorKeys {
		sa.AddSigner(k)
	}
	for sa.Height < h+3 {
		n.Step()
	}
	if got := setAt(sa, h+2); !sameSet(got, initialSet(plan)) {
		t.Fatalf("height %d signed by %v, want the provider's set", h+2, got)
	}
	var st interchain.ConsumerStatusJSON
	sa.QueryJSON(interchain.PathConsumerStatus, &st)
	if st.ProviderClientID != xfer.A.Client {
		t.Fatalf("the consumer runs on client %s, want its own %s", st.ProviderClientID, xfer.A.Client)
	}

	ccvPath := LinkCCV(sa, prov)
	if ccvPath.A.Connection != xfer.A.Connection || ccvPath.B.Connection != xfer.B.Connection {
		t.Fatalf("CCV channel on %s/%s, want the connection %s/%s", ccvPath.A.Connection, ccvPath.B.Connection, xfer.A.Connection, xfer.B.Connection)
	}
	t2, err := ccvrelay.OpenTransfer(context.Background(), ccvPath.Relayer())
	if err != nil || t2.A.Channel != xfer.A.Channel || t2.B.Channel != xfer.B.Channel {
		t.Fatalf("transfer channel %+v (%v), want the existing %s", t2, err, xfer.A.Channel)
	}
	var after [2][]connectiontypes.IdentifiedConnection
	sa.QueryJSON(interchain.PathIBCConnections, &after[0])
	prov.QueryJSON(interchain.PathIBCConnections, &after[1])
	if len(after[0]) != len(conns[0]) || len(after[1]) != len(conns[1]) {
		t.Fatalf("connections %d and %d, before %d and %d", len(after[0]), len(after[1]), len(conns[0]), len(conns[1]))
	}
	n.Paths = []*Path{xfer, ccvPath}
	n.Step()

	// Rewards on the existing transfer channel, taken as the consumer's.
	sa.MustSucceed(sa.NextBlock(sa.TxFee(3, coin.Coin{Denom: "stake", Amount: 1_000_000}, &staking.MsgDelegate{Delegator: sa.Address(3),
		Validator: sa.Address(1), Amount: 1_000_000})))
	voucher := transfer.VoucherDenom(transfer.PortID, xfer.B.Channel, "stake")
	if !n.Run(30, func() bool { return prov.Supply(voucher) > 0 }) {
		t.Fatal("no reward reached the provider")
	}
	if CountEvents(prov, "consumer_rewards_to_community_pool", "consumer_id", ConsumerID(prov, sa.ID)) == 0 {
		t.Fatal("the provider did not take the reward as the consumer's")
	}

	// Validator set changes reach the chain.
	key0 := hex.EncodeToString(prov.ValidatorKeys[0].PubKey().Bytes())
	want := initialSet(plan)[key0] + 50
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(0), Amount: 50_000_000})))
	if !n.Run(30, func() bool { return setAt(sa, sa.Height)[key0] == want }) {
		t.Fatalf("the delegation never reached the chain: CCV set %v", consumerSet(sa))
	}

	// An ordinary transfer on the same channel.
	got := prov.Balance(prov.Address(2), voucher)
	sa.MustSucceed(sa.NextBlock(sa.Tx(3, &transfer.MsgTransfer{SourcePort: transfer.PortID, SourceChannel: xfer.A.Channel,
		Token: coin.Coin{Denom: "stake", Amount: 1234}, Sender: sa.Address(3), Receiver: address.Encode("ics", prov.Address(2)),
		TimeoutTimestamp: uint64(sa.Time.Add(time.Hour).UnixNano())})))
	n.Step()
	if after := prov.Balance(prov.Address(2), voucher); after != got+1234 {
		t.Fatalf("voucher on the provider %d, want %d", after, got+1234)
	}
}
