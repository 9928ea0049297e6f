package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

const (
	stakingStore    = "staking"
	providerChainID = "provider-1"
	feePool         = "cosmos1feepool"
	blockTime       = 6 * time.Second
	unbondingPeriod = 21 * 24 * time.Hour
)

var t0 = time.Unix(1_700_000_000, 0).UTC()

// pubKeyOf returns validator i's provider consensus key; any 32 bytes are
// an ed25519 public key as far as the provider is concerned.
func pubKeyOf(i int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "validator %d", i))
	return h[:]
}

// consumerKeyOf returns the n-th consumer key validator i may assign.
func consumerKeyOf(i, n int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "consumer key %d of validator %d", n, i))
	return h[:]
}

func addrOfKey(pk []byte) []byte { return ed25519.PubKey(pk).Address() }
func consAddrOf(i int) []byte    { return addrOfKey(pubKeyOf(i)) }
func operatorOf(i int) []byte    { return fmt.Appendf(nil, "operator-%03d", i) }

// fakeStaking keeps its validators in the "staking" store, so that a
// discarded cache discards its changes too, and records the calls the
// provider makes. A jailed or tombstoned validator stays in the bonded set
// until endBlock, as chain/staking's does until its EndBlock.
type fakeStaking struct {
	jails      [][]byte
	jailUntil  []time.Time
	slashes    []slashCall
	tombstones [][]byte
	jailErr    error
}

type slashCall struct {
	addr                    []byte
	infractionHeight, power int64
	frac                    fraction.Fraction
	height                  int64
}

type stakingRecord struct {
	Operator []byte
	V        Validator
}

func (f *fakeStaking) put(s state.Store, op []byte, v Validator) {
	bz, err := json.Marshal(stakingRecord{Operator: op, V: v})
	if err != nil {
		panic(err)
	}
	s.KV(stakingStore).Set(append([]byte{1}, v.ConsAddr...), bz)
}

func (f *fakeStaking) get(s state.Store, consAddr []byte) (stakingRecord, bool) {
	bz := s.KV(stakingStore).Get(append([]byte{1}, consAddr...))
	if bz == nil {
		return stakingRecord{}, false
	}
	var r stakingRecord
	if err := json.Unmarshal(bz, &r); err != nil {
		panic(err)
	}
	return r, true
}

func (f *fakeStaking) all(s state.Store) []stakingRecord {
	it := s.KV(stakingStore).Iterator([]byte{1}, []byte{2})
	defer it.Close()
	var out []stakingRecord
	for ; it.Valid(); it.Next() {
		var r stakingRecord
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			panic(err)
		}
		out = append(out, r)
	}
	return out
}

// update applies fn to the validator with consensus address consAddr.
func (f *fakeStaking) update(s state.Store, consAddr []byte, fn func(*Validator)) error {
	r, ok := f.get(s, consAddr)
	if !ok {
		return fmt.Errorf("fake staking: no validator %X", consAddr)
	}
	fn(&r.V)
	f.put(s, r.Operator, r.V)
	return nil
}

// endBlock removes jailed and tombstoned validators from the bonded set.
func (f *fakeStaking) endBlock(s state.Store) {
	for _, r := range f.all(s) {
		if r.V.Bonded && (r.V.Jailed || r.V.Tombstoned) {
			r.V.Bonded = false
			f.put(s, r.Operator, r.V)
		}
	}
}

// Candidates returns the bonded validators, then the unbonded ones with
// power that are not jailed or tombstoned.
func (f *fakeStaking) Candidates(s state.Store) []Validator {
	out := f.BondedValidators(s)
	for _, r := range f.all(s) {
		if !r.V.Bonded && r.V.Power > 0 && !r.V.Jailed && !r.V.Tombstoned {
			out = append(out, r.V)
		}
	}
	return out
}

func (f *fakeStaking) BondedValidators(s state.Store) []Validator {
	var out []Validator
	for _, r := range f.all(s) {
		if r.V.Bonded && r.V.Power > 0 {
			out = append(out, r.V)
		}
	}
	return out
}

func (f *fakeStaking) ValidatorByConsAddr(s state.Store, consAddr []byte) (Validator, bool) {
	r, ok := f.get(s, consAddr)
	return r.V, ok
}

func (f *fakeStaking) ValidatorByOperator(s state.Store, operator []byte) (Validator, bool) {
	for _, r := range f.all(s) {
		if bytes.Equal(r.Operator, operator) {
			return r.V, true
		}
	}
	return Validator{}, false
}

func (f *fakeStaking) Jail(s state.Store, consAddr []byte, until time.Time) error {
	if f.jailErr != nil {
		return f.jailErr
	}
	f.jails = append(f.jails, bytes.Clone(consAddr))
	f.jailUntil = append(f.jailUntil, until)
	return f.update(s, consAddr, func(v *Validator) { v.Jailed = true })
}

func (f *fakeStaking) Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error) {
	f.slashes = append(f.slashes, slashCall{bytes.Clone(consAddr), infractionHeight, power, frac, height})
	burn := int64(frac.MulFloor(uint64(power)))
	return uint64(burn), f.update(s, consAddr, func(v *Validator) { v.Power -= burn })
}

func (f *fakeStaking) Tombstone(s state.Store, consAddr []byte) error {
	f.tombstones = append(f.tombstones, bytes.Clone(consAddr))
	return f.update(s, consAddr, func(v *Validator) { v.Tombstoned = true })
}

// calls is the number of state-changing calls the provider made.
func (f *fakeStaking) calls() int { return len(f.jails) + len(f.slashes) + len(f.tombstones) }

// fakeUnbonding is an unbonding queue in memory: entries leave a
// validator, and holds are (entry, holder) pairs.
type fakeUnbonding struct {
	period   time.Duration
	entries  map[uint64][]byte
	holds    map[uint64]map[string]bool
	puts     []holdCall
	releases []holdCall
}

type holdCall struct {
	id     uint64
	holder string
}

func (f *fakeUnbonding) UnbondingPeriod(state.Store) time.Duration { return f.period }

func (f *fakeUnbonding) EntryValidator(_ state.Store, id uint64) ([]byte, bool) {
	a, ok := f.entries[id]
	return a, ok
}

func (f *fakeUnbonding) PutOnHold(_ state.Store, id uint64, holder string) error {
	if _, ok := f.entries[id]; !ok {
		return fmt.Errorf("fake unbonding: no entry %d", id)
	}
	if f.holds[id] == nil {
		f.holds[id] = map[string]bool{}
	}
	f.holds[id][holder] = true
	f.puts = append(f.puts, holdCall{id, holder})
	return nil
}

func (f *fakeUnbonding) ReleaseHold(_ state.Store, id uint64, holder string) error {
	f.releases = append(f.releases, holdCall{id, holder})
	if !f.holds[id][holder] {
		return fmt.Errorf("fake unbonding: entry %d is not held by %s", id, holder)
	}
	delete(f.holds[id], holder)
	return nil
}

// heldBy returns the entries holder holds, in id order.
func (f *fakeUnbonding) heldBy(holder string) []uint64 {
	var out []uint64
	for id := range uint64(1000) {
		if f.holds[id][holder] {
			out = append(out, id)
		}
	}
	return out
}

// fakeClients creates clients 07-tendermint-0, 1, ... of the states that
// ibc/client accepts, and verifies headers as told.
type fakeClients struct {
	created   []*ibctm.ClientState
	consensus []*ibctm.ConsensusState
	createErr error
	verifyErr error
}

func (f *fakeClients) CreateClient(_ state.Store, _ int64, _ time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error) {
	if f.createErr != nil {
		return "", f.createErr
	}
	if err := client.ValidateClientState(cs); err != nil {
		return "", err
	}
	if err := client.ValidateConsensusState(cons); err != nil {
		return "", err
	}
	id := fmt.Sprintf("07-tendermint-%d", len(f.created))
	f.created = append(f.created, cs)
	f.consensus = append(f.consensus, cons)
	return id, nil
}

func (f *fakeClients) VerifyHeader(state.Store, string, time.Time, *ibctm.Header) error {
	return f.verifyErr
}

func (f *fakeClients) TrackedChain(_ state.Store, id string, _ time.Time) (string, bool) {
	for i, cs := range f.created {
		if id == fmt.Sprintf("07-tendermint-%d", i) {
			return cs.ChainId, true
		}
	}
	return "", false
}

// fakeChannels records what the provider sends and closes.
type fakeChannels struct {
	conns   map[string]string // connection -> client
	open    map[string]bool   // provider channel id -> open
	nextSeq uint64
	sent    []channeltypes.Packet
	closed  []string
	sendErr error
}

func (f *fakeChannels) SendPacket(_ state.Store, _ int64, _ time.Time, port, ch string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error) {
	if f.sendErr != nil {
		return 0, nil, f.sendErr
	}
	if timeoutHeight.IsZero() && timeoutTimestamp == 0 {
		return 0, nil, errors.New("fake channels: packet without a timeout")
	}
	if !f.open[ch] || port != ccv.ProviderPortID {
		return 0, nil, fmt.Errorf("fake channels: %s/%s is not open", port, ch)
	}
	f.nextSeq++
	f.sent = append(f.sent, channeltypes.Packet{Sequence: f.nextSeq, SourcePort: port, SourceChannel: ch,
		DestinationPort: ccv.ConsumerPortID, Data: bytes.Clone(data), TimeoutTimestamp: timeoutTimestamp})
	return f.nextSeq, []abci.Event{{Type: "send_packet"}}, nil
}

func (f *fakeChannels) ChanCloseInit(_ state.Store, _ time.Time, port, ch string) ([]abci.Event, error) {
	f.closed = append(f.closed, port+"/"+ch)
	f.open[ch] = false
	return []abci.Event{{Type: "channel_close_init"}}, nil
}

func (f *fakeChannels) Connection(_ state.Store, conn string) (connectiontypes.ConnectionEnd, bool) {
	c, ok := f.conns[conn]
	return connectiontypes.ConnectionEnd{ClientId: c, State: connectiontypes.OPEN}, ok
}

func (f *fakeChannels) ChannelOpen(_ state.Store, port, ch string) bool {
	return port == ccv.ProviderPortID && f.open[ch]
}

// vscsTo decodes the VSC packets sent on channel ch since index from.
func (f *fakeChannels) vscsTo(t testing.TB, ch string, from int) []ccv.ValidatorSetChangePacketData {
	t.Helper()
	var out []ccv.ValidatorSetChangePacketData
	for _, p := range f.sent[from:] {
		if p.SourceChannel != ch {
			continue
		}
		d, err := ccv.DecodeValidatorSetChange(p.Data)
		if err != nil {
			t.Fatalf("sent packet %d does not decode: %v", p.Sequence, err)
		}
		out = append(out, d)
	}
	return out
}

// harness is a provider chain: a multistore over memdb with the provider
// and staking stores, a keeper over the fakes, and a clock. height and now
// are those of the block being built.
type harness struct {
	t      testing.TB
	ms     *state.MultiStore
	s      state.Store
	k      *Keeper
	st     *fakeStaking
	ub     *fakeUnbonding
	cl     *fakeClients
	ch     *fakeChannels
	height int64
	now    time.Time
	seq    uint64
	nextCh int
	events []abci.Event      // returned by the packet callbacks run through recv
	ids    map[string]string // chain id -> consumer id of its latest consumer
}

// testParams are the default parameters with epochs of 5 blocks.
func testParams() Params {
	p := DefaultParams()
	p.BlocksPerEpoch = 5
	return p
}

// newHarness returns a provider at height 1 with n bonded validators of
// power 10 and the genesis parameters p.
func newHarness(t testing.TB, n int, p Params) *harness {
	t.Helper()
	powers := make([]int64, n)
	for i := range powers {
		powers[i] = 10
	}
	return newHarnessWith(t, powers, p)
}

// newHarnessWith returns a provider at height 1 with a bonded validator i
// of power powers[i] for each i, and the genesis parameters p.
func newHarnessWith(t testing.TB, powers []int64, p Params) *harness {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName, stakingStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	h := &harness{t: t, ms: ms, s: ms.Working(), height: 1, now: t0,
		st: &fakeStaking{},
		ub: &fakeUnbonding{period: unbondingPeriod, entries: map[uint64][]byte{}, holds: map[uint64]map[string]bool{}},
		cl: &fakeClients{},
		ch: &fakeChannels{conns: map[string]string{}, open: map[string]bool{}},
	}
	h.k = &Keeper{Staking: h.st, Unbonding: h.ub, Clients: h.cl, Channels: h.ch,
		ChainID: providerChainID, FeePoolAddr: feePool, Prefix: "cosmos", Authority: govAddr}
	h.ids = map[string]string{}
	for i, power := range powers {
		h.addValidator(i, power)
	}
	if err := h.k.InitGenesis(h.s, &GenesisState{Params: p}, h.now); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) addValidator(i int, power int64) {
	h.st.put(h.s, operatorOf(i), Validator{ConsAddr: consAddrOf(i), PubKey: pubKeyOf(i), Power: power, Bonded: true})
}

// block ends the current block (staking first, then the provider) and
// moves to the next height and time.
func (h *harness) block() []abci.Event {
	h.t.Helper()
	h.st.endBlock(h.s)
	evs, err := h.k.EndBlock(h.s, h.header())
	if err != nil {
		h.t.Fatalf("EndBlock at height %d: %v", h.height, err)
	}
	h.height++
	h.now = h.now.Add(blockTime)
	return evs
}

func (h *harness) header() Block {
	app := sha256.Sum256(fmt.Appendf(nil, "app hash %d", h.height))
	nv := sha256.Sum256(fmt.Appendf(nil, "next validators %d", h.height))
	return Block{Height: h.height, Time: h.now, AppHash: app[:], NextValidatorsHash: nv[:]}
}

// blocksUntil ends blocks until the current one is at height at least
// target.
func (h *harness) blocksUntil(target int64) {
	for h.height < target {
		h.block()
	}
}

// govAddr is the governance account of the tests' provider.
var govAddr = bytes.Repeat([]byte{0x60}, 20)

// proposal returns an addition proposal of a top-N 100 consumer: every
// validator validates it, as before partial set security.
func proposal(chainID string, spawn time.Time) ConsumerAdditionProposal {
	return ConsumerAdditionProposal{ChainId: chainID, SpawnTime: spawn.UnixNano(), InitialHeight: 1, Params: ccv.DefaultConsumerParams(),
		PowerShaping: registry.PowerShapingParameters{TopN: 100}}
}

// id returns the consumer id of the latest consumer created with chainID
// (or chainID itself when there is none: an unknown id).
func (h *harness) id(chainID string) string {
	if id, ok := h.ids[chainID]; ok {
		return id
	}
	return chainID
}

// created records the consumer id of chainID after a creation.
func (h *harness) created(chainID string) {
	h.t.Helper()
	c, ok := h.k.ConsumerByChainID(h.s, chainID)
	if !ok {
		h.t.Fatalf("no live consumer %s after its creation", chainID)
	}
	h.ids[chainID] = c.ConsumerId
}

func (h *harness) add(chainID string, spawn time.Time) {
	h.t.Helper()
	p := proposal(chainID, spawn)
	if _, err := h.k.ExecuteAddition(h.s, h.height, h.now, mustMarshal(&p)); err != nil {
		h.t.Fatalf("ExecuteAddition(%s): %v", chainID, err)
	}
	h.created(chainID)
}

func (h *harness) remove(chainID string, stop time.Time) {
	h.t.Helper()
	p := ConsumerRemovalProposal{ConsumerId: h.id(chainID), StopTime: stop.UnixNano()}
	if _, err := h.k.ExecuteRemoval(h.s, h.height, h.now, mustMarshal(&p)); err != nil {
		h.t.Fatalf("ExecuteRemoval(%s): %v", chainID, err)
	}
}

// assign assigns key to validator i on chainID.
func (h *harness) assign(i int, chainID string, key []byte) {
	h.t.Helper()
	m := &MsgAssignConsumerKey{Operator: operatorOf(i), ConsumerId: h.id(chainID), ConsumerKey: key}
	if _, err := h.k.HandleAssignConsumerKey(h.s, h.height, h.now, operatorOf(i), m); err != nil {
		h.t.Fatalf("assign a key to validator %d on %s: %v", i, chainID, err)
	}
}

func (h *harness) consumer(chainID string) registry.Consumer {
	h.t.Helper()
	c, ok := h.k.Consumer(h.s, h.id(chainID))
	if !ok {
		h.t.Fatalf("consumer %s not found", chainID)
	}
	return c
}

// launch registers chainID with spawn time now and ends the block, which
// launches it.
func (h *harness) launch(chainID string) registry.Consumer {
	h.t.Helper()
	h.add(chainID, h.now)
	h.block()
	c := h.consumer(chainID)
	if c.Phase != registry.PHASE_LAUNCHED {
		h.t.Fatalf("consumer %s in phase %s after spawn time", chainID, c.Phase)
	}
	return c
}

func connOf(chainID string) string { return "connection-" + chainID }

// tryChannel runs the provider's try step for a launched consumer on a new
// channel id, which it returns.
func (h *harness) tryChannel(chainID string) string {
	h.t.Helper()
	c := h.consumer(chainID)
	h.ch.conns[connOf(chainID)] = c.ClientId
	chID := fmt.Sprintf("channel-%d", h.nextCh)
	h.nextCh++
	v, err := h.k.OnChanOpenTry(h.s, channeltypes.ORDERED, []string{connOf(chainID)}, ccv.ProviderPortID, chID,
		channeltypes.NewCounterparty(ccv.ConsumerPortID, "channel-c"), ccv.Version)
	if err != nil {
		h.t.Fatalf("OnChanOpenTry(%s): %v", chainID, err)
	}
	if want := string(ccv.HandshakeMetadata{ProviderFeePoolAddr: feePool, Version: ccv.Version}.Bytes()); v != want {
		h.t.Fatalf("OnChanOpenTry version %q, want %q", v, want)
	}
	return chID
}

// confirm opens channel chID and makes its consumer running.
func (h *harness) confirm(chID string) {
	h.t.Helper()
	h.ch.open[chID] = true
	if err := h.k.OnChanOpenConfirm(h.s, ccv.ProviderPortID, chID); err != nil {
		h.t.Fatalf("OnChanOpenConfirm(%s): %v", chID, err)
	}
}

// run launches chainID, opens its channel and ends the block that records
// its init height. It returns the channel id.
func (h *harness) run(chainID string) string {
	h.t.Helper()
	h.launch(chainID)
	chID := h.tryChannel(chainID)
	h.confirm(chID)
	h.block()
	if c := h.consumer(chainID); c.Phase != registry.PHASE_RUNNING || c.InitHeight == 0 {
		h.t.Fatalf("consumer %s: phase %s, init height %d", chainID, c.Phase, c.InitHeight)
	}
	return chID
}

// packet returns a consumer packet carrying data to the provider's
// channel chID.
func (h *harness) packet(chID string, data []byte) channeltypes.Packet {
	h.seq++
	return channeltypes.NewPacket(data, h.seq, ccv.ConsumerPortID, "channel-c", ccv.ProviderPortID, chID,
		clienttypes.ZeroHeight(), uint64(h.now.Add(time.Hour).UnixNano()))
}

// recv delivers data on chID straight to the working store: the keeper
// itself must write nothing for a refused packet.
func (h *harness) recv(chID string, data []byte) channeltypes.Acknowledgement {
	h.t.Helper()
	ack, evs := h.k.OnRecvPacket(h.s, h.height, h.now, h.packet(chID, data), []byte("relayer"))
	h.events = append(h.events, evs...)
	return ack
}

// takeEvents returns the events recv collected since the last call.
func (h *harness) takeEvents() []abci.Event {
	evs := h.events
	h.events = nil
	return evs
}

func slashData(addr []byte, vscID uint64, inf ccv.Infraction) []byte {
	return ccv.NewSlashPacket(ccv.SlashPacketData{Validator: ccv.Validator{Address: addr, Power: 10},
		ValsetUpdateID: vscID, Infraction: inf}).Bytes()
}

func downtime(i int) []byte { return slashData(consAddrOf(i), 0, ccv.InfractionDowntime) }

func maturedData(vscID uint64) []byte {
	return ccv.NewVSCMaturedPacket(ccv.VSCMaturedPacketData{ValsetUpdateID: vscID}).Bytes()
}

// fataler is what result needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// result returns the one result byte of a successful acknowledgement.
func result(t fataler, a channeltypes.Acknowledgement) byte {
	t.Helper()
	r, ok := a.Response.(*channeltypes.Acknowledgement_Result)
	if !ok || len(r.Result) != 1 {
		t.Fatalf("ack %s is not a one-byte result", a.Acknowledgement())
	}
	return r.Result[0]
}

// dump returns every key and value of the provider store.
func dump(s state.Store) map[string]string {
	it := kv(s).Iterator(nil, nil)
	defer it.Close()
	out := map[string]string{}
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

func (h *harness) hash() []byte { return h.ms.WorkingHash() }

// mustUnchanged fails if the working hash moved since before.
func (h *harness) mustUnchanged(before []byte, what string) {
	h.t.Helper()
	if after := h.hash(); !bytes.Equal(before, after) {
		h.t.Fatalf("%s changed the store", what)
	}
}

func eventsOf(evs []abci.Event, typ string) []abci.Event {
	var out []abci.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func attr(e abci.Event, k string) string {
	for _, a := range e.Attributes {
		if a.Key == k {
			return a.Value
		}
	}
	return ""
}

// live reports whether chainID's latest consumer exists and is neither
// stopped nor deleted.
func (h *harness) live(chainID string) bool {
	c, ok := h.k.Consumer(h.s, h.id(chainID))
	return ok && c.Live()
}
