package consumer

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/internal/transcript"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// TestTranscript runs the consumer transcripts of testdata/*.txt. The
// commands are described at (*consScript).run.
func TestTranscript(t *testing.T) {
	transcript.Walk(t, "testdata", func(t *testing.T) transcript.Handler {
		cs := &consScript{}
		return cs.run
	})
}

// The keeper calls. Every call the transcripts make into the consumer
// keeper goes through one of these functions, so that a change of the
// keeper's signatures is adapted here and nowhere else in this file.

// callInitGenesis initializes the consumer and returns the first set.
func callInitGenesis(k Keeper, s state.Store, g *ccv.ConsumerGenesis, height int64, now time.Time) ([]abci.ValidatorUpdate, error) {
	return k.InitGenesis(s, g, height, now)
}

// callOpenChannel runs the consumer's init and ack steps of the CCV
// handshake.
func callOpenChannel(k Keeper, s state.Store) error {
	if _, err := k.OnChanOpenInit(s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, ccvChannel,
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ""); err != nil {
		return err
	}
	return k.OnChanOpenAck(s, ccv.ConsumerPortID, ccvChannel, providerCh, metadata(ccv.Version))
}

// callRecvPacket delivers a VSC packet on a cache of s, kept only for a
// successful acknowledgement as the channel layer does, and returns the
// acknowledgement and the events of the callback.
func callRecvPacket(k Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet) (channeltypes.Acknowledgement, []abci.Event) {
	c := state.NewCache(s)
	ack, evs := k.OnRecvPacket(c, height, now, p, []byte("relayer"))
	if ack.Success() {
		c.Write()
	}
	return ack, evs
}

// callBeginBlock runs the consumer's begin-block with the votes of the
// last commit.
func callBeginBlock(k Keeper, s state.Store, height int64, now time.Time, votes []abci.VoteInfo) ([]abci.Event, error) {
	return k.BeginBlock(s, height, now, abci.CommitInfo{Votes: votes})
}

// callEndBlock runs the consumer's end-block and returns the validator
// updates for CometBFT and the events.
func callEndBlock(k Keeper, s state.Store, height int64, now time.Time) ([]abci.ValidatorUpdate, []abci.Event, error) {
	return k.EndBlock(s, height, now)
}

// callAckPacket delivers the provider's acknowledgement of a sent packet.
func callAckPacket(k Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet, ack channeltypes.Acknowledgement) ([]abci.Event, error) {
	return k.OnAcknowledgementPacket(s, height, now, p, ack, []byte("relayer"))
}

// callTimeoutPacket delivers the timeout of a sent packet.
func callTimeoutPacket(k Keeper, s state.Store, height int64, now time.Time, p channeltypes.Packet) ([]abci.Event, error) {
	return k.OnTimeoutPacket(s, height, now, p, []byte("relayer"))
}

// consScript is a consumer chain driven by a transcript: the keeper over
// the fakes of helpers_test.go, a memdb multistore, a height and a clock.
type consScript struct {
	ms      *state.MultiStore
	s       state.Store
	k       Keeper
	ch      *fakeChannels
	height  int64
	now     time.Time
	recvSeq uint64
	names   map[string]string
}

// run handles one command:
//
//	init validators=N [power=P] [window=W] [min-signed=n/d] [unbonding=D] [retry=D]
//	open-channel                          the CCV handshake's init and ack
//	recv-vsc id=N [updates=(valI:P,...)] [slash-acks=(valI,...)]
//	end-block [blocks=K] [absent=(valI,...)] [advance=D]
//	                                      begin-block with the set's votes
//	                                      (absent ones missing), end-block
//	ack seq=N result=received|handled|bounced|error
//	timeout seq=N
//	queue | set | status
func (cs *consScript) run(t *testing.T, c *transcript.Command) string {
	if c.Name != "init" && cs.ms == nil {
		c.Fail(t, "init first")
	}
	var b strings.Builder
	switch c.Name {
	case "init":
		ups := cs.init(t, c)
		fmt.Fprintf(&b, "height %d, genesis updates %s", cs.height, cs.updates(ups))
	case "open-channel":
		if err := callOpenChannel(cs.k, cs.s); err != nil {
			fmt.Fprintf(&b, "error: %v", err)
		} else {
			ch, _ := cs.k.ProviderChannel(cs.s)
			fmt.Fprintf(&b, "provider channel %s", ch)
		}
	case "recv-vsc":
		d := ccv.ValidatorSetChangePacketData{ValsetUpdateID: uint64(c.Int(t, "id", 1)), SlashAcks: []string{}}
		for _, u := range c.List("updates") {
			var i int
			var power int64
			if _, err := fmt.Sscanf(u, "val%d:%d", &i, &power); err != nil {
				c.Fail(t, "update %q is not valI:P", u)
			}
			d.ValidatorUpdates = append(d.ValidatorUpdates, ccv.ValidatorUpdate{PubKey: pubKey(i), Power: power})
		}
		for _, a := range c.List("slash-acks") {
			var i int
			if _, err := fmt.Sscanf(a, "val%d", &i); err != nil {
				c.Fail(t, "slash ack %q is not valI", a)
			}
			d.SlashAcks = append(d.SlashAcks, address.Encode("cosmosvalcons", addrOf(i)))
		}
		cs.recvSeq++
		p := channeltypes.NewPacket(d.Bytes(), cs.recvSeq, ccv.ProviderPortID, providerCh, ccv.ConsumerPortID, ccvChannel,
			clienttypes.ZeroHeight(), uint64(cs.now.Add(time.Hour).UnixNano()))
		before := cs.ms.WorkingHash()
		ack, evs := callRecvPacket(cs.k, cs.s, cs.height, cs.now, p)
		cs.ack(&b, ack)
		cs.events(&b, "", evs)
		if bytes.Equal(before, cs.ms.WorkingHash()) {
			b.WriteString("store unchanged\n")
		}
		fmt.Fprintf(&b, "pending %s", cs.ccvUpdates(cs.k.PendingChanges(cs.s)))
	case "end-block":
		cs.now = cs.now.Add(c.Duration(t, "advance", 0))
		absent := map[string]bool{}
		for _, a := range c.List("absent") {
			absent[a] = true
		}
		for range c.Int(t, "blocks", 1) {
			cs.block(&b, absent)
		}
		if b.Len() == 0 {
			b.WriteString("no updates, nothing sent, no events")
		}
	case "ack", "timeout":
		p := cs.sentPacket(t, c)
		closed := len(cs.ch.closed)
		var evs []abci.Event
		var err error
		if c.Name == "timeout" {
			evs, err = callTimeoutPacket(cs.k, cs.s, cs.height, cs.now, p)
		} else {
			results := map[string]byte{"received": ccv.ResultReceived, "handled": ccv.ResultHandled, "bounced": ccv.ResultBounced}
			r := c.String("result", "received")
			ack := channeltypes.NewResultAcknowledgement([]byte{results[r]})
			if r == "error" {
				ack = channeltypes.NewErrorAcknowledgement(fmt.Errorf("provider refused the packet"))
			} else if _, ok := results[r]; !ok {
				c.Fail(t, "result=%s", r)
			}
			evs, err = callAckPacket(cs.k, cs.s, cs.height, cs.now, p, ack)
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		}
		cs.events(&b, "", evs)
		for _, ch := range cs.ch.closed[closed:] {
			fmt.Fprintf(&b, "closed %s\n", ch)
		}
		cs.queue(&b)
		if cs.k.Stopped(cs.s) {
			b.WriteString("stopped\n")
		}
	case "queue":
		cs.queue(&b)
	case "set":
		for _, v := range cs.k.ValidatorSet(cs.s) {
			fmt.Fprintf(&b, "%s power=%d\n", cs.name(v.Address), v.Power)
		}
	case "status":
		id, _ := cs.k.HighestVSCID(cs.s)
		fmt.Fprintf(&b, "highest vsc_id=%d stopped=%v\n", id, cs.k.Stopped(cs.s))
		var out []string
		for i := range 10 {
			if cs.k.Outstanding(cs.s, addrOf(i)) {
				out = append(out, fmt.Sprintf("val%d", i))
			}
		}
		fmt.Fprintf(&b, "outstanding (%s)\n", strings.Join(out, ","))
		fmt.Fprintf(&b, "pending %s", cs.ccvUpdates(cs.k.PendingChanges(cs.s)))
	default:
		c.Fail(t, "unknown command")
	}
	return b.String()
}

func (cs *consScript) init(t *testing.T, c *transcript.Command) []abci.ValidatorUpdate {
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName, ibcStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	cs.ms, cs.s, cs.height, cs.now = ms, ms.Working(), 1, t0
	cs.ch = &fakeChannels{conns: map[string]string{providerConn: clientID}}
	cs.k = Keeper{Channels: cs.ch, Clients: &fakeClients{}, Prefix: "cosmos"}
	cs.names = map[string]string{}
	for i := range 10 {
		name := fmt.Sprintf("val%d", i)
		cs.names[string(pubKey(i))] = name
		cs.names[string(addrOf(i))] = name
		cs.names[address.Encode("cosmosvalcons", addrOf(i))] = name
		cs.names[hex.EncodeToString(pubKey(i))] = name
	}
	n := int(c.Int(t, "validators", 4))
	g := genesis(t, n)
	for i := range g.InitialValidators {
		g.InitialValidators[i].Power = c.Int(t, "power", 10)
	}
	g.Params.SignedBlocksWindow = c.Int(t, "window", g.Params.SignedBlocksWindow)
	if v, ok := c.Lookup("min-signed"); ok {
		var num, den uint64
		if _, err := fmt.Sscanf(v, "%d/%d", &num, &den); err != nil {
			c.Fail(t, "min-signed=%s is not n/d", v)
		}
		g.Params.MinSignedPerWindow = fraction.New(num, den)
	}
	g.Params.UnbondingPeriod = c.Duration(t, "unbonding", g.Params.UnbondingPeriod)
	g.Params.RetryDelayPeriod = c.Duration(t, "retry", g.Params.RetryDelayPeriod)
	ups, err := callInitGenesis(cs.k, cs.s, g, cs.height, cs.now)
	if err != nil {
		c.Fail(t, "InitGenesis: %v", err)
	}
	return ups
}

func (cs *consScript) name(bz []byte) string {
	if n, ok := cs.names[string(bz)]; ok {
		return n
	}
	return fmt.Sprintf("%X", bz)
}

func (cs *consScript) updates(ups []abci.ValidatorUpdate) string {
	parts := make([]string, len(ups))
	for i, u := range ups {
		parts[i] = fmt.Sprintf("%s:%d", cs.name(u.PubKey.GetEd25519()), u.Power)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func (cs *consScript) ccvUpdates(ups []ccv.ValidatorUpdate) string {
	parts := make([]string, len(ups))
	for i, u := range ups {
		parts[i] = fmt.Sprintf("%s:%d", cs.name(u.PubKey), u.Power)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// block runs one block: begin-block with a vote of every member of the
// set (absent ones missing), end-block, and prints the updates, the
// packets sent and the events under a header line when there are any.
func (cs *consScript) block(b *strings.Builder, absent map[string]bool) {
	var votes []abci.VoteInfo
	for _, v := range cs.k.ValidatorSet(cs.s) {
		flag := cmtproto.BlockIDFlagCommit
		if absent[cs.name(v.Address)] {
			flag = cmtproto.BlockIDFlagAbsent
		}
		votes = append(votes, abci.VoteInfo{Validator: abci.Validator{Address: v.Address, Power: v.Power}, BlockIdFlag: flag})
	}
	mark := len(cs.ch.sent)
	var body strings.Builder
	evs, err := callBeginBlock(cs.k, cs.s, cs.height, cs.now, votes)
	if err != nil {
		fmt.Fprintf(&body, "  begin-block error: %v\n", err)
	}
	ups, evs2, err := callEndBlock(cs.k, cs.s, cs.height, cs.now)
	if err != nil {
		fmt.Fprintf(&body, "  end-block error: %v\n", err)
	}
	if len(ups) > 0 {
		fmt.Fprintf(&body, "  updates %s\n", cs.updates(ups))
	}
	for _, p := range cs.ch.sent[mark:] {
		body.WriteString("  " + cs.packetLine(p) + "\n")
	}
	cs.events(&body, "  ", append(evs, evs2...))
	if body.Len() > 0 {
		fmt.Fprintf(b, "block %d at +%s:\n%s", cs.height, cs.now.Sub(t0), body.String())
	}
	cs.height++
	cs.now = cs.now.Add(blockTime)
}

func (cs *consScript) packetLine(p channeltypes.Packet) string {
	d, err := ccv.DecodeConsumerPacket(p.Data)
	switch {
	case err != nil:
		return fmt.Sprintf("sent seq=%d: undecodable: %v", p.Sequence, err)
	case d.VSCMatured != nil:
		return fmt.Sprintf("sent seq=%d matured vsc_id=%d", p.Sequence, d.VSCMatured.ValsetUpdateID)
	default:
		return fmt.Sprintf("sent seq=%d slash %s power=%d vsc_id=%d %s", p.Sequence, cs.name(d.Slash.Validator.Address),
			d.Slash.Validator.Power, d.Slash.ValsetUpdateID, d.Slash.Infraction)
	}
}

func (cs *consScript) events(b *strings.Builder, indent string, evs []abci.Event) {
	for _, e := range evs {
		parts := []string{"event " + e.Type}
		for _, a := range e.Attributes {
			v := a.Value
			if n, ok := cs.names[v]; ok {
				v = n
			}
			parts = append(parts, a.Key+"="+v)
		}
		b.WriteString(indent + strings.Join(parts, " ") + "\n")
	}
}

func (cs *consScript) ack(b *strings.Builder, ack channeltypes.Acknowledgement) {
	switch r := ack.Response.(type) {
	case *channeltypes.Acknowledgement_Result:
		fmt.Fprintf(b, "ack result=%X\n", r.Result)
	case *channeltypes.Acknowledgement_Error:
		fmt.Fprintf(b, "ack error=%q\n", r.Error)
	}
}

func (cs *consScript) sentPacket(t *testing.T, c *transcript.Command) channeltypes.Packet {
	seq := uint64(c.Int(t, "seq", 1))
	for _, p := range cs.ch.sent {
		if p.Sequence == seq {
			return p
		}
	}
	c.Fail(t, "no packet %d sent", seq)
	return channeltypes.Packet{}
}

func (cs *consScript) queue(b *strings.Builder) {
	q := cs.k.PendingPackets(cs.s)
	for _, pp := range q {
		line := fmt.Sprintf("queue %d: %s vsc_id=%d", pp.Index, strings.TrimPrefix(pp.Kind.String(), "PACKET_KIND_"), pp.ValsetUpdateId)
		if pp.Kind == PACKET_KIND_SLASH {
			line += fmt.Sprintf(" %s power=%d state=%s seq=%d", cs.name(pp.ValidatorAddress), pp.ValidatorPower,
				strings.TrimPrefix(pp.State.String(), "PACKET_STATE_"), pp.Sequence)
			if pp.RetryAtNs != 0 {
				line += fmt.Sprintf(" retry_at=+%s", time.Unix(0, pp.RetryAtNs).UTC().Sub(t0))
			}
		}
		b.WriteString(line + "\n")
	}
	if len(q) == 0 {
		b.WriteString("queue empty\n")
	}
}
