package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/internal/transcript"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// TestTranscript runs the provider transcripts of testdata/*.txt. The
// commands are described at (*provScript).run.
func TestTranscript(t *testing.T) {
	transcript.Walk(t, "testdata", func(t *testing.T) transcript.Handler {
		ps := &provScript{}
		return ps.run
	})
}

// The keeper calls. Every call the transcripts make into the provider
// keeper goes through one of these functions, so that a change of the
// keeper's signatures is adapted here and nowhere else in this file.

// callEndBlock ends the block b and returns its events.
func callEndBlock(k *Keeper, s state.Store, b Block) ([]abci.Event, error) {
	return k.EndBlock(s, b)
}

// callRecvPacket delivers a consumer packet and returns the acknowledgement
// and the events of the callback.
func callRecvPacket(k *Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet) (channeltypes.Acknowledgement, []abci.Event) {
	return k.OnRecvPacket(s, height, now, p, []byte("relayer"))
}

// callAckPacket delivers the acknowledgement of a VSC packet.
func callAckPacket(k *Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet, ack channeltypes.Acknowledgement) ([]abci.Event, error) {
	return k.OnAcknowledgementPacket(s, height, now, p, ack, []byte("relayer"))
}

// callTimeoutPacket delivers the timeout of a VSC packet.
func callTimeoutPacket(k *Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet) ([]abci.Event, error) {
	return k.OnTimeoutPacket(s, height, now, p, []byte("relayer"))
}

// callAddConsumer executes a passed consumer addition proposal.
func callAddConsumer(k *Keeper, s state.Store, height int64, now time.Time, p ConsumerAdditionProposal) error {
	_, err := k.ExecuteAddition(s, height, now, mustMarshal(&p))
	return err
}

// callOpenChannel runs the provider's try and confirm steps of the CCV
// handshake on channel chID over connection conn, and returns the version
// the provider answered.
func callOpenChannel(k *Keeper, s state.Store, conn, chID string, confirm func()) (string, error) {
	v, err := k.OnChanOpenTry(s, channeltypes.ORDERED, []string{conn}, ccv.ProviderPortID, chID,
		channeltypes.NewCounterparty(ccv.ConsumerPortID, "channel-c"), ccv.Version)
	if err != nil {
		return "", err
	}
	confirm()
	return v, k.OnChanOpenConfirm(s, ccv.ProviderPortID, chID)
}

// callAssignKey handles a MsgAssignConsumerKey signed by its operator.
func callAssignKey(k *Keeper, s state.Store, height int64, now time.Time, m *MsgAssignConsumerKey) ([]abci.Event, error) {
	return k.HandleAssignConsumerKey(s, height, now, m.Operator, m)
}

// callUnbondingInitiated is what the chain does with each unbonding id its
// staking returns.
func callUnbondingInitiated(k *Keeper, s state.Store, id uint64) error {
	return k.AfterUnbondingInitiated(s, id)
}

// provScript is a provider chain driven by a transcript: the keeper over
// the fakes of helpers_test.go, a memdb multistore, a height and a clock.
type provScript struct {
	ms     *state.MultiStore
	s      state.Store
	k      *Keeper
	st     *fakeStaking
	ub     *fakeUnbonding
	ch     *fakeChannels
	height int64
	now    time.Time
	recvSq uint64
	nextCh int
	names  map[string]string // raw bytes or bech32 -> name
	nvals  int
}

// run handles one command:
//
//	init validators=N [power=P] [epoch=B] [replenish=n/d] [replenish-period=D] [jail=D] [vsc-timeout=D]
//	add-consumer chain=C                  a passed addition, spawning now
//	open-channel chain=C                  OnChanOpenTry and OnChanOpenConfirm
//	end-block [blocks=K] [advance=D]      staking's then the provider's end of K blocks
//	set-power val=I power=P               a delegation or undelegation on the provider
//	jail val=I | unjail val=I             staking's own jailing
//	unbond val=I id=N                     a new unbonding entry of validator I
//	assign-key val=I chain=C key=K        validator I assigns key K: N (its own
//	                                      consumer key N), valJ/keyN or valJ
//	recv-matured chain=C vsc=N            a VSCMatured packet from C
//	recv-slash chain=C val=I [key=N] vsc=N [infraction=downtime|double-sign]
//	ack chain=C seq=N [error]             the acknowledgement of VSC packet N to C
//	timeout chain=C seq=N                 the timeout of VSC packet N to C
//	consumers | set chain=C | holds | meter
func (ps *provScript) run(t *testing.T, c *transcript.Command) string {
	if c.Name != "init" && ps.k == nil {
		c.Fail(t, "init first")
	}
	var b strings.Builder
	switch c.Name {
	case "init":
		ps.init(t, c)
		fmt.Fprintf(&b, "height %d, %d validators", ps.height, ps.nvals)
	case "add-consumer":
		chain := c.String("chain", "consumer-1")
		p := ConsumerAdditionProposal{ChainId: chain, SpawnTime: ps.now.UnixNano(), InitialHeight: 1, Params: ccv.DefaultConsumerParams(),
			PowerShaping: registry.PowerShapingParameters{TopN: 100}}
		ps.result(&b, nil, callAddConsumer(ps.k, ps.s, ps.height, ps.now, p))
		ps.consumers(&b)
	case "open-channel":
		chain := c.String("chain", "consumer-1")
		cons, ok := ps.k.Consumer(ps.s, ps.id(chain))
		if !ok {
			c.Fail(t, "no consumer %s", chain)
		}
		conn := "connection-" + chain
		ps.ch.conns[conn] = cons.ClientId
		chID := fmt.Sprintf("channel-%d", ps.nextCh)
		ps.nextCh++
		v, err := callOpenChannel(ps.k, ps.s, conn, chID, func() { ps.ch.open[chID] = true })
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		} else {
			fmt.Fprintf(&b, "%s open, version %s\n", chID, v)
		}
		ps.consumers(&b)
	case "end-block":
		ps.now = ps.now.Add(c.Duration(t, "advance", 0))
		for range c.Int(t, "blocks", 1) {
			ps.endBlock(&b)
		}
		if b.Len() == 0 {
			b.WriteString("nothing sent, no events")
		}
	case "set-power":
		ps.update(t, c, func(v *Validator) { v.Power = c.Int(t, "power", 0) })
		fmt.Fprintf(&b, "%s power %d", ps.val(t, c), c.Int(t, "power", 0))
	case "jail", "unjail":
		jail := c.Name == "jail"
		ps.update(t, c, func(v *Validator) {
			v.Jailed = jail
			if !jail {
				v.Bonded = true
			}
		})
		fmt.Fprintf(&b, "%s jailed=%v", ps.val(t, c), jail)
	case "unbond":
		id := uint64(c.Int(t, "id", 1))
		ps.ub.entries[id] = consAddrOf(int(c.Int(t, "val", 0)))
		mark := len(ps.ub.puts)
		ps.result(&b, nil, callUnbondingInitiated(ps.k, ps.s, id))
		ps.holdCalls(&b, "put on hold", ps.ub.puts[mark:])
	case "assign-key":
		i := int(c.Int(t, "val", 0))
		m := &MsgAssignConsumerKey{Operator: operatorOf(i), ConsumerId: ps.id(c.String("chain", "consumer-1")), ConsumerKey: ps.keyArg(t, c, i)}
		evs, err := callAssignKey(ps.k, ps.s, ps.height, ps.now, m)
		ps.result(&b, evs, err)
	case "recv-matured":
		data := ccv.NewVSCMaturedPacket(ccv.VSCMaturedPacketData{ValsetUpdateID: uint64(c.Int(t, "vsc", 0))}).Bytes()
		ps.recv(t, c, &b, data)
	case "recv-slash":
		i := int(c.Int(t, "val", 0))
		addr := consAddrOf(i)
		if c.Has("key") {
			addr = addrOfKey(ps.keyArg(t, c, i))
		}
		inf := ccv.InfractionDowntime
		if c.String("infraction", "downtime") == "double-sign" {
			inf = ccv.InfractionDoubleSign
		}
		data := ccv.NewSlashPacket(ccv.SlashPacketData{Validator: ccv.Validator{Address: addr, Power: 10},
			ValsetUpdateID: uint64(c.Int(t, "vsc", 0)), Infraction: inf}).Bytes()
		ps.recv(t, c, &b, data)
	case "ack", "timeout":
		p := ps.sentPacket(t, c)
		var evs []abci.Event
		var err error
		if c.Name == "timeout" {
			evs, err = callTimeoutPacket(ps.k, ps.s, ps.height, ps.now, p)
		} else {
			ack := channeltypes.NewResultAcknowledgement([]byte{ccv.ResultReceived})
			if c.Has("error") {
				ack = channeltypes.NewErrorAcknowledgement(fmt.Errorf("consumer refused the packet"))
			}
			evs, err = callAckPacket(ps.k, ps.s, ps.height, ps.now, p, ack)
		}
		ps.result(&b, evs, err)
		ps.consumers(&b)
	case "consumers":
		ps.consumers(&b)
	case "set":
		for _, m := range ps.k.VSC().ValidatorSet(ps.s, ps.id(c.String("chain", "consumer-1"))) {
			fmt.Fprintf(&b, "%s key=%s power=%d\n", ps.name(m.ProviderAddr), ps.name(m.ConsumerKey), m.Power)
		}
	case "holds":
		for _, h := range ps.k.VSC().Holds(ps.s) {
			fmt.Fprintf(&b, "consumer %s vsc=%d unbonding=%d\n", h.ConsumerID, h.VSCID, h.UnbondingID)
		}
		if b.Len() == 0 {
			b.WriteString("no holds")
		}
	case "meter":
		ps.meter(&b)
	default:
		c.Fail(t, "unknown command")
	}
	return b.String()
}

func (ps *provScript) init(t *testing.T, c *transcript.Command) {
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName, stakingStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	ps.ms, ps.s, ps.height, ps.now = ms, ms.Working(), 1, t0
	ps.st = &fakeStaking{}
	ps.ub = &fakeUnbonding{period: unbondingPeriod, entries: map[uint64][]byte{}, holds: map[uint64]map[string]bool{}}
	ps.ch = &fakeChannels{conns: map[string]string{}, open: map[string]bool{}}
	ps.k = &Keeper{Staking: ps.st, Unbonding: ps.ub, Clients: &fakeClients{}, Channels: ps.ch,
		ChainID: providerChainID, FeePoolAddr: feePool, Prefix: "cosmos", Authority: govAddr}
	ps.nvals = int(c.Int(t, "validators", 4))
	ps.names = map[string]string{}
	for i := range ps.nvals {
		ps.st.put(ps.s, operatorOf(i), Validator{ConsAddr: consAddrOf(i), PubKey: pubKeyOf(i), Power: c.Int(t, "power", 10), Bonded: true})
		ps.nameKey(pubKeyOf(i), fmt.Sprintf("val%d", i))
		for n := range 10 {
			ps.nameKey(consumerKeyOf(i, n), fmt.Sprintf("val%d/key%d", i, n))
		}
	}
	p := DefaultParams()
	p.BlocksPerEpoch = c.Int(t, "epoch", 5)
	if v, ok := c.Lookup("replenish"); ok {
		var n, d uint64
		if _, err := fmt.Sscanf(v, "%d/%d", &n, &d); err != nil {
			c.Fail(t, "replenish=%s is not n/d", v)
		}
		p.SlashMeterReplenishFraction = fraction.New(n, d)
	}
	p.SlashMeterReplenishPeriod = c.Duration(t, "replenish-period", p.SlashMeterReplenishPeriod)
	p.DowntimeJailDuration = c.Duration(t, "jail", p.DowntimeJailDuration)
	p.VscTimeoutPeriod = c.Duration(t, "vsc-timeout", p.VscTimeoutPeriod)
	if err := ps.k.InitGenesis(ps.s, &GenesisState{Params: p}, ps.now); err != nil {
		t.Fatal(err)
	}
}

// nameKey names a consensus key, its address and the address's bech32
// forms.
func (ps *provScript) nameKey(pk []byte, name string) {
	addr := addrOfKey(pk)
	ps.names[string(pk)] = name
	ps.names[hex.EncodeToString(pk)] = name
	ps.names[string(addr)] = name
	ps.names[address.Encode("cosmosvalcons", addr)] = name
}

// keyArg returns the consumer key the argument key names: N is validator
// i's consumer key N, valJ/keyN validator J's, valJ validator J's provider
// key.
func (ps *provScript) keyArg(t *testing.T, c *transcript.Command, i int) []byte {
	v := c.String("key", "0")
	var j, n int
	switch {
	case strings.Contains(v, "/"):
		if _, err := fmt.Sscanf(v, "val%d/key%d", &j, &n); err != nil {
			c.Fail(t, "key=%s", v)
		}
		return consumerKeyOf(j, n)
	case strings.HasPrefix(v, "val"):
		if _, err := fmt.Sscanf(v, "val%d", &j); err != nil {
			c.Fail(t, "key=%s", v)
		}
		return pubKeyOf(j)
	}
	return consumerKeyOf(i, int(c.Int(t, "key", 0)))
}

func (ps *provScript) name(bz []byte) string {
	if n, ok := ps.names[string(bz)]; ok {
		return n
	}
	return fmt.Sprintf("%X", bz)
}

func (ps *provScript) val(t *testing.T, c *transcript.Command) string {
	return fmt.Sprintf("val%d", c.Int(t, "val", 0))
}

func (ps *provScript) update(t *testing.T, c *transcript.Command, fn func(*Validator)) {
	if err := ps.st.update(ps.s, consAddrOf(int(c.Int(t, "val", 0))), fn); err != nil {
		c.Fail(t, "%v", err)
	}
}

// endBlock ends one block (staking first) and prints what it sent and
// emitted, under a header line, when it did anything.
func (ps *provScript) endBlock(b *strings.Builder) {
	ps.st.endBlock(ps.s)
	mark, releases := len(ps.ch.sent), len(ps.ub.releases)
	app := sha256.Sum256(fmt.Appendf(nil, "app hash %d", ps.height))
	nv := sha256.Sum256(fmt.Appendf(nil, "next validators %d", ps.height))
	evs, err := callEndBlock(ps.k, ps.s, Block{Height: ps.height, Time: ps.now, AppHash: app[:], NextValidatorsHash: nv[:]})
	var body strings.Builder
	if err != nil {
		fmt.Fprintf(&body, "  error: %v\n", err)
	}
	for _, p := range ps.ch.sent[mark:] {
		body.WriteString("  " + ps.vscLine(p) + "\n")
	}
	for _, e := range evs {
		body.WriteString("  " + ps.eventLine(e) + "\n")
	}
	for _, h := range ps.ub.releases[releases:] {
		fmt.Fprintf(&body, "  released unbonding=%d holder=%s\n", h.id, h.holder)
	}
	if body.Len() > 0 {
		fmt.Fprintf(b, "block %d at +%s:\n%s", ps.height, ps.now.Sub(t0), body.String())
	}
	ps.height++
	ps.now = ps.now.Add(blockTime)
}

// vscLine describes a sent VSC packet.
func (ps *provScript) vscLine(p channeltypes.Packet) string {
	d, err := ccv.DecodeValidatorSetChange(p.Data)
	if err != nil {
		return fmt.Sprintf("sent %s seq=%d: undecodable: %v", p.SourceChannel, p.Sequence, err)
	}
	ups := make([]string, len(d.ValidatorUpdates))
	for i, u := range d.ValidatorUpdates {
		ups[i] = fmt.Sprintf("%s:%d", ps.name(u.PubKey), u.Power)
	}
	acks := make([]string, len(d.SlashAcks))
	for i, a := range d.SlashAcks {
		acks[i] = ps.names[a]
		if acks[i] == "" {
			acks[i] = a
		}
	}
	return fmt.Sprintf("sent vsc %s seq=%d vsc_id=%d updates=(%s) slash_acks=(%s) timeout=+%s",
		p.SourceChannel, p.Sequence, d.ValsetUpdateID, strings.Join(ups, ","), strings.Join(acks, ","),
		time.Unix(0, int64(p.TimeoutTimestamp)).UTC().Sub(ps.now))
}

func (ps *provScript) eventLine(e abci.Event) string {
	parts := []string{"event " + e.Type}
	for _, a := range e.Attributes {
		v := a.Value
		if n, ok := ps.names[v]; ok {
			v = n
		}
		parts = append(parts, a.Key+"="+v)
	}
	return strings.Join(parts, " ")
}

// result prints events, or the error.
func (ps *provScript) result(b *strings.Builder, evs []abci.Event, err error) {
	if err != nil {
		fmt.Fprintf(b, "error: %v\n", err)
	}
	for _, e := range evs {
		b.WriteString(ps.eventLine(e) + "\n")
	}
	if err == nil && len(evs) == 0 {
		b.WriteString("ok\n")
	}
}

// recv delivers a consumer packet from c's consumer and prints the
// acknowledgement, the events and what changed on staking and unbonding.
func (ps *provScript) recv(t *testing.T, c *transcript.Command, b *strings.Builder, data []byte) {
	chain := c.String("chain", "consumer-1")
	cons, ok := ps.k.Consumer(ps.s, ps.id(chain))
	if !ok {
		c.Fail(t, "no consumer %s", chain)
	}
	ps.recvSq++
	p := channeltypes.NewPacket(data, ps.recvSq, ccv.ConsumerPortID, "channel-c", ccv.ProviderPortID, cons.ChannelId,
		clienttypes.ZeroHeight(), uint64(ps.now.Add(time.Hour).UnixNano()))
	jails, slashes, releases := len(ps.st.jails), len(ps.st.slashes), len(ps.ub.releases)
	before := ps.ms.WorkingHash()
	ack, evs := callRecvPacket(ps.k, ps.s, ps.height, ps.now, p)
	switch r := ack.Response.(type) {
	case *channeltypes.Acknowledgement_Result:
		names := map[byte]string{ccv.ResultReceived: "received", ccv.ResultHandled: "handled", ccv.ResultBounced: "bounced"}
		fmt.Fprintf(b, "ack result=%s\n", names[r.Result[0]])
	case *channeltypes.Acknowledgement_Error:
		fmt.Fprintf(b, "ack error=%q\n", r.Error)
	}
	for i := jails; i < len(ps.st.jails); i++ {
		fmt.Fprintf(b, "jailed %s until +%s\n", ps.name(ps.st.jails[i]), ps.st.jailUntil[i].Sub(t0))
	}
	for _, s := range ps.st.slashes[slashes:] {
		fmt.Fprintf(b, "slashed %s infraction_height=%d fraction=%s\n", ps.name(s.addr), s.infractionHeight, s.frac)
	}
	ps.holdCalls(b, "released", ps.ub.releases[releases:])
	for _, e := range evs {
		b.WriteString(ps.eventLine(e) + "\n")
	}
	if bytes.Equal(before, ps.ms.WorkingHash()) {
		b.WriteString("store unchanged\n")
	}
}

func (ps *provScript) holdCalls(b *strings.Builder, what string, calls []holdCall) {
	for _, h := range calls {
		fmt.Fprintf(b, "%s unbonding=%d holder=%s\n", what, h.id, h.holder)
	}
}

// sentPacket returns VSC packet seq sent to c's consumer.
func (ps *provScript) sentPacket(t *testing.T, c *transcript.Command) channeltypes.Packet {
	chain := c.String("chain", "consumer-1")
	cons, _ := ps.k.Consumer(ps.s, ps.id(chain))
	seq := uint64(c.Int(t, "seq", 1))
	for _, p := range ps.ch.sent {
		if p.Sequence == seq && (cons.ChannelId == "" || p.SourceChannel == cons.ChannelId) {
			return p
		}
	}
	c.Fail(t, "no packet %d sent to %s", seq, chain)
	return channeltypes.Packet{}
}

func (ps *provScript) consumers(b *strings.Builder) {
	cs := ps.k.Consumers(ps.s)
	sort.Slice(cs, func(i, j int) bool { return cs[i].ChainId < cs[j].ChainId })
	for _, c := range cs {
		fmt.Fprintf(b, "%s id=%s phase=%s client=%s channel=%s init_height=%d\n",
			c.ChainId, c.ConsumerId, strings.TrimPrefix(c.Phase.String(), "PHASE_"), c.ClientId, c.ChannelId, c.InitHeight)
	}
	if len(cs) == 0 {
		b.WriteString("no consumers\n")
	}
}

// id returns the consumer id of the live consumer with chain id chain, or
// of the last one (chain itself when there was none).
func (ps *provScript) id(chain string) string {
	if c, ok := ps.k.ConsumerByChainID(ps.s, chain); ok {
		return c.ConsumerId
	}
	id := chain
	for _, c := range ps.k.Consumers(ps.s) {
		if c.ChainId == chain {
			id = c.ConsumerId
		}
	}
	return id
}

func (ps *provScript) meter(b *strings.Builder) {
	m := ps.k.SlashMeter(ps.s)
	fmt.Fprintf(b, "meter=%d allowance=%d last_replenish=+%s", m.Meter, m.Allowance, time.Unix(0, m.LastReplenish).UTC().Sub(t0))
}
