package ibcgo

import (
	"bytes"
	"errors"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

const prefix = "ics"

var (
	from   = bytes.Repeat([]byte{7}, address.Len)
	signer = address.Encode(prefix, from)
	proof  = []byte("proof")
	ph     = clienttypes.NewHeight(1, 9)
)

func mustMarshal(v gogoproto.Message) []byte {
	bz, err := gogoproto.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bz
}

func anyOf(url string, bz []byte) *codectypes.Any { return &codectypes.Any{TypeUrl: url, Value: bz} }

var (
	cp       = connectiontypes.Counterparty{ClientId: "07-tendermint-1", Prefix: commitmenttypes.NewMerklePrefix([]byte("ibc"))}
	cpTry    = connectiontypes.Counterparty{ClientId: "07-tendermint-1", ConnectionId: "connection-1", Prefix: commitmenttypes.NewMerklePrefix([]byte("ibc"))}
	version  = connectiontypes.NewVersion("1", []string{"ORDER_ORDERED", "ORDER_UNORDERED"})
	chInit   = channeltypes.NewChannel(channeltypes.INIT, channeltypes.UNORDERED, channeltypes.NewCounterparty("transfer", ""), []string{"connection-0"}, "ics20-1")
	chTry    = channeltypes.NewChannel(channeltypes.TRYOPEN, channeltypes.UNORDERED, channeltypes.NewCounterparty("transfer", "channel-3"), []string{"connection-0"}, "ics20-1")
	pk       = channeltypes.NewPacket([]byte(`{"x":1}`), 1, "transfer", "channel-0", "transfer", "channel-1", clienttypes.NewHeight(1, 100), 0)
	csBytes  = []byte{10, 1, 'x'}
	hdrBytes = []byte{10, 0}
)

// pair is an ibc-go message and the icsd message it must become.
type pair struct {
	in   gogoproto.Message
	want gogoproto.Message
}

func pairs() []pair {
	return []pair{
		{&clienttypes.MsgCreateClient{ClientState: anyOf(clientStateURL, csBytes), ConsensusState: anyOf(consensusStateURL, []byte{1}), Signer: signer},
			&client.MsgCreateClient{ClientState: csBytes, ConsensusState: []byte{1}, Signer: from}},
		{&clienttypes.MsgUpdateClient{ClientId: "07-tendermint-0", ClientMessage: anyOf(headerURL, hdrBytes), Signer: signer},
			&client.MsgUpdateClient{ClientId: "07-tendermint-0", Header: hdrBytes, Signer: from}},
		{&clienttypes.MsgUpdateClient{ClientId: "07-tendermint-0", ClientMessage: anyOf(misbehaviourURL, hdrBytes), Signer: signer},
			&client.MsgSubmitMisbehaviour{ClientId: "07-tendermint-0", Misbehaviour: hdrBytes, Signer: from}},
		{&clienttypes.MsgSubmitMisbehaviour{ClientId: "07-tendermint-0", Misbehaviour: anyOf(misbehaviourURL, hdrBytes), Signer: signer},
			&client.MsgSubmitMisbehaviour{ClientId: "07-tendermint-0", Misbehaviour: hdrBytes, Signer: from}},
		{&connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: cp, Version: version, Signer: signer},
			&connection.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: mustMarshal(&cp), Version: mustMarshal(version), Signer: from}},
		{&connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: cp, Signer: signer},
			&connection.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: mustMarshal(&cp), Signer: from}},
		{&connectiontypes.MsgConnectionOpenTry{ClientId: "07-tendermint-0", Counterparty: cpTry, CounterpartyVersions: []*connectiontypes.Version{version},
			ProofInit: proof, ProofHeight: ph, Signer: signer, ProofClient: []byte("ignored"), ClientState: anyOf(clientStateURL, csBytes)},
			&connection.MsgConnectionOpenTry{ClientId: "07-tendermint-0", Counterparty: mustMarshal(&cpTry), CounterpartyVersions: [][]byte{mustMarshal(version)},
				ProofInit: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&connectiontypes.MsgConnectionOpenAck{ConnectionId: "connection-0", CounterpartyConnectionId: "connection-1", Version: version, ProofTry: proof, ProofHeight: ph, Signer: signer},
			&connection.MsgConnectionOpenAck{ConnectionId: "connection-0", CounterpartyConnectionId: "connection-1", Version: mustMarshal(version), ProofTry: proof,
				ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&connectiontypes.MsgConnectionOpenConfirm{ConnectionId: "connection-0", ProofAck: proof, ProofHeight: ph, Signer: signer},
			&connection.MsgConnectionOpenConfirm{ConnectionId: "connection-0", ProofAck: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgChannelOpenInit{PortId: "transfer", Channel: chInit, Signer: signer},
			&channel.MsgChannelOpenInit{PortId: "transfer", Channel: mustMarshal(&chInit), Signer: from}},
		{&channeltypes.MsgChannelOpenTry{PortId: "transfer", Channel: chTry, CounterpartyVersion: "ics20-1", ProofInit: proof, ProofHeight: ph, Signer: signer},
			&channel.MsgChannelOpenTry{PortId: "transfer", Channel: mustMarshal(&chTry), CounterpartyVersion: "ics20-1", ProofInit: proof,
				ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgChannelOpenAck{PortId: "transfer", ChannelId: "channel-0", CounterpartyChannelId: "channel-3", CounterpartyVersion: "ics20-1", ProofTry: proof, ProofHeight: ph, Signer: signer},
			&channel.MsgChannelOpenAck{PortId: "transfer", ChannelId: "channel-0", CounterpartyChannelId: "channel-3", CounterpartyVersion: "ics20-1", ProofTry: proof,
				ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgChannelOpenConfirm{PortId: "transfer", ChannelId: "channel-0", ProofAck: proof, ProofHeight: ph, Signer: signer},
			&channel.MsgChannelOpenConfirm{PortId: "transfer", ChannelId: "channel-0", ProofAck: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgChannelCloseInit{PortId: "transfer", ChannelId: "channel-0", Signer: signer},
			&channel.MsgChannelCloseInit{PortId: "transfer", ChannelId: "channel-0", Signer: from}},
		{&channeltypes.MsgChannelCloseConfirm{PortId: "transfer", ChannelId: "channel-0", ProofInit: proof, ProofHeight: ph, Signer: signer},
			&channel.MsgChannelCloseConfirm{PortId: "transfer", ChannelId: "channel-0", ProofInit: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgRecvPacket{Packet: pk, ProofCommitment: proof, ProofHeight: ph, Signer: signer},
			&packet.MsgRecvPacket{Packet: mustMarshal(&pk), ProofCommitment: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgAcknowledgement{Packet: pk, Acknowledgement: []byte("ack"), ProofAcked: proof, ProofHeight: ph, Signer: signer},
			&packet.MsgAcknowledgement{Packet: mustMarshal(&pk), Acknowledgement: []byte("ack"), ProofAcked: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, Signer: from}},
		{&channeltypes.MsgTimeout{Packet: pk, ProofUnreceived: proof, ProofHeight: ph, NextSequenceRecv: 1, Signer: signer},
			&packet.MsgTimeout{Packet: mustMarshal(&pk), ProofUnreceived: proof, ProofRevisionNumber: 1, ProofRevisionHeight: 9, NextSequenceRecv: 1, Signer: from}},
		{&transfertypes.MsgTransfer{SourcePort: "transfer", SourceChannel: "channel-0", Token: sdk.NewCoin("stake", sdkmath.NewInt(5)), Sender: signer,
			Receiver: "cosmos1xyz", TimeoutHeight: clienttypes.NewHeight(1, 50), TimeoutTimestamp: 7, Memo: "m", Encoding: transfertypes.EncodingJSON},
			&transfer.MsgTransfer{Sender: from, SourcePort: "transfer", SourceChannel: "channel-0", Token: coin.Coin{Denom: "stake", Amount: 5},
				Receiver: "cosmos1xyz", TimeoutRevisionNumber: 1, TimeoutRevisionHeight: 50, TimeoutTimestamp: 7, Memo: "m"}},
	}
}

// TestDecode: every ibc-go message becomes the icsd message with the same
// content, for its signer, with its module.
func TestDecode(t *testing.T) {
	modules := map[string]string{}
	for _, p := range pairs() {
		url := interchain.TypeURL(p.in)
		m, err := Decode(url, mustMarshal(p.in), prefix)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if !bytes.Equal(m.Signer, from) || m.Sender != signer {
			t.Errorf("%s: signer %X %q", url, m.Signer, m.Sender)
		}
		if interchain.TypeURL(m.Native) != interchain.TypeURL(p.want) || !bytes.Equal(mustMarshal(m.Native), mustMarshal(p.want)) {
			t.Errorf("%s: got %v, want %v", url, m.Native, p.want)
		}
		modules[url] = m.Module
	}
	for url, want := range map[string]string{
		"/ibc.core.client.v1.MsgCreateClient":           ModuleClient,
		"/ibc.core.connection.v1.MsgConnectionOpenTry":  ModuleConnection,
		"/ibc.core.channel.v1.MsgChannelOpenInit":       ModuleChannel,
		"/ibc.core.channel.v1.MsgRecvPacket":            ModuleChannel,
		"/ibc.applications.transfer.v1.MsgTransfer":     ModuleTransfer,
		"/ibc.core.connection.v1.MsgConnectionOpenInit": ModuleConnection,
	} {
		if modules[url] != want {
			t.Errorf("%s: module %q, want %q", url, modules[url], want)
		}
	}
}

// TestDecodeRejects breaks one rule of a valid message at a time.
func TestDecodeRejects(t *testing.T) {
	badPacket := pk
	badPacket.Sequence = 0
	cases := []struct {
		name string
		in   gogoproto.Message
		want error
	}{
		{"bech32 of another prefix", &channeltypes.MsgChannelCloseInit{PortId: "transfer", ChannelId: "channel-0", Signer: address.Encode("cosmos", from)}, ErrInvalidSigner},
		{"no signer", &channeltypes.MsgChannelCloseInit{PortId: "transfer", ChannelId: "channel-0"}, ErrInvalidSigner},
		{"no client state", &clienttypes.MsgCreateClient{ConsensusState: anyOf(consensusStateURL, nil), Signer: signer}, ErrInvalidMsg},
		{"solo machine", &clienttypes.MsgCreateClient{ClientState: anyOf("/ibc.lightclients.solomachine.v3.ClientState", nil), ConsensusState: anyOf(consensusStateURL, nil), Signer: signer}, ErrUnsupported},
		{"wasm consensus state", &clienttypes.MsgCreateClient{ClientState: anyOf(clientStateURL, nil), ConsensusState: anyOf("/ibc.lightclients.wasm.v1.ConsensusState", nil), Signer: signer}, ErrUnsupported},
		{"bad client id", &clienttypes.MsgUpdateClient{ClientId: "x", ClientMessage: anyOf(headerURL, nil), Signer: signer}, ErrInvalidMsg},
		{"other client message", &clienttypes.MsgUpdateClient{ClientId: "07-tendermint-0", ClientMessage: anyOf("/ibc.lightclients.solomachine.v3.Header", nil), Signer: signer}, ErrUnsupported},
		{"header as misbehaviour", &clienttypes.MsgSubmitMisbehaviour{ClientId: "07-tendermint-0", Misbehaviour: anyOf(headerURL, nil), Signer: signer}, ErrUnsupported},
		{"init with counterparty connection", &connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: cpTry, Signer: signer}, ErrInvalidMsg},
		{"init without prefix", &connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: connectiontypes.Counterparty{ClientId: "07-tendermint-1"}, Signer: signer}, ErrInvalidMsg},
		{"init with delay", &connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: cp, DelayPeriod: 1, Signer: signer}, ErrUnsupported},
		{"init with empty version", &connectiontypes.MsgConnectionOpenInit{ClientId: "07-tendermint-0", Counterparty: cp, Version: &connectiontypes.Version{}, Signer: signer}, ErrInvalidMsg},
		{"try without versions", &connectiontypes.MsgConnectionOpenTry{ClientId: "07-tendermint-0", Counterparty: cpTry, ProofInit: proof, Signer: signer}, ErrInvalidMsg},
		{"try without proof", &connectiontypes.MsgConnectionOpenTry{ClientId: "07-tendermint-0", Counterparty: cpTry, CounterpartyVersions: []*connectiontypes.Version{version}, Signer: signer}, ErrInvalidMsg},
		{"try with delay", &connectiontypes.MsgConnectionOpenTry{ClientId: "07-tendermint-0", Counterparty: cpTry, CounterpartyVersions: []*connectiontypes.Version{version}, ProofInit: proof, DelayPeriod: 5, Signer: signer}, ErrUnsupported},
		{"ack without version", &connectiontypes.MsgConnectionOpenAck{ConnectionId: "connection-0", CounterpartyConnectionId: "connection-1", ProofTry: proof, Signer: signer}, ErrInvalidMsg},
		{"ack with bad connection id", &connectiontypes.MsgConnectionOpenAck{ConnectionId: "conn", CounterpartyConnectionId: "connection-1", Version: version, ProofTry: proof, Signer: signer}, ErrInvalidMsg},
		{"confirm without proof", &connectiontypes.MsgConnectionOpenConfirm{ConnectionId: "connection-0", Signer: signer}, ErrInvalidMsg},
		{"channel init in TRYOPEN", &channeltypes.MsgChannelOpenInit{PortId: "transfer", Channel: chTry, Signer: signer}, ErrInvalidMsg},
		{"channel init without hops", &channeltypes.MsgChannelOpenInit{PortId: "transfer", Channel: channeltypes.NewChannel(channeltypes.INIT, channeltypes.UNORDERED, channeltypes.NewCounterparty("transfer", ""), nil, "ics20-1"), Signer: signer}, ErrInvalidMsg},
		{"channel try with previous id", &channeltypes.MsgChannelOpenTry{PortId: "transfer", PreviousChannelId: "channel-0", Channel: chTry, ProofInit: proof, Signer: signer}, ErrInvalidMsg},
		{"channel try without counterparty channel", &channeltypes.MsgChannelOpenTry{PortId: "transfer", Channel: channeltypes.NewChannel(channeltypes.TRYOPEN, channeltypes.UNORDERED, channeltypes.NewCounterparty("transfer", ""), []string{"connection-0"}, "ics20-1"), ProofInit: proof, Signer: signer}, ErrInvalidMsg},
		{"channel try without proof", &channeltypes.MsgChannelOpenTry{PortId: "transfer", Channel: chTry, Signer: signer}, ErrInvalidMsg},
		{"channel ack with bad counterparty", &channeltypes.MsgChannelOpenAck{PortId: "transfer", ChannelId: "channel-0", CounterpartyChannelId: "c", ProofTry: proof, Signer: signer}, ErrInvalidMsg},
		{"close init with bad port", &channeltypes.MsgChannelCloseInit{PortId: "", ChannelId: "channel-0", Signer: signer}, ErrInvalidMsg},
		{"close confirm without proof", &channeltypes.MsgChannelCloseConfirm{PortId: "transfer", ChannelId: "channel-0", Signer: signer}, ErrInvalidMsg},
		{"recv of sequence 0", &channeltypes.MsgRecvPacket{Packet: badPacket, ProofCommitment: proof, Signer: signer}, ErrInvalidMsg},
		{"recv without proof", &channeltypes.MsgRecvPacket{Packet: pk, Signer: signer}, ErrInvalidMsg},
		{"empty acknowledgement", &channeltypes.MsgAcknowledgement{Packet: pk, ProofAcked: proof, Signer: signer}, ErrInvalidMsg},
		{"timeout with next sequence 0", &channeltypes.MsgTimeout{Packet: pk, ProofUnreceived: proof, Signer: signer}, ErrInvalidMsg},
		{"transfer of a huge amount", &transfertypes.MsgTransfer{SourcePort: "transfer", SourceChannel: "channel-0", Token: sdk.Coin{Denom: "stake", Amount: sdkmath.NewIntFromUint64(1 << 63).MulRaw(4)},
			Sender: signer, Receiver: "r", TimeoutTimestamp: 1}, ErrInvalidMsg},
		{"transfer of nothing", &transfertypes.MsgTransfer{SourcePort: "transfer", SourceChannel: "channel-0", Token: sdk.Coin{Denom: "stake"}, Sender: signer, Receiver: "r", TimeoutTimestamp: 1}, ErrInvalidMsg},
		{"transfer in protobuf", &transfertypes.MsgTransfer{SourcePort: "transfer", SourceChannel: "channel-0", Token: sdk.NewCoin("stake", sdkmath.NewInt(1)), Sender: signer, Receiver: "r", TimeoutTimestamp: 1,
			Encoding: transfertypes.EncodingProtobuf}, ErrUnsupported},
		{"transfer without timeout", &transfertypes.MsgTransfer{SourcePort: "transfer", SourceChannel: "channel-0", Token: sdk.NewCoin("stake", sdkmath.NewInt(1)), Sender: signer, Receiver: "r"}, transfer.ErrInvalidTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(interchain.TypeURL(tc.in), mustMarshal(tc.in), prefix)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Decode("/ibc.core.channel.v1.MsgTimeoutOnClose", nil, prefix); !errors.Is(err, interchain.ErrUnknownMsg) {
		t.Fatalf("MsgTimeoutOnClose: %v", err)
	}
	if _, err := Decode("/ibc.core.channel.v1.MsgRecvPacket", []byte{0xff}, prefix); !errors.Is(err, ErrInvalidMsg) {
		t.Fatalf("garbage: %v", err)
	}
}

// reference encodes a message of the reference's provider proto: fields
// numbered from 1, all length-delimited.
func reference(fields ...[]byte) []byte {
	var out []byte
	for i, f := range fields {
		if f == nil {
			continue
		}
		out = protowire.AppendTag(out, protowire.Number(i+1), protowire.BytesType)
		out = protowire.AppendBytes(out, f)
	}
	return out
}

// TestProviderMessages: the reference's evidence messages become icsd's.
func TestProviderMessages(t *testing.T) {
	mb, ev, hdr := []byte{10, 1, 1}, []byte{10, 1, 2}, []byte{10, 1, 3}
	m, err := Decode(URLSubmitConsumerMisbehaviour, reference([]byte(signer), mb, []byte("0")), prefix)
	if err != nil {
		t.Fatal(err)
	}
	want := &provider.MsgSubmitConsumerMisbehaviour{Submitter: from, ConsumerId: "0", Misbehaviour: mb}
	if !bytes.Equal(mustMarshal(m.Native), mustMarshal(want)) || m.Module != ModuleProvider {
		t.Fatalf("got %v", m.Native)
	}
	// An unknown field (the deprecated chain id would be one) is skipped.
	bz := protowire.AppendVarint(protowire.AppendTag(reference([]byte(signer), ev, hdr, []byte("7")), 9, protowire.VarintType), 1)
	m, err = Decode(URLSubmitConsumerDoubleVoting, bz, prefix)
	if err != nil {
		t.Fatal(err)
	}
	wantDV := &provider.MsgSubmitConsumerDoubleVoting{Submitter: from, ConsumerId: "7", DuplicateVoteEvidence: ev, InfractionBlockHeader: hdr}
	if !bytes.Equal(mustMarshal(m.Native), mustMarshal(wantDV)) {
		t.Fatalf("got %v", m.Native)
	}
	for name, tc := range map[string]struct {
		url  string
		bz   []byte
		want error
	}{
		"no misbehaviour":      {URLSubmitConsumerMisbehaviour, reference([]byte(signer), nil, []byte("0")), ErrInvalidMsg},
		"no header":            {URLSubmitConsumerDoubleVoting, reference([]byte(signer), ev, nil, []byte("0")), ErrInvalidMsg},
		"submitter twice":      {URLSubmitConsumerMisbehaviour, append(reference([]byte(signer), mb), reference([]byte(signer))...), ErrInvalidMsg},
		"submitter as varint":  {URLSubmitConsumerMisbehaviour, protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3), ErrInvalidMsg},
		"truncated":            {URLSubmitConsumerMisbehaviour, reference([]byte(signer), mb)[:10], ErrInvalidMsg},
		"consumer id not utf8": {URLSubmitConsumerMisbehaviour, reference([]byte(signer), mb, []byte{0xff}), ErrInvalidMsg},
		"bad submitter":        {URLSubmitConsumerMisbehaviour, reference([]byte("ics1bad"), mb, []byte("0")), ErrInvalidSigner},
	} {
		if _, err := Decode(tc.url, tc.bz, prefix); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// fakeLayer records the icsd messages it runs.
type fakeLayer struct {
	urls    []string
	signers [][]byte
}

func (f *fakeLayer) HandleMsg(_ state.Store, _ interchain.Block, signer []byte, typeURL string, _ []byte) ([]abci.Event, error) {
	f.urls = append(f.urls, typeURL)
	f.signers = append(f.signers, signer)
	return []abci.Event{{Type: "inner"}}, nil
}

// TestHandler: the handler runs the icsd message for the transaction
// signer after a message event, and refuses another signer without
// running anything.
func TestHandler(t *testing.T) {
	l := &fakeLayer{}
	h := Routes(l, prefix)["/ibc.core.channel.v1.MsgChannelCloseInit"]
	msg := mustMarshal(&channeltypes.MsgChannelCloseInit{PortId: "transfer", ChannelId: "channel-0", Signer: signer})
	if _, err := h(nil, interchain.Block{Height: 1, Time: time.Unix(1, 0)}, bytes.Repeat([]byte{8}, address.Len), msg); !errors.Is(err, ErrSignerMismatch) || len(l.urls) != 0 {
		t.Fatalf("other signer: %v, ran %v", err, l.urls)
	}
	if _, err := h(nil, interchain.Block{}, nil, msg); !errors.Is(err, ErrSignerMismatch) {
		t.Fatalf("no signer: %v", err)
	}
	evs, err := h(nil, interchain.Block{}, from, msg)
	if err != nil || len(l.urls) != 1 || l.urls[0] != interchain.TypeURL(&channel.MsgChannelCloseInit{}) || !bytes.Equal(l.signers[0], from) {
		t.Fatalf("%v: ran %v", err, l.urls)
	}
	if len(evs) != 2 || evs[0].Type != EventTypeMessage || evs[1].Type != "inner" {
		t.Fatalf("events %v", evs)
	}
	want := map[string]string{AttributeKeyAction: "/ibc.core.channel.v1.MsgChannelCloseInit", AttributeKeyModule: ModuleChannel, AttributeKeySender: signer}
	for _, a := range evs[0].Attributes {
		if want[a.Key] != a.Value {
			t.Errorf("%s = %q, want %q", a.Key, a.Value, want[a.Key])
		}
		delete(want, a.Key)
	}
	if len(want) != 0 {
		t.Errorf("missing attributes %v", want)
	}
	if _, ok := Routes(l, prefix)[URLSubmitConsumerMisbehaviour]; ok {
		t.Error("Routes has the provider's messages")
	}
	if _, ok := ProviderRoutes(l, prefix)[URLSubmitConsumerMisbehaviour]; !ok {
		t.Error("ProviderRoutes lacks the provider's messages")
	}
}

// FuzzDecode: no input makes Decode panic, and what it accepts becomes an
// icsd message that encodes, for a signer that is an address.
func FuzzDecode(f *testing.F) {
	urls := TypeURLs(true)
	index := map[string]uint8{}
	for i, u := range urls {
		index[u] = uint8(i)
	}
	for _, p := range pairs() {
		f.Add(index[interchain.TypeURL(p.in)], mustMarshal(p.in))
	}
	f.Add(index[URLSubmitConsumerMisbehaviour], reference([]byte(signer), []byte{1}, []byte("0")))
	f.Add(index[URLSubmitConsumerDoubleVoting], reference([]byte(signer), []byte{1}, []byte{2}, []byte("0")))
	f.Fuzz(func(t *testing.T, i uint8, bz []byte) {
		m, err := Decode(urls[int(i)%len(urls)], bz, prefix)
		if err != nil {
			return
		}
		if len(m.Signer) != address.Len || m.Native == nil {
			t.Fatalf("accepted %v for %X", m.Native, m.Signer)
		}
		if _, err := gogoproto.Marshal(m.Native); err != nil {
			t.Fatal(err)
		}
	})
}
