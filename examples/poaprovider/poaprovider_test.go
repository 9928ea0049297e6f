package poaprovider_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/examples/poaprovider"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// Test parameters of the poaprovider chain.
const (
	poaID     = "poa-1"
	consID    = "consumer-1"
	epoch     = 3 // provider blocks per epoch
	jailTime  = time.Minute
	unbonding = 15 * time.Minute
)

var powers = []int64{50, 30, 20}

// admin signs the admin's transactions, with the next nonce of each one
// that succeeds.
type admin struct {
	c     *ibctest.Chain
	key   ed25519.PrivKey
	nonce uint64
}

// tx signs body with the admin's key and next nonce.
func (a *admin) tx(body poaprovider.AdminBody) []byte {
	body.Nonce = a.nonce
	tx, err := poaprovider.NewAdminTx(a.key, body)
	if err != nil {
		a.c.T.Fatal(err)
	}
	return tx
}

// run commits body in a block of its own and requires success.
func (a *admin) run(body poaprovider.AdminBody) *abcitypes.ResponseFinalizeBlock {
	resp := a.c.MustSucceed(a.c.NextBlock(a.tx(body)))
	a.nonce++
	return resp
}

// startPOA starts a poaprovider chain on clock with three validators of
// powers 50, 30 and 20, epochs of three blocks and a jail time of a
// minute; its headers are signed by the validators' ed25519 keys.
func startPOA(t *testing.T, clock *ibctest.Clock) (*ibctest.Chain, *poaprovider.App, *admin) {
	adminKey := ed25519.GenPrivKeyFromSecret([]byte(poaID + "/admin"))
	pg := provider.DefaultGenesis()
	pg.Params.BlocksPerEpoch = epoch
	pg.Params.DowntimeJailDuration = jailTime
	pjs, err := (&jsonpb.Marshaler{}).MarshalToString(pg)
	if err != nil {
		t.Fatal(err)
	}
	g := poaprovider.Genesis{Admin: adminKey.PubKey().Bytes(), UnbondingPeriod: unbonding, Provider: json.RawMessage(pjs)}
	var keys []ed25519.PrivKey
	for i, p := range powers {
		k := ed25519.GenPrivKeyFromSecret([]byte(poaID + "/validator/" + string(rune('0'+i))))
		keys = append(keys, k)
		g.Validators = append(g.Validators, poaprovider.Validator{Name: "val" + string(rune('0'+i)), PubKey: k.PubKey().Bytes(), Power: p})
	}
	appState, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	app, err := poaprovider.NewApp(dbm.NewMemDB())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	c := ibctest.NewAppChain(t, clock, poaID, ibctest.AppChain{App: app, AppState: appState, ValidatorKeys: keys})
	return c, app, &admin{c: c, key: adminKey}
}

func newClock() *ibctest.Clock {
	return &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// list returns poaprovider's validator list, by hex public key.
func list(c *ibctest.Chain) map[string]poaprovider.Validator {
	var vals []poaprovider.Validator
	c.QueryJSON(poaprovider.PathValidators, &vals)
	out := map[string]poaprovider.Validator{}
	for _, v := range vals {
		out[hex.EncodeToString(v.PubKey)] = v
	}
	return out
}

func nonce(c *ibctest.Chain) uint64 {
	var n uint64
	c.QueryJSON(poaprovider.PathNonce, &n)
	return n
}

// cometSet returns the CometBFT validator set that signed c's latest
// header: hex public key -> power.
func cometSet(c *ibctest.Chain) map[string]int64 {
	_, vals := c.SignedHeader(c.Height)
	out := map[string]int64{}
	for _, v := range vals.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out
}

// consumerSet returns the consumer's CCV validator set: hex key -> power.
func consumerSet(c *ibctest.Chain) map[string]int64 {
	var vals []interchain.ConsumerValidatorJSON
	c.QueryJSON(interchain.PathConsumerValidator, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		out[v.ConsumerKey] = v.Power
	}
	return out
}

func consumerInfo(c *ibctest.Chain) interchain.ConsumerJSON {
	var all []interchain.ConsumerJSON
	c.QueryJSON(interchain.PathConsumers, &all)
	for _, x := range all {
		if x.ChainID == consID {
			return x
		}
	}
	c.T.Fatalf("%s has no consumer %s", c.ID, consID)
	return interchain.ConsumerJSON{}
}

func set(pairs ...any) map[string]int64 {
	out := map[string]int64{}
	for i := 0; i < len(pairs); i += 2 {
		out[pairs[i].(string)] = pairs[i+1].(int64)
	}
	return out
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestPOAProviderLaunchesICSDConsumer drives a poaprovider chain and an
// icsd consumer chain in one process on one clock, linked by the relayer
// (package relayer over ibctest nodes): poaprovider only accepts admin
// transactions and interchain.RelayTx, so every IBC message it runs came
// as a RelayTx, while the consumer gets icsd's signed transactions.
func TestPOAProviderLaunchesICSDConsumer(t *testing.T) {
	poa, _, adm := startPOA(t, newClock())
	hexKey := func(i int) string { return hex.EncodeToString(poa.ValidatorKeys[i].PubKey().Bytes()) }
	want := set(hexKey(0), int64(50), hexKey(1), int64(30), hexKey(2), int64(20))
	if got := cometSet(poa); !equal(got, want) {
		t.Fatalf("poaprovider's CometBFT set %v, want %v", got, want)
	}

	// The admin adds the consumer; it launches at its spawn time.
	spawn := poa.Time.Add(30 * time.Second)
	pjs, err := (&jsonpb.Marshaler{}).MarshalToString(&provider.ConsumerAdditionProposal{
		ChainId: consID, SpawnTime: spawn.UnixNano(), InitialHeight: 1, Params: ibctest.ConsumerParams(),
		PowerShaping: registry.PowerShapingParameters{TopN: 100}})
	if err != nil {
		t.Fatal(err)
	}
	adm.run(poaprovider.AdminBody{AddConsumer: json.RawMessage(pjs)})
	launched := int64(0)
	for i := 0; i < 20 && launched == 0; i++ {
		if res := poa.Query(interchain.PathConsumerGenesis+ibctest.ConsumerID(poa, consID), nil, 0, false); res.Code == 0 {
			t.Fatalf("consumer genesis at %s, before the spawn time %s", poa.Time, spawn)
		}
		before := poa.Time
		resp := poa.NextBlock()
		if len(ibctest.Events(resp, "consumer_client_created")) > 0 {
			launched = poa.Height
			if poa.Time.Before(spawn) || !before.Before(spawn) {
				t.Fatalf("launched in the block of %s, spawn time %s (previous block %s)", poa.Time, spawn, before)
			}
		}
	}
	if launched == 0 {
		t.Fatal("consumer never launched")
	}
	cg := ibctest.ConsumerGenesis(poa, consID)
	gotInit := map[string]int64{}
	for _, v := range cg.InitialValidators {
		gotInit[hex.EncodeToString(v.PubKey)] = v.Power
	}
	if !equal(gotInit, want) {
		t.Fatalf("consumer genesis validators %v, want %v", gotInit, want)
	}

	// The consumer starts from that genesis, signed by poaprovider's
	// validator keys; the relayer opens the CCV channel.
	cons := ibctest.StartConsumer(poa, consID, 2)
	path := ibctest.LinkCCV(cons, poa)
	n := &ibctest.Net{Provider: poa, Consumers: []*ibctest.Chain{cons}, Paths: []*ibctest.Path{path}}
	n.Step()
	if info := consumerInfo(poa); info.Phase != "running" || info.ChannelID != path.B.Channel || info.InitHeight == 0 {
		t.Fatalf("consumer on poaprovider after the link: %+v (path %+v)", info, path.B)
	}
	if ibctest.CountEvents(poa, "channel_established", "chain_id", consID) != 1 || ibctest.CountEvents(poa, channel.EventChannelOpenTry, "", "") != 1 {
		t.Fatal("poaprovider: no channel_established or channel_open_try event")
	}
	if got := consumerSet(cons); !equal(got, want) {
		t.Fatalf("consumer set %v, want %v", got, want)
	}
	if got := cometSet(cons); !equal(got, want) {
		t.Fatalf("consumer's CometBFT set %v, want %v", got, want)
	}

	// A power change by the admin goes out in the next epoch's VSC.
	adm.run(poaprovider.AdminBody{SetPower: &poaprovider.Validator{PubKey: poa.ValidatorKeys[1].PubKey().Bytes(), Power: 40}})
	changed := poa.Height
	want = set(hexKey(0), int64(50), hexKey(1), int64(40), hexKey(2), int64(20))
	if !n.Run(20, func() bool { return equal(consumerSet(cons), want) }) {
		t.Fatalf("consumer set %v after the power change, want %v", consumerSet(cons), want)
	}
	vscHeight, vsc := firstVSC(t, poa, changed)
	if next := (changed + epoch - 1) / epoch * epoch; vscHeight != next {
		t.Fatalf("power change at height %d went out at height %d, not at the next epoch boundary %d", changed, vscHeight, next)
	}
	if len(vsc.ValidatorUpdates) != 1 || !bytes.Equal(vsc.ValidatorUpdates[0].PubKey, poa.ValidatorKeys[1].PubKey().Bytes()) || vsc.ValidatorUpdates[0].Power != 40 {
		t.Fatalf("VSC %d: updates %+v, want validator 1 at 40", vsc.ValsetUpdateID, vsc.ValidatorUpdates)
	}
	n.Step()
	if got := cometSet(poa); !equal(got, want) {
		t.Fatalf("poaprovider's CometBFT set %v, want %v", got, want)
	}
	if got := cometSet(cons); !equal(got, want) {
		t.Fatalf("consumer's CometBFT set %v, want %v", got, want)
	}

	// Validator 2 stops signing on the consumer: the consumer reports it
	// and poaprovider jails it.
	down := poa.ValidatorKeys[2].PubKey()
	cons.Absent[string(down.Address())] = true
	if !n.Run(100, func() bool { return list(poa)[hexKey(2)].JailedUntil != 0 }) {
		t.Fatal("validator 2 never jailed on poaprovider")
	}
	jailedAt := poa.Time
	v2 := list(poa)[hexKey(2)]
	if v2.Power != 20 || v2.Tombstoned || v2.JailedUntil < jailedAt.UnixNano() || v2.JailedUntil > jailedAt.Add(jailTime).UnixNano() {
		t.Fatalf("jailed validator 2 at %s: %+v", jailedAt, v2)
	}
	if got := slashPackets(t, cons, down.Address()); got != 1 {
		t.Fatalf("consumer sent %d downtime slash packets for validator 2, want 1", got)
	}
	if got := ibctest.CountEvents(poa, "execute_consumer_chain_slash", "chain_id", consID); got != 1 {
		t.Fatalf("%d slash packets executed on poaprovider, want 1", got)
	}
	cons.Absent[string(down.Address())] = false
	want = set(hexKey(0), int64(50), hexKey(1), int64(40))
	n.Step()
	if got := cometSet(poa); !equal(got, want) {
		t.Fatalf("poaprovider's CometBFT set %v with validator 2 jailed, want %v", got, want)
	}
	if !n.Run(20, func() bool { return equal(consumerSet(cons), want) }) {
		t.Fatalf("consumer set %v with validator 2 jailed, want %v", consumerSet(cons), want)
	}

	// Unjail is refused during the jail time and brings it back after.
	if (poa.Height+1)%epoch == 0 {
		poa.NextBlock() // epoch boundaries move the app hash by themselves
	}
	hash := poa.Log[len(poa.Log)-1].AppHash
	unjail := poaprovider.AdminBody{Unjail: down.Bytes()}
	resp := poa.NextBlock(adm.tx(unjail))
	if r := resp.TxResults[0]; r.Code == 0 || !strings.Contains(r.Log, "jailed until") {
		t.Fatalf("unjail during the jail time: code %d, log %q", r.Code, r.Log)
	}
	if !bytes.Equal(resp.AppHash, hash) {
		t.Fatal("refused unjail changed the app hash")
	}
	until := time.Unix(0, list(poa)[hexKey(2)].JailedUntil)
	n.Run(100, func() bool { return !poa.Time.Before(until) })
	adm.run(unjail)
	if v := list(poa)[hexKey(2)]; v.JailedUntil != 0 || v.Power != 20 {
		t.Fatalf("validator 2 after unjail: %+v", v)
	}
	want = set(hexKey(0), int64(50), hexKey(1), int64(40), hexKey(2), int64(20))
	n.Step()
	if got := cometSet(poa); !equal(got, want) {
		t.Fatalf("poaprovider's CometBFT set %v after unjail, want %v", got, want)
	}
	if !n.Run(20, func() bool { return equal(consumerSet(cons), want) }) {
		t.Fatalf("consumer set %v after unjail, want %v", consumerSet(cons), want)
	}
	n.Step()
	if got := cometSet(cons); !equal(got, want) {
		t.Fatalf("consumer's CometBFT set %v after unjail, want %v", got, want)
	}
}

// firstVSC returns the first VSC packet poaprovider sent after height h,
// and the height of its block.
func firstVSC(t *testing.T, c *ibctest.Chain, h int64) (int64, ccv.ValidatorSetChangePacketData) {
	for height := h; height <= c.Height; height++ {
		sent, _ := ibctest.PacketsIn(t, c.Log[height-1], packet.EventSendPacket)
		for _, pk := range sent {
			vsc, err := ccv.DecodeValidatorSetChange(pk.Data)
			if err != nil {
				t.Fatal(err)
			}
			return height, vsc
		}
	}
	t.Fatalf("%s: no VSC packet since height %d", c.ID, h)
	return 0, ccv.ValidatorSetChangePacketData{}
}

// slashPackets counts the downtime slash packets c sent about the
// validator with consensus address addr.
func slashPackets(t *testing.T, c *ibctest.Chain, addr []byte) int {
	n := 0
	for _, resp := range c.Log {
		sent, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
		for _, pk := range sent {
			d, err := ccv.DecodeConsumerPacket(pk.Data)
			if err != nil {
				t.Fatal(err)
			}
			if d.Slash != nil && d.Slash.Infraction == ccv.InfractionDowntime && bytes.Equal(d.Slash.Validator.Address, addr) {
				n++
			}
		}
	}
	return n
}

// TestAdminTxRejected: admin transactions that break one rule of a valid
// one are refused with an error that names the rule, in a block whose app
// hash does not move, and consume no nonce.
func TestAdminTxRejected(t *testing.T) {
	poa, app, adm := startPOA(t, newClock())
	valKey := poa.ValidatorKeys[2].PubKey().Bytes()
	other := ed25519.GenPrivKeyFromSecret([]byte("not the admin"))
	signed := func(k ed25519.PrivKey, body poaprovider.AdminBody) []byte {
		tx, err := poaprovider.NewAdminTx(k, body)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tampered := func() []byte {
		var tx poaprovider.AdminTx
		if err := json.Unmarshal(adm.tx(poaprovider.AdminBody{Unjail: valKey}), &tx); err != nil {
			t.Fatal(err)
		}
		tx.Body = bytes.Replace(tx.Body, []byte(`"nonce":0`), []byte(`"nonce":1`), 1)
		bz, _ := json.Marshal(tx)
		return bz
	}
	proposal := func(js string) poaprovider.AdminBody {
		return poaprovider.AdminBody{AddConsumer: json.RawMessage(js)}
	}
	for _, tc := range []struct {
		name string
		tx   []byte
		want string
	}{
		{"not json", []byte("hello"), "not a relay transaction nor a signed admin transaction"},
		{"no signature", []byte(`{"body":"e30="}`), "want a body and a 64-byte signature"},
		{"signed by another key", signed(other, poaprovider.AdminBody{Unjail: valKey}), "bad signature"},
		{"body changed after signing", tampered(), "bad signature"},
		{"nonce ahead", signed(adm.key, poaprovider.AdminBody{Nonce: 1, SetPower: &poaprovider.Validator{PubKey: valKey, Power: 1}}), "wrong nonce: 1, want 0"},
		{"no operation", adm.tx(poaprovider.AdminBody{}), "0 operations"},
		{"two operations", adm.tx(poaprovider.AdminBody{Unjail: valKey, SetPower: &poaprovider.Validator{PubKey: valKey, Power: 1}}), "2 operations"},
		{"proposal not proto3 json", adm.tx(proposal(`{"chain_id": 7}`)), "ConsumerAdditionProposal"},
		{"proposal without chain id", adm.tx(proposal(`{"spawn_time": "1", "initial_height": "1"}`)), "ConsumerAdditionProposal"},
		{"unjail a short key", adm.tx(poaprovider.AdminBody{Unjail: []byte{1, 2, 3}}), "want a 32-byte key"},
		{"unjail an unjailed validator", adm.tx(poaprovider.AdminBody{Unjail: valKey}), "is not jailed"},
		{"negative power", adm.tx(poaprovider.AdminBody{SetPower: &poaprovider.Validator{PubKey: valKey, Power: -1}}), "power in [0, "},
		{"power of a short key", adm.tx(poaprovider.AdminBody{SetPower: &poaprovider.Validator{PubKey: valKey[:31], Power: 1}}), "want a 32-byte key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (poa.Height+1)%epoch == 0 {
				poa.NextBlock() // epoch boundaries move the app hash by themselves
			}
			before, vals := poa.Log[len(poa.Log)-1].AppHash, list(poa)
			resp := poa.NextBlock(tc.tx)
			r := resp.TxResults[0]
			if r.Code == 0 || !strings.Contains(r.Log, tc.want) {
				t.Fatalf("code %d, log %q; want a failure mentioning %q", r.Code, r.Log, tc.want)
			}
			if !bytes.Equal(resp.AppHash, before) {
				t.Fatalf("app hash moved: %X -> %X", before, resp.AppHash)
			}
			if nonce(poa) != 0 || !reflect.DeepEqual(list(poa), vals) {
				t.Fatal("state changed")
			}
		})
	}
	// CheckTx refuses what is not the admin's before it reaches a block.
	res, err := app.CheckTx(t.Context(), &abcitypes.RequestCheckTx{Tx: signed(other, poaprovider.AdminBody{Unjail: valKey})})
	if err != nil || res.Code == 0 || !strings.Contains(res.Log, "bad signature") {
		t.Fatalf("CheckTx of another key's transaction: %v, %+v", err, res)
	}
	// The valid transaction the table broke moves the hash and the nonce.
	if (poa.Height+1)%epoch == 0 {
		poa.NextBlock()
	}
	before := poa.Log[len(poa.Log)-1].AppHash
	resp := adm.run(poaprovider.AdminBody{SetPower: &poaprovider.Validator{PubKey: valKey, Power: 25}})
	if bytes.Equal(resp.AppHash, before) || nonce(poa) != 1 || list(poa)[hex.EncodeToString(valKey)].Power != 25 {
		t.Fatalf("valid set_power: app hash moved %v, nonce %d, list %+v", !bytes.Equal(resp.AppHash, before), nonce(poa), list(poa))
	}
}

// TestUnknownValidator: the list answers the provider about a consensus
// address it does not hold with not-found and errors, never a panic.
func TestUnknownValidator(t *testing.T) {
	ms, err := state.Open(dbm.NewMemDB(), []string{"poa"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, addr, poa := ms.Working(), make([]byte, 20), poaprovider.POA{}
	if _, ok := poa.ValidatorByConsAddr(s, addr); ok {
		t.Fatal("unknown validator found")
	}
	if _, ok := poa.ValidatorByOperator(s, addr); ok {
		t.Fatal("unknown operator found")
	}
	if poa.Jail(s, addr, time.Now()) == nil || poa.Tombstone(s, addr) == nil {
		t.Fatal("jailed or tombstoned an unknown validator")
	}
	if _, err := poa.Slash(s, addr, 1, 1, fraction.New(1, 2), 1); err == nil {
		t.Fatal("slashed an unknown validator")
	}
}
