package ibctest_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
)

// tokensPerPower is the staking power reduction of the test chains.
const tokensPerPower = 1_000_000

// pssProvider starts a provider whose validator i has power powers[i]
// (all self-delegated), an unbonding period of 15 minutes and three more
// funded accounts than validators (accounts len(powers), +1, +2 are
// ordinary accounts).
func pssProvider(t testing.TB, powers []int64, edit func(*app.Genesis)) *Chain {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return NewProvider(t, clock, "provider-1", len(powers), len(powers)+3, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
		for i, p := range powers {
			g.Staking.Validators[i].SelfDelegation = uint64(p) * tokensPerPower
		}
		if edit != nil {
			edit(g)
		}
	})
}

// consAddr returns the provider consensus address of validator i.
func consAddr(c *Chain, i int) []byte { return c.ValidatorKeys[i].PubKey().Address() }

// consAddrs returns the provider consensus addresses of validators vs.
func consAddrs(c *Chain, vs ...int) [][]byte {
	var out [][]byte
	for _, v := range vs {
		out = append(out, consAddr(c, v))
	}
	return out
}

// valcons returns validator i's consensus address as queries show it.
func valcons(c *Chain, i int) string { return address.Encode("icsvalcons", consAddr(c, i)) }

// initParams returns initialization parameters spawning after delay.
func initParams(prov *Chain, delay time.Duration) *registry.ConsumerInitializationParameters {
	return &registry.ConsumerInitializationParameters{SpawnTime: prov.Time.Add(delay).UnixNano(), InitialHeight: 1, Params: ConsumerParams()}
}

// createConsumer submits m from account i and returns the new consumer id.
func createConsumer(prov *Chain, i int, m *registry.MsgCreateConsumer) string {
	resp := prov.MustSucceed(prov.NextBlock(prov.Tx(i, m)))
	evs := Events(resp, "create_consumer")
	if len(evs) != 1 || evs[0]["consumer_id"] == "" {
		prov.T.Fatalf("create consumer %s: events %v", m.ChainId, evs)
	}
	return evs[0]["consumer_id"]
}

// optIn opts validators vs in to consumer id, in one block.
func optIn(prov *Chain, id string, vs ...int) {
	var txs [][]byte
	for _, v := range vs {
		txs = append(txs, prov.Tx(v, &registry.MsgOptIn{Operator: prov.Address(v), ConsumerId: id}))
	}
	prov.MustSucceed(prov.NextBlock(txs...))
}

// detail returns the provider's record of consumer id.
func detail(prov *Chain, id string) interchain.ConsumerDetailJSON {
	var d interchain.ConsumerDetailJSON
	prov.QueryJSON(interchain.PathConsumer+id, &d)
	return d
}

// waitPhase runs provider blocks until consumer id is in phase, at most
// max blocks.
func waitPhase(prov *Chain, id, phase string, max int) {
	for i := 0; detail(prov, id).Phase != phase; i++ {
		if i == max {
			prov.T.Fatalf("consumer %s still %s after %d blocks, want %s", id, detail(prov, id).Phase, max, phase)
		}
		prov.NextBlock()
	}
}

// launchOptIn creates an opt-in consumer chainID owned by account owner,
// with power shaping ps and infraction parameters ip (nil: the defaults),
// opts validators vs in, runs the provider until it launches the
// consumer, and starts and links the consumer chain. It returns the
// consumer id, the consumer chain and the CCV path.
func launchOptIn(prov *Chain, chainID string, owner int, ps *registry.PowerShapingParameters, ip *registry.InfractionParameters, vs ...int) (string, *Chain, *Path) {
	id := createOptIn(prov, chainID, owner, ps, ip, vs...)
	waitPhase(prov, id, "launched", 10)
	cons := StartConsumer(prov, chainID, 2)
	return id, cons, LinkCCV(cons, prov)
}

// createOptIn creates an opt-in consumer spawning three blocks later and
// opts validators vs in to it; it returns the consumer id.
func createOptIn(prov *Chain, chainID string, owner int, ps *registry.PowerShapingParameters, ip *registry.InfractionParameters, vs ...int) string {
	id := createConsumer(prov, owner, &registry.MsgCreateConsumer{Submitter: prov.Address(owner), ChainId: chainID,
		Metadata: registry.ConsumerMetadata{Name: chainID}, InitializationParameters: initParams(prov, 3*BlockInterval),
		PowerShapingParameters: ps, InfractionParameters: ip})
	if len(vs) > 0 {
		optIn(prov, id, vs...)
	}
	return id
}

// launchGov passes a consumer addition proposal for chainID with power
// shaping ps and infraction parameters ip (nil: the defaults), and starts
// and links the consumer chain.
func launchGov(prov *Chain, chainID string, ps registry.PowerShapingParameters, ip *registry.InfractionParameters) (string, *Chain, *Path) {
	PassProposal(prov, &provider.ConsumerAdditionProposal{ChainId: chainID, SpawnTime: prov.Time.UnixNano(), InitialHeight: 1,
		Params: ConsumerParams(), PowerShaping: ps, InfractionParameters: ip})
	prov.NextBlock()
	id := ConsumerID(prov, chainID)
	waitPhase(prov, id, "launched", 5)
	cons := StartConsumer(prov, chainID, 2)
	return id, cons, LinkCCV(cons, prov)
}

// net returns the provider with its consumers and paths, stepped once.
func net(prov *Chain, cons []*Chain, paths []*Path) *Net {
	n := &Net{Provider: prov, Consumers: cons, Paths: paths}
	n.Step()
	return n
}

// cometSet returns the validator set CometBFT runs the consumer with at
// its latest height: hex consensus address -> power.
func cometSet(c *Chain) map[string]int64 {
	_, vals := c.SignedHeader(c.Height)
	out := map[string]int64{}
	for _, v := range vals.Validators {
		out[hex.EncodeToString(v.Address)] = v.VotingPower
	}
	return out
}

// cometKeys returns cometSet by hex public key.
func cometKeys(c *Chain) map[string]int64 {
	_, vals := c.SignedHeader(c.Height)
	out := map[string]int64{}
	for _, v := range vals.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out
}

// powers returns the set of provider validators (index -> power) by hex
// consensus address, as cometSet shows it.
func powers(prov *Chain, m map[int]int64) map[string]int64 {
	out := map[string]int64{}
	for i, p := range m {
		out[hex.EncodeToString(consAddr(prov, i))] = p
	}
	return out
}

// storedSet returns the set the provider stored for consumer id at height
// (0: latest): provider valcons address -> power.
func storedSet(prov *Chain, id string, height int64) map[string]int64 {
	res := prov.Query(interchain.PathConsumerVals+id, nil, height, false)
	if res.Code != 0 {
		prov.T.Fatalf("%s: validators of %s at %d: %s", prov.ID, id, height, res.Log)
	}
	var vals []interchain.ConsumerValidatorJSON
	if err := json.Unmarshal(res.Value, &vals); err != nil {
		prov.T.Fatal(err)
	}
	out := map[string]int64{}
	for _, v := range vals {
		out[v.ProviderAddress] = v.Power
	}
	return out
}

// vscsSent returns the VSC packets the provider sent on path p's channel
// in blocks from index from of its log on.
func vscsSent(t testing.TB, prov *Chain, p *Path, from int) []ccv.ValidatorSetChangePacketData {
	var out []ccv.ValidatorSetChangePacketData
	for _, resp := range prov.Log[from:] {
		packets, _ := PacketsIn(t, resp, "send_packet")
		for _, pk := range packets {
			if pk.SourcePort != p.B.Port || pk.SourceChannel != p.B.Channel {
				continue
			}
			d, err := ccv.DecodeValidatorSetChange(pk.Data)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

// refused reports an error unless res failed with want: its code, and
// its log naming the error.
func refused(t testing.TB, what string, res *abcitypes.ExecTxResult, want error) bool {
	t.Helper()
	if res.Code == 0 || res.Code != app.Code(want) || !strings.Contains(res.Log, want.Error()) {
		t.Errorf("%s: code %d (%s), want %d (%v)", what, res.Code, res.Log, app.Code(want), want)
		return false
	}
	return true
}

// stateDigest hashes every key and value of the provider's and IBC's
// stores at the latest height: what a refused message must not change
// (its fee and nonce are still taken, so the app hash moves).
func stateDigest(c *Chain) string {
	v, err := c.App.View(0)
	if err != nil {
		c.T.Fatal(err)
	}
	h := sha256.New()
	for _, name := range []string{provider.StoreName, commitment.StoreName} {
		it := v.KV(name).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			for _, b := range [][]byte{it.Key(), it.Value()} {
				h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
				h.Write(b)
			}
		}
		it.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// refusedTx runs msg from account signer in a block that is not an
// epoch's and reports an error unless it fails with want and leaves the
// provider's and IBC's state as it was.
func refusedTx(t testing.TB, prov *Chain, what string, signer int, want error, msg gogoproto.Message) {
	t.Helper()
	if (prov.Height+1)%EpochBlocks == 0 {
		prov.NextBlock()
	}
	before := stateDigest(prov)
	res := prov.NextBlock(prov.Tx(signer, msg)).TxResults[0]
	if refused(t, what, res, want) && stateDigest(prov) != before {
		t.Errorf("%s: refused, but the provider's state changed", what)
	}
}
