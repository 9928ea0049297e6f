package relayer

import (
	"context"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
)

// End is one side of a link: the chain and its identifiers for the other
// side.
type End struct {
	Chain      *Chain
	Client     string // the chain's client of the other chain
	Connection string
	Port       string
	Channel    string
}

// Link is two ends joined by a channel.
type Link struct {
	A, B *End
	// Intercept, when set, sees the packets a relay pass is about to
	// deliver from src and returns the ones to deliver, in order. Tests
	// drop, delay and reorder packets with it; the relayer leaves it nil.
	Intercept func(src *End, packets []channeltypes.Packet) []channeltypes.Packet
}

// ClientOptions are the parameters of the clients that Link creates.
type ClientOptions struct {
	TrustingPeriod  time.Duration
	UnbondingPeriod time.Duration
	MaxClockDrift   time.Duration
}

// DefaultClientOptions suit chains with a 21-day unbonding period.
func DefaultClientOptions() ClientOptions {
	return ClientOptions{TrustingPeriod: 14 * 24 * time.Hour, UnbondingPeriod: 21 * 24 * time.Hour, MaxClockDrift: 20 * time.Second}
}

func marshal(m gogoproto.Message) []byte {
	bz, err := gogoproto.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("relayer: marshal %T: %v", m, err))
	}
	return bz
}

// createClient creates on dst a client of src at src's latest height.
func createClient(ctx context.Context, dst *End, src *Chain, o ClientOptions) error {
	h, err := src.Height(ctx)
	if err != nil {
		return err
	}
	sh, _, err := src.signedHeader(ctx, h)
	if err != nil {
		return err
	}
	cs := client.NewClientState(src.ID, clienttypes.NewHeight(src.revision(), uint64(h)), o.TrustingPeriod, o.UnbondingPeriod, o.MaxClockDrift)
	res, err := dst.Chain.submit(ctx, &client.MsgCreateClient{ClientState: marshal(cs), ConsensusState: marshal(client.ConsensusStateFromHeader(sh.Header)), Signer: dst.Chain.Submit.Address()})
	if err != nil {
		return fmt.Errorf("create client of %s: %w", src.ID, err)
	}
	dst.Client = attr(res.Events, client.EventTypeCreateClient, client.AttributeKeyClientID)
	if dst.Client == "" {
		return fmt.Errorf("%s: create client: no client id in the events", dst.Chain.ID)
	}
	return nil
}

// UpdateMsg returns the message that brings dst's client of src to src's
// header at height h, or nil when the client already has it. When the
// validators the client trusts no longer hold a third of the power that
// signed header h, it first submits updates to intermediate headers
// (bisection), as the light client needs.
func UpdateMsg(ctx context.Context, dst *End, src *Chain, h int64) (*client.MsgUpdateClient, error) {
	if err := catchUp(ctx, dst, src, h); err != nil {
		return nil, err
	}
	return updateStep(ctx, dst, src, h)
}

// trustable reports whether the validators of src at trusted+1 can vouch
// for src's header h (an adjacent header is checked by hash instead).
func trustable(ctx context.Context, src *Chain, trusted, h int64) (bool, error) {
	if h == trusted+1 {
		return true, nil
	}
	sh, _, err := src.signedHeader(ctx, h)
	if err != nil {
		return false, err
	}
	vals, err := src.validators(ctx, trusted+1)
	if err != nil {
		return false, err
	}
	return vals.VerifyCommitLightTrusting(src.ID, sh.Commit, cmtmath.Fraction{Numerator: 1, Denominator: 3}) == nil, nil
}

// catchUp submits updates of dst's client of src to intermediate headers
// until the trusted validators can vouch for header h.
func catchUp(ctx context.Context, dst *End, src *Chain, h int64) error {
	for step := 0; step < 64; step++ {
		th, err := dst.Chain.clientHeight(ctx, dst.Client)
		if err != nil {
			return err
		}
		trusted := int64(th.RevisionHeight)
		if trusted >= h {
			return nil
		}
		ok, err := trustable(ctx, src, trusted, h)
		if err != nil || ok {
			return err
		}
		pivot := trusted + (h-trusted)/2
		for {
			if ok, err = trustable(ctx, src, trusted, pivot); err != nil {
				return err
			}
			if ok {
				break
			}
			pivot = trusted + (pivot-trusted)/2
		}
		up, err := updateStep(ctx, dst, src, pivot)
		if err != nil {
			return err
		}
		if _, err := dst.Chain.submit(ctx, up); err != nil {
			return fmt.Errorf("update client %s on %s to %d: %w", dst.Client, dst.Chain.ID, pivot, err)
		}
	}
	return fmt.Errorf("update client %s on %s: no trusted path to height %d", dst.Client, dst.Chain.ID, h)
}

// updateStep returns the update of dst's client of src to src's header h,
// trusting the client's latest height; nil when the client has h.
func updateStep(ctx context.Context, dst *End, src *Chain, h int64) (*client.MsgUpdateClient, error) {
	trusted, err := dst.Chain.clientHeight(ctx, dst.Client)
	if err != nil {
		return nil, err
	}
	if int64(trusted.RevisionHeight) >= h {
		return nil, nil
	}
	header, err := src.Header(ctx, h, trusted)
	if err != nil {
		return nil, err
	}
	return &client.MsgUpdateClient{ClientId: dst.Client, Header: marshal(header), Signer: dst.Chain.Submit.Address()}, nil
}

// Proofs are proofs of paths in a chain's state, ready for its
// counterparty.
type Proofs struct {
	Proofs [][]byte // one per path
	Values [][]byte // the proven values; nil for an absent path
	// Height is the height to cite the proofs at.
	Height clienttypes.Height
	// Update is the client update the counterparty needs before it can
	// check the proofs; nil when its client has Height already.
	Update *client.MsgUpdateClient
}

// Messages returns msgs preceded by the client update, if any.
func (p Proofs) Messages(msgs ...gogoproto.Message) []gogoproto.Message {
	if p.Update == nil {
		return msgs
	}
	return append([]gogoproto.Message{p.Update}, msgs...)
}

// Prove proves paths in src's latest state v for dst. The proofs verify
// against the app hash of header v+1, so Prove waits for src to commit
// v+1 and builds the update of dst's client of src to it (submitting the
// intermediate updates bisection needs first).
func Prove(ctx context.Context, dst *End, src *Chain, paths []string) (Proofs, error) {
	v, err := src.Height(ctx)
	if err != nil {
		return Proofs{}, err
	}
	if err := src.Node.WaitHeight(ctx, v+1); err != nil {
		return Proofs{}, err
	}
	out := Proofs{Proofs: make([][]byte, len(paths)), Values: make([][]byte, len(paths)), Height: clienttypes.NewHeight(src.revision(), uint64(v+1))}
	for i, p := range paths {
		if out.Values[i], out.Proofs[i], err = src.prove(ctx, p, v); err != nil {
			return Proofs{}, err
		}
	}
	if out.Update, err = UpdateMsg(ctx, dst, src, v+1); err != nil {
		return Proofs{}, err
	}
	return out, nil
}

// proveAndSubmit submits on dst the client update and the messages built
// from proofs of paths in src.
func proveAndSubmit(ctx context.Context, dst *End, src *Chain, paths []string, build func(proofs [][]byte, h clienttypes.Height) []gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	ps, err := Prove(ctx, dst, src, paths)
	if err != nil {
		return nil, err
	}
	return dst.Chain.submit(ctx, ps.Messages(build(ps.Proofs, ps.Height)...)...)
}

// NewLink creates clients on both chains, then a connection and a channel
// on port with the given order and version, the handshakes started by a.
func NewLink(ctx context.Context, a, b *Chain, port string, order channeltypes.Order, version string, o ClientOptions) (*Link, error) {
	A, B := &End{Chain: a}, &End{Chain: b}
	if err := createClient(ctx, A, b, o); err != nil {
		return nil, err
	}
	if err := createClient(ctx, B, a, o); err != nil {
		return nil, err
	}
	return NewLinkOnClients(ctx, a, b, A.Client, B.Client, port, port, order, version)
}

// NewLinkOnClients opens a connection between a's existing client aClient
// (of b) and b's existing client bClient (of a), then a channel from a's
// port aPort to b's port bPort with the given order, proposing version;
// every handshake is started by a. The channel's version is the one b's
// application answers in its try step, read from b's channel end. This is
// how a CCV channel is opened: both clients exist from the consumer's
// launch and the consumer, as a, initiates.
func NewLinkOnClients(ctx context.Context, a, b *Chain, aClient, bClient, aPort, bPort string, order channeltypes.Order, version string) (*Link, error) {
	l := &Link{A: &End{Chain: a, Client: aClient, Port: aPort}, B: &End{Chain: b, Client: bClient, Port: bPort}}
	for _, e := range []*End{l.A, l.B} {
		if _, err := e.Chain.clientHeight(ctx, e.Client); err != nil {
			return nil, err
		}
	}
	if err := openConnection(ctx, l); err != nil {
		return nil, err
	}
	if err := openChannel(ctx, l, order, version); err != nil {
		return nil, err
	}
	return l, nil
}

// openConnection runs the four steps of the connection handshake between
// the ends' clients, from A.
func openConnection(ctx context.Context, l *Link) error {
	A, B := l.A, l.B
	a, b := A.Chain, B.Chain
	prefix := commitment.Prefix()
	ver := connectiontypes.GetCompatibleVersions()[0]

	res, err := a.submit(ctx, &connection.MsgConnectionOpenInit{ClientId: A.Client,
		Counterparty: marshal(&connectiontypes.Counterparty{ClientId: B.Client, Prefix: prefix}), Signer: a.Submit.Address()})
	if err != nil {
		return fmt.Errorf("connection init: %w", err)
	}
	A.Connection = attr(res.Events, connection.EventConnectionOpenInit, connection.AttrConnectionID)

	r, err := proveAndSubmit(ctx, B, a, []string{commitment.ConnectionPath(A.Connection)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
		return []gogoproto.Message{&connection.MsgConnectionOpenTry{ClientId: B.Client,
			Counterparty:         marshal(&connectiontypes.Counterparty{ClientId: A.Client, ConnectionId: A.Connection, Prefix: prefix}),
			CounterpartyVersions: [][]byte{marshal(ver)}, ProofInit: p[0], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Submit.Address()}}
	})
	if err != nil {
		return fmt.Errorf("connection try: %w", err)
	}
	B.Connection = attr(r.Events, connection.EventConnectionOpenTry, connection.AttrConnectionID)

	if _, err := proveAndSubmit(ctx, A, b, []string{commitment.ConnectionPath(B.Connection)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
		return []gogoproto.Message{&connection.MsgConnectionOpenAck{ConnectionId: A.Connection, CounterpartyConnectionId: B.Connection,
			Version: marshal(ver), ProofTry: p[0], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: a.Submit.Address()}}
	}); err != nil {
		return fmt.Errorf("connection ack: %w", err)
	}
	if _, err := proveAndSubmit(ctx, B, a, []string{commitment.ConnectionPath(A.Connection)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
		return []gogoproto.Message{&connection.MsgConnectionOpenConfirm{ConnectionId: B.Connection, ProofAck: p[0],
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Submit.Address()}}
	}); err != nil {
		return fmt.Errorf("connection confirm: %w", err)
	}
	return nil
}

// openChannel runs the four steps of the channel handshake over the
// ends' connection, from A's port to B's.
func openChannel(ctx context.Context, l *Link, order channeltypes.Order, version string) error {
	a := l.A.Chain
	res, err := a.submit(ctx, &channel.MsgChannelOpenInit{PortId: l.A.Port, Channel: marshal(&channeltypes.Channel{State: channeltypes.INIT, Ordering: order,
		Counterparty: channeltypes.Counterparty{PortId: l.B.Port}, ConnectionHops: []string{l.A.Connection}, Version: version}), Signer: a.Submit.Address()})
	if err != nil {
		return fmt.Errorf("channel init: %w", err)
	}
	l.A.Channel = attr(res.Events, channel.EventChannelOpenInit, channel.AttrChannelID)
	return FinishChannel(ctx, l)
}

// OpenChannel opens a new channel from A's port aPort to B's port bPort
// over the connection of l's ends, started by A, and returns its link (the
// same clients and connection); l's own channel is untouched. A second
// application channel, such as the ICS-20 channel beside the CCV channel,
// is opened so.
func (l *Link) OpenChannel(ctx context.Context, aPort, bPort string, order channeltypes.Order, version string) (*Link, error) {
	n := l.OnConnection(aPort, "", bPort, "")
	if err := openChannel(ctx, n, order, version); err != nil {
		return nil, err
	}
	return n, nil
}

// OnConnection returns the link of channels (aPort, aChannel) and (bPort,
// bChannel) on the clients and connection of l's ends.
func (l *Link) OnConnection(aPort, aChannel, bPort, bChannel string) *Link {
	return &Link{
		A: &End{Chain: l.A.Chain, Client: l.A.Client, Connection: l.A.Connection, Port: aPort, Channel: aChannel},
		B: &End{Chain: l.B.Chain, Client: l.B.Client, Connection: l.B.Connection, Port: bPort, Channel: bChannel},
	}
}

// FinishChannel completes the handshake of a channel that A started:
// l.A.Channel is in INIT or OPEN, l.B.Channel is empty (no try yet) or B's
// end in TRYOPEN or OPEN. The steps the chains show done are skipped, so
// a handshake that a relayer left halfway, or that A's application
// started by itself, is finished; one open on both sides needs nothing.
func FinishChannel(ctx context.Context, l *Link) error {
	A, B := l.A, l.B
	a, b := A.Chain, B.Chain
	aEnd, err := a.channelEnd(ctx, A.Port, A.Channel)
	if err != nil {
		return err
	}
	if aEnd.State != channeltypes.INIT && aEnd.State != channeltypes.OPEN {
		return fmt.Errorf("%s: channel %s/%s is %s, not started by %s", a.ID, A.Port, A.Channel, aEnd.State, a.ID)
	}
	if B.Channel == "" {
		if aEnd.State != channeltypes.INIT {
			return fmt.Errorf("%s: channel %s/%s is open but names no counterparty", a.ID, A.Port, A.Channel)
		}
		r, err := proveAndSubmit(ctx, B, a, []string{commitment.ChannelPath(A.Port, A.Channel)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
			return []gogoproto.Message{&channel.MsgChannelOpenTry{PortId: B.Port, Channel: marshal(&channeltypes.Channel{State: channeltypes.TRYOPEN, Ordering: aEnd.Ordering,
				Counterparty: channeltypes.Counterparty{PortId: A.Port, ChannelId: A.Channel}, ConnectionHops: []string{B.Connection}, Version: aEnd.Version}),
				CounterpartyVersion: aEnd.Version, ProofInit: p[0], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Submit.Address()}}
		})
		if err != nil {
			return fmt.Errorf("channel try: %w", err)
		}
		B.Channel = attr(r.Events, channel.EventChannelOpenTry, channel.AttrChannelID)
	}
	bEnd, err := b.channelEnd(ctx, B.Port, B.Channel)
	if err != nil {
		return err
	}
	if bEnd.State != channeltypes.TRYOPEN && bEnd.State != channeltypes.OPEN {
		return fmt.Errorf("%s: channel %s/%s is %s", b.ID, B.Port, B.Channel, bEnd.State)
	}
	if aEnd.State == channeltypes.INIT {
		if _, err := proveAndSubmit(ctx, A, b, []string{commitment.ChannelPath(B.Port, B.Channel)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
			return []gogoproto.Message{&channel.MsgChannelOpenAck{PortId: A.Port, ChannelId: A.Channel, CounterpartyChannelId: B.Channel, CounterpartyVersion: bEnd.Version,
				ProofTry: p[0], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: a.Submit.Address()}}
		}); err != nil {
			return fmt.Errorf("channel ack: %w", err)
		}
	}
	if bEnd.State == channeltypes.TRYOPEN {
		if _, err := proveAndSubmit(ctx, B, a, []string{commitment.ChannelPath(A.Port, A.Channel)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
			return []gogoproto.Message{&channel.MsgChannelOpenConfirm{PortId: B.Port, ChannelId: B.Channel, ProofAck: p[0],
				ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Submit.Address()}}
		}); err != nil {
			return fmt.Errorf("channel confirm: %w", err)
		}
	}
	return nil
}

// LinkOfChannel returns the link of a channel that exists already: a's
// end (aPort, aChannel), its connection and client, and the counterparty
// identifiers on b, all read from the chains. A relayer that restarts, or
// finds a CCV channel opened by someone else, continues with it.
func LinkOfChannel(ctx context.Context, a, b *Chain, aPort, aChannel string) (*Link, error) {
	ch, err := a.channelEnd(ctx, aPort, aChannel)
	if err != nil {
		return nil, err
	}
	if len(ch.ConnectionHops) != 1 || ch.Counterparty.ChannelId == "" {
		return nil, fmt.Errorf("%s: channel %s/%s is not open (state %s)", a.ID, aPort, aChannel, ch.State)
	}
	bz, err := a.storeValue(ctx, commitment.ConnectionPath(ch.ConnectionHops[0]))
	if err != nil {
		return nil, err
	}
	var conn connectiontypes.ConnectionEnd
	if len(bz) == 0 {
		return nil, fmt.Errorf("%s: no connection %s", a.ID, ch.ConnectionHops[0])
	}
	if err := conn.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("%s: connection %s: %w", a.ID, ch.ConnectionHops[0], err)
	}
	l := &Link{
		A: &End{Chain: a, Client: conn.ClientId, Connection: ch.ConnectionHops[0], Port: aPort, Channel: aChannel},
		B: &End{Chain: b, Client: conn.Counterparty.ClientId, Connection: conn.Counterparty.ConnectionId, Port: ch.Counterparty.PortId, Channel: ch.Counterparty.ChannelId},
	}
	if _, err := b.channelEnd(ctx, l.B.Port, l.B.Channel); err != nil {
		return nil, err
	}
	return l, nil
}
