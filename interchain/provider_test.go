package interchain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

var (
	provT0    = time.Unix(1_700_000_000, 0).UTC()
	provGov   = address.Module("gov")
	provAlice = bytes.Repeat([]byte{0xa1}, 20)
)

// provKey returns validator i's provider consensus key: any 32 bytes are
// an ed25519 public key as far as the provider is concerned.
func provKey(i int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "interchain validator %d", i))
	return h[:]
}

func provAddr(i int) []byte      { return ed25519.PubKey(provKey(i)).Address() }
func provOperator(i int) []byte  { return bytes.Repeat([]byte{byte(0xc0 + i)}, 20) }
func valcons(addr []byte) string { return address.Encode("cosmosvalcons", addr) }

// memStaking is a provider's proof of stake in memory: bonded validators
// of power 10 and their operators. Nothing here punishes.
type memStaking struct {
	vals []provider.Validator
	ops  [][]byte
}

func (m *memStaking) BondedValidators(state.Store) []provider.Validator { return slices.Clone(m.vals) }
func (m *memStaking) Candidates(state.Store) []provider.Validator       { return slices.Clone(m.vals) }

func (m *memStaking) ValidatorByConsAddr(_ state.Store, addr []byte) (provider.Validator, bool) {
	for _, v := range m.vals {
		if bytes.Equal(v.ConsAddr, addr) {
			return v, true
		}
	}
	return provider.Validator{}, false
}

func (m *memStaking) ValidatorByOperator(_ state.Store, op []byte) (provider.Validator, bool) {
	for i, o := range m.ops {
		if bytes.Equal(o, op) {
			return m.vals[i], true
		}
	}
	return provider.Validator{}, false
}

func (*memStaking) Jail(state.Store, []byte, time.Time) error {
	return errors.New("memStaking: no jail")
}
func (*memStaking) Slash(state.Store, []byte, int64, int64, fraction.Fraction, int64) (uint64, error) {
	return 0, errors.New("memStaking: no slash")
}
func (*memStaking) Tombstone(state.Store, []byte) error {
	return errors.New("memStaking: no tombstone")
}

// noUnbonding has an unbonding period and no entries.
type noUnbonding struct{}

func (noUnbonding) UnbondingPeriod(state.Store) time.Duration         { return 21 * 24 * time.Hour }
func (noUnbonding) EntryValidator(state.Store, uint64) ([]byte, bool) { return nil, false }
func (noUnbonding) PutOnHold(state.Store, uint64, string) error {
	return errors.New("noUnbonding: no entry")
}
func (noUnbonding) ReleaseHold(state.Store, uint64, string) error {
	return errors.New("noUnbonding: no entry")
}

// provChain is a provider layer over a multistore of its stores, with
// three validators, governance provGov and epochs of 5 blocks, at height
// 1 (the first block not yet ended).
type provChain struct {
	t      *testing.T
	ms     *state.MultiStore
	p      *Provider
	height int64
}

func newProvChain(t *testing.T) *provChain {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), ProviderStores, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	st := &memStaking{}
	for i := range 3 {
		st.vals = append(st.vals, provider.Validator{ConsAddr: provAddr(i), PubKey: provKey(i), Power: 10, Tokens: 10, Bonded: true})
		st.ops = append(st.ops, provOperator(i))
	}
	p := NewProvider(ProviderConfig{ChainID: "provider-1", Prefix: "cosmos", Staking: st, Unbonding: noUnbonding{},
		FeePoolAddr: address.Encode("cosmos", address.Module("fee")), Authority: provGov})
	g := provider.DefaultGenesis()
	g.Params.BlocksPerEpoch = 5
	if err := p.InitGenesis(ms.Working(), g, nil, provT0); err != nil {
		t.Fatal(err)
	}
	return &provChain{t: t, ms: ms, p: p, height: 1}
}

func (c *provChain) now() time.Time { return provT0.Add(time.Duration(c.height-1) * 6 * time.Second) }

// msg delivers m signed by signer in the current block.
func (c *provChain) msg(signer []byte, m gogoproto.Message) error {
	bz, err := gogoproto.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	_, err = c.p.HandleMsg(c.ms.Working(), Block{Height: c.height, Time: c.now()}, signer, TypeURL(m), bz)
	return err
}

func (c *provChain) mustMsg(signer []byte, m gogoproto.Message) {
	c.t.Helper()
	if err := c.msg(signer, m); err != nil {
		c.t.Fatalf("%s: %v", TypeURL(m), err)
	}
}

// commit ends the current block and commits it.
func (c *provChain) commit() {
	c.t.Helper()
	h := sha256.Sum256(fmt.Appendf(nil, "header %d", c.height))
	if _, err := c.p.EndBlock(c.ms.Working(), Block{Height: c.height, Time: c.now(), AppHash: h[:], NextValidatorsHash: h[:]}); err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.ms.Commit(); err != nil {
		c.t.Fatal(err)
	}
	c.height++
}

func (c *provChain) view(version int64) *state.View {
	c.t.Helper()
	v, err := c.ms.View(version)
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

// query answers path on the latest committed version into out.
func (c *provChain) query(path string, out any) error {
	bz, err := c.p.Query(c.view(0), path, c.now())
	if err != nil {
		return err
	}
	if err := json.Unmarshal(bz, out); err != nil {
		c.t.Fatalf("%s answered %s: %v", path, bz, err)
	}
	return nil
}

func infraction() *registry.InfractionParameters {
	return &registry.InfractionParameters{
		DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(1, 5), JailDuration: 2 * time.Hour},
		Downtime:   registry.InfractionParams{SlashFraction: fraction.New(1, 10), JailDuration: time.Hour},
	}
}

func initParams(spawn time.Time) *registry.ConsumerInitializationParameters {
	return &registry.ConsumerInitializationParameters{SpawnTime: spawn.UnixNano(), InitialHeight: 1, Params: ccv.DefaultConsumerParams()}
}

// TestProviderConsumerQueries creates, through the layer's messages, an
// opt-in consumer that launches and a registered one, and reads them back
// through the consumer, validator-consumers and epoch queries.
func TestProviderConsumerQueries(t *testing.T) {
	c := newProvChain(t)
	ckey := sha256.Sum256([]byte("consumer key of validator 0"))
	c.mustMsg(provAlice, &registry.MsgCreateConsumer{Submitter: provAlice, ChainId: "launched",
		Metadata:                 registry.ConsumerMetadata{Name: "L", Description: "launches"},
		InitializationParameters: initParams(c.now()),
		PowerShapingParameters:   &registry.PowerShapingParameters{Allowlist: [][]byte{provAddr(0), provAddr(1)}, ValidatorSetCap: 5},
		InfractionParameters:     infraction()})
	c.mustMsg(provAlice, &registry.MsgCreateConsumer{Submitter: provAlice, ChainId: "registered"})
	c.mustMsg(provOperator(0), &registry.MsgOptIn{Operator: provOperator(0), ConsumerId: "0", ConsumerKey: ckey[:]})
	c.mustMsg(provOperator(1), &registry.MsgOptIn{Operator: provOperator(1), ConsumerId: "0"})
	c.mustMsg(provOperator(0), &registry.MsgOptIn{Operator: provOperator(0), ConsumerId: "1"})
	c.mustMsg(provOperator(0), &registry.MsgSetConsumerCommissionRate{Operator: provOperator(0), ConsumerId: "0", Rate: fraction.New(5, 100)})
	c.commit()

	var d ConsumerDetailJSON
	if err := c.query("/provider/consumer/0", &d); err != nil {
		t.Fatal(err)
	}
	if d.ConsumerID != "0" || d.ChainID != "launched" || d.Phase != "launched" || d.Owner != address.Encode("cosmos", provAlice) ||
		d.TopN != 0 || d.Validators != 2 || d.ClientID == "" || d.SpawnTime != provT0.Format(time.RFC3339Nano) || d.LaunchHeight != 1 {
		t.Fatalf("consumer 0: %+v", d.ConsumerJSON)
	}
	if want := []string{valcons(provAddr(0)), valcons(provAddr(1))}; !slices.Equal(d.PowerShaping.Allowlist, want) ||
		d.PowerShaping.ValidatorSetCap != 5 || d.PowerShaping.Denylist == nil || len(d.PowerShaping.Denylist) != 0 {
		t.Fatalf("power shaping %+v", d.PowerShaping)
	}
	opted := slices.Clone(d.OptedIn)
	slices.Sort(opted)
	want := []string{valcons(provAddr(0)), valcons(provAddr(1))}
	slices.Sort(want)
	if !slices.Equal(opted, want) {
		t.Fatalf("opted in %v, want %v", d.OptedIn, want)
	}
	keys := map[string]string{}
	for _, v := range d.ValidatorSet {
		keys[v.ProviderAddress] = v.ConsumerKey
		if v.Power != 10 {
			t.Fatalf("member %+v", v)
		}
	}
	if len(keys) != 2 || keys[valcons(provAddr(0))] != hex.EncodeToString(ckey[:]) || keys[valcons(provAddr(1))] != hex.EncodeToString(provKey(1)) {
		t.Fatalf("validator set %+v", d.ValidatorSet)
	}
	var ip registry.InfractionParameters
	if err := jsonpb.Unmarshal(bytes.NewReader(d.Infraction), &ip); err != nil || !reflect.DeepEqual(ip, *infraction()) {
		t.Fatalf("infraction parameters %s: %v", d.Infraction, err)
	}
	var md registry.ConsumerMetadata
	if err := jsonpb.Unmarshal(bytes.NewReader(d.Metadata), &md); err != nil || md.Name != "L" || md.Description != "launches" {
		t.Fatalf("metadata %s: %v", d.Metadata, err)
	}
	var init registry.ConsumerInitializationParameters
	if err := jsonpb.Unmarshal(bytes.NewReader(d.Initialization), &init); err != nil || !reflect.DeepEqual(init, *initParams(provT0)) {
		t.Fatalf("initialization parameters %s: %v", d.Initialization, err)
	}

	var r ConsumerDetailJSON
	if err := c.query("/provider/consumer/1", &r); err != nil {
		t.Fatal(err)
	}
	if r.Phase != "registered" || r.ChainID != "registered" || r.Validators != 0 || r.ValidatorSet == nil || len(r.ValidatorSet) != 0 ||
		!slices.Equal(r.OptedIn, []string{valcons(provAddr(0))}) || r.SpawnTime != "" || r.ClientID != "" {
		t.Fatalf("consumer 1: %+v", r)
	}
	for _, id := range []string{"2", "99", "01", "-1", "x", ""} {
		if err := c.query("/provider/consumer/"+id, &r); !errors.Is(err, provider.ErrConsumerNotFound) {
			t.Errorf("consumer %q: %v", id, err)
		}
	}

	// What validator 0 runs: consumer 0 under its consumer key, with its
	// commission; consumer 1 opted in, not in a set yet, under its
	// provider key. Its hex address answers the same.
	var vc []ValidatorConsumerJSON
	if err := c.query("/provider/validator-consumers/"+valcons(provAddr(0)), &vc); err != nil {
		t.Fatal(err)
	}
	wantVC := []ValidatorConsumerJSON{
		{ConsumerID: "0", ChainID: "launched", Phase: "launched", OptedIn: true, InSet: true, Power: 10,
			ConsumerKey: hex.EncodeToString(ckey[:]), ConsumerAddress: valcons(consumer.ConsAddress(ckey[:])), Commission: "0.05"},
		{ConsumerID: "1", ChainID: "registered", Phase: "registered", OptedIn: true,
			ConsumerKey: hex.EncodeToString(provKey(0)), ConsumerAddress: valcons(provAddr(0))},
	}
	if !reflect.DeepEqual(vc, wantVC) {
		t.Fatalf("validator 0 runs %+v, want %+v", vc, wantVC)
	}
	var byHex []ValidatorConsumerJSON
	if err := c.query("/provider/validator-consumers/"+strings.ToUpper(hex.EncodeToString(provAddr(0))), &byHex); err != nil || !reflect.DeepEqual(byHex, wantVC) {
		t.Fatalf("by hex: %+v, %v", byHex, err)
	}
	if err := c.query("/provider/validator-consumers/"+valcons(provAddr(2)), &vc); err != nil || vc == nil || len(vc) != 0 {
		t.Fatalf("validator 2 runs %+v, %v", vc, err)
	}
	if err := c.query("/provider/validator-consumers/"+valcons(provAddr(7)), &vc); !errors.Is(err, provider.ErrValidatorNotFound) {
		t.Fatalf("unknown validator: %v", err)
	}
	for _, bad := range []string{"", "garbage", address.Encode("cosmos", provAddr(0)), hex.EncodeToString(provAddr(0)[:19])} {
		if err := c.query("/provider/validator-consumers/"+bad, &vc); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("validator %q: %v", bad, err)
		}
	}

	// The epoch query reads the height of the queried version.
	for c.height <= 7 {
		c.commit()
	}
	for version := int64(1); version <= 7; version++ {
		bz, err := c.p.Query(c.view(version), PathEpoch, c.now())
		if err != nil {
			t.Fatalf("epoch at %d: %v", version, err)
		}
		var e EpochJSON
		if err := json.Unmarshal(bz, &e); err != nil {
			t.Fatal(err)
		}
		if want := (EpochJSON{Height: version, BlocksPerEpoch: 5, BlocksLeft: 5 - version%5}); e != want {
			t.Fatalf("epoch at %d: %+v, want %+v", version, e, want)
		}
	}
	for name, s := range map[string]state.Store{"working": c.ms.Working(), "cache": state.NewCache(c.view(0))} {
		if _, err := c.p.Query(s, PathEpoch, c.now()); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("epoch on a %s store: %v", name, err)
		}
	}
}

// TestProviderProposals checks the proposal contents the provider layer
// gives governance: the consumer messages are refused by Check unless
// governance is their submitter or owner, executed as governance, and a
// refused execution changes nothing.
func TestProviderProposals(t *testing.T) {
	byURL := map[string]Proposal{}
	for _, p := range newProvChain(t).p.Proposals() {
		byURL[p.TypeURL] = p
	}
	var urls []string
	for u := range byURL {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	wantURLs := []string{TypeURL(&provider.ConsumerAdditionProposal{}), TypeURL(&provider.ConsumerRemovalProposal{}),
		TypeURL(&registry.MsgCreateConsumer{}), TypeURL(&registry.MsgRemoveConsumer{}), TypeURL(&registry.MsgUpdateConsumer{}),
		TypeURL(&registry.MsgChangeRewardDenoms{})}
	slices.Sort(wantURLs)
	if !slices.Equal(urls, wantURLs) {
		t.Fatalf("proposal contents %v, want %v", urls, wantURLs)
	}

	create := func(submitter []byte, chainID string, topN uint32) *registry.MsgCreateConsumer {
		return &registry.MsgCreateConsumer{Submitter: submitter, ChainId: chainID, InitializationParameters: initParams(provT0.Add(time.Hour)),
			PowerShapingParameters: &registry.PowerShapingParameters{TopN: topN}}
	}
	addition := &provider.ConsumerAdditionProposal{ChainId: "added", SpawnTime: provT0.Add(time.Hour).UnixNano(), InitialHeight: 1,
		Params: ccv.DefaultConsumerParams(), PowerShaping: registry.PowerShapingParameters{TopN: 100}}
	removeGov := func(c *provChain) {
		bz, _ := gogoproto.Marshal(&registry.MsgRemoveConsumer{Owner: provGov, ConsumerId: "1"})
		if _, err := byURL[TypeURL(&registry.MsgRemoveConsumer{})].Execute(c.ms.Working(), c.height, c.now(), bz); err != nil {
			c.t.Fatal(err)
		}
	}
	// In the fixture alice owns consumer 0 (registered) and governance
	// consumer 1 (top-N 100, initialized).
	type proposalCase struct {
		name      string
		content   gogoproto.Message
		raw       []byte // content bytes instead of content
		url       string // the type URL of raw
		check     error  // Check's error
		execute   error  // Execute's error
		setup     func(c *provChain)
		afterward func(t *testing.T, c *provChain)
	}
	cases := []proposalCase{
		{name: "create by governance", content: create(provGov, "new", 100), afterward: func(t *testing.T, c *provChain) {
			if got, ok := c.p.Keeper.Consumer(c.ms.Working(), "2"); !ok || !bytes.Equal(got.Owner, provGov) || got.PowerShaping.TopN != 100 ||
				got.Phase != registry.PHASE_INITIALIZED {
				t.Fatalf("created %+v", got)
			}
		}},
		{name: "create by alice", content: create(provAlice, "new", 0), check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "create with an empty chain id", content: create(provGov, "", 100), check: provider.ErrInvalidConsumer, execute: provider.ErrInvalidConsumer},
		{name: "create with top_n 49", content: create(provGov, "new", 49), check: provider.ErrInvalidConsumer, execute: provider.ErrInvalidConsumer},
		{name: "create with a chain id in use", content: create(provGov, "a", 100), execute: provider.ErrConsumerExists},
		{name: "create that does not decode", raw: []byte{0xff, 0xff}, url: TypeURL(&registry.MsgCreateConsumer{}),
			check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "update by governance", content: &registry.MsgUpdateConsumer{Owner: provGov, ConsumerId: "1",
			PowerShapingParameters: &registry.PowerShapingParameters{TopN: 80}}, afterward: func(t *testing.T, c *provChain) {
			if got, _ := c.p.Keeper.Consumer(c.ms.Working(), "1"); got.PowerShaping.TopN != 80 {
				t.Fatalf("updated %+v", got)
			}
		}},
		{name: "update signed by alice, its owner", content: &registry.MsgUpdateConsumer{Owner: provAlice, ConsumerId: "0",
			Metadata: &registry.ConsumerMetadata{Name: "x"}}, check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "update by governance of alice's consumer", content: &registry.MsgUpdateConsumer{Owner: provGov, ConsumerId: "0",
			Metadata: &registry.ConsumerMetadata{Name: "x"}}, execute: provider.ErrNotOwner},
		{name: "update handing a top-N consumer to alice", content: &registry.MsgUpdateConsumer{Owner: provGov, ConsumerId: "1", NewOwner: provAlice},
			execute: provider.ErrInvalidConsumer},
		{name: "update of consumer id 01", content: &registry.MsgUpdateConsumer{Owner: provGov, ConsumerId: "01"},
			check: provider.ErrConsumerNotFound, execute: provider.ErrConsumerNotFound},
		{name: "update of a deleted consumer", content: &registry.MsgUpdateConsumer{Owner: provGov, ConsumerId: "1",
			Metadata: &registry.ConsumerMetadata{Name: "x"}}, setup: removeGov, execute: provider.ErrConsumerNotFound},
		{name: "update that does not decode", raw: []byte{0x12, 0x05, 'a'}, url: TypeURL(&registry.MsgUpdateConsumer{}),
			check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "remove by governance", content: &registry.MsgRemoveConsumer{Owner: provGov, ConsumerId: "1"}, afterward: func(t *testing.T, c *provChain) {
			if got, _ := c.p.Keeper.Consumer(c.ms.Working(), "1"); got.Phase != registry.PHASE_DELETED {
				t.Fatalf("removed %+v", got)
			}
		}},
		{name: "remove signed by alice, its owner", content: &registry.MsgRemoveConsumer{Owner: provAlice, ConsumerId: "0"},
			check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "remove by governance of alice's consumer", content: &registry.MsgRemoveConsumer{Owner: provGov, ConsumerId: "0"}, execute: provider.ErrNotOwner},
		{name: "remove of an unknown consumer", content: &registry.MsgRemoveConsumer{Owner: provGov, ConsumerId: "7"}, execute: provider.ErrConsumerNotFound},
		{name: "remove of a deleted consumer", content: &registry.MsgRemoveConsumer{Owner: provGov, ConsumerId: "1"}, setup: removeGov,
			execute: provider.ErrConsumerNotFound},
		{name: "remove that does not decode", raw: []byte{0x0a}, url: TypeURL(&registry.MsgRemoveConsumer{}),
			check: provider.ErrInvalidProposal, execute: provider.ErrInvalidProposal},
		{name: "addition", content: addition, afterward: func(t *testing.T, c *provChain) {
			if got, ok := c.p.Keeper.ConsumerByChainID(c.ms.Working(), "added"); !ok || !bytes.Equal(got.Owner, provGov) {
				t.Fatalf("added %+v", got)
			}
		}},
		{name: "removal of alice's consumer", content: &provider.ConsumerRemovalProposal{ConsumerId: "0", StopTime: provT0.Add(time.Hour).UnixNano()},
			afterward: func(t *testing.T, c *provChain) {
				if got, _ := c.p.Keeper.Consumer(c.ms.Working(), "0"); got.StopTime != provT0.Add(time.Hour).UnixNano() {
					t.Fatalf("consumer to remove %+v", got)
				}
			}},
	}
	for _, b := range []struct {
		name string
		mut  func(m *registry.MsgCreateConsumer)
	}{
		{"top_n 1", func(m *registry.MsgCreateConsumer) { m.PowerShapingParameters.TopN = 1 }},
		{"top_n 101", func(m *registry.MsgCreateConsumer) { m.PowerShapingParameters.TopN = 101 }},
		{"power cap 101", func(m *registry.MsgCreateConsumer) { m.PowerShapingParameters.ValidatorsPowerCap = 101 }},
		{"address in allowlist and denylist", func(m *registry.MsgCreateConsumer) {
			m.PowerShapingParameters.Allowlist, m.PowerShapingParameters.Denylist = [][]byte{provAddr(0)}, [][]byte{provAddr(0)}
		}},
		{"duplicate in prioritylist", func(m *registry.MsgCreateConsumer) {
			m.PowerShapingParameters.Prioritylist = [][]byte{provAddr(1), provAddr(1)}
		}},
		{"negative spawn time", func(m *registry.MsgCreateConsumer) { m.InitializationParameters.SpawnTime = -1 }},
		{"zero initial height", func(m *registry.MsgCreateConsumer) { m.InitializationParameters.InitialHeight = 0 }},
		{"fraction with denominator 0", func(m *registry.MsgCreateConsumer) {
			m.InitializationParameters.Params.MinSignedPerWindow = fraction.New(1, 0)
		}},
		{"negative jail duration", func(m *registry.MsgCreateConsumer) {
			m.InfractionParameters = infraction()
			m.InfractionParameters.Downtime.JailDuration = -time.Hour
		}},
		{"slash fraction above one", func(m *registry.MsgCreateConsumer) {
			m.InfractionParameters = infraction()
			m.InfractionParameters.DoubleSign.SlashFraction = fraction.New(2, 1)
		}},
	} {
		m := create(provGov, "new", 100)
		b.mut(m)
		cases = append(cases, proposalCase{name: "create with " + b.name, content: m, check: provider.ErrInvalidConsumer, execute: provider.ErrInvalidConsumer})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newProvChain(t)
			c.mustMsg(provAlice, &registry.MsgCreateConsumer{Submitter: provAlice, ChainId: "a"})
			gov := create(provGov, "g", 100)
			bz, _ := gogoproto.Marshal(gov)
			if _, err := byURL[TypeURL(gov)].Execute(c.ms.Working(), c.height, c.now(), bz); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(c)
			}
			content, url := tc.raw, tc.url
			if tc.content != nil {
				content, _ = gogoproto.Marshal(tc.content)
				url = TypeURL(tc.content)
			}
			p := byURL[url]
			if err := p.Check(content); !errors.Is(err, tc.check) || (tc.check == nil) != (err == nil) {
				t.Fatalf("Check: %v, want %v", err, tc.check)
			}
			before := c.ms.WorkingHash()
			_, err := p.Execute(c.ms.Working(), c.height, c.now(), content)
			if !errors.Is(err, tc.execute) || (tc.execute == nil) != (err == nil) {
				t.Fatalf("Execute: %v, want %v", err, tc.execute)
			}
			if after := c.ms.WorkingHash(); (err != nil) != bytes.Equal(before, after) {
				t.Fatalf("Execute (error %v) changed the store: %v", err, !bytes.Equal(before, after))
			}
			if err != nil && !errors.Is(err, provider.ErrInvalidProposal) && tc.check != nil {
				t.Fatalf("Execute refused what Check refuses with another error: %v", err)
			}
			if tc.afterward != nil {
				tc.afterward(t, c)
			}
		})
	}
}
