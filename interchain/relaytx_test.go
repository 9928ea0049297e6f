package interchain

import (
	"bytes"
	"errors"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
)

func TestRelayTxRoundTrip(t *testing.T) {
	relayer := bytes.Repeat([]byte{7}, 20)
	raw, err := NewRelayTx(relayer, &client.MsgUpdateClient{ClientId: "07-tendermint-0"}, &packet.MsgRecvPacket{})
	if err != nil {
		t.Fatal(err)
	}
	tx, ok, err := DecodeRelayTx(raw)
	if err != nil || !ok {
		t.Fatalf("decode: ok %v, %v", ok, err)
	}
	if !bytes.Equal(tx.Relayer, relayer) || len(tx.Msgs) != 2 || tx.Msgs[0].TypeUrl != TypeURL(&client.MsgUpdateClient{}) {
		t.Fatalf("decoded %+v", tx)
	}
	var m client.MsgUpdateClient
	if err := m.Unmarshal(tx.Msgs[0].Value); err != nil || m.ClientId != "07-tendermint-0" {
		t.Fatalf("message %+v, %v", m, err)
	}
}

func TestRelayTxRefusals(t *testing.T) {
	if _, ok, err := DecodeRelayTx([]byte(`{"set":"x"}`)); ok || err != nil {
		t.Fatalf("a chain's own transaction: ok %v, %v", ok, err)
	}
	for name, msgs := range map[string][]gogoproto.Message{
		"none":         {},
		"transfer":     {&transfer.MsgTransfer{}},
		"key":          {&provider.MsgAssignConsumerKey{}},
		"close init":   {&channel.MsgChannelCloseInit{}},
		"relay+signed": {&packet.MsgRecvPacket{}, &transfer.MsgTransfer{}},
	} {
		tx := RelayTx{}
		for _, m := range msgs {
			tx.Msgs = append(tx.Msgs, RelayMsg{TypeUrl: TypeURL(m)})
		}
		bz, _ := tx.Marshal()
		if _, ok, err := DecodeRelayTx(append(bytes.Clone(RelayTxPrefix), bz...)); !ok || !errors.Is(err, ErrInvalidRelayTx) {
			t.Errorf("%s: ok %v, err %v", name, ok, err)
		}
	}
	if _, ok, err := DecodeRelayTx(append(bytes.Clone(RelayTxPrefix), 0xff, 0xff)); !ok || !errors.Is(err, ErrInvalidRelayTx) {
		t.Errorf("garbage: ok %v, err %v", ok, err)
	}
	many := make([]RelayMsg, MaxRelayMsgs+1)
	for i := range many {
		many[i] = RelayMsg{TypeUrl: TypeURL(&packet.MsgRecvPacket{})}
	}
	if err := (RelayTx{Msgs: many}).Validate(); !errors.Is(err, ErrInvalidRelayTx) {
		t.Errorf("too many messages: %v", err)
	}
}

func FuzzDecodeRelayTx(f *testing.F) {
	raw, _ := NewRelayTx([]byte{1}, &packet.MsgTimeout{})
	f.Add(raw)
	f.Add([]byte("not a relay tx"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, ok, err := DecodeRelayTx(raw)
		if !ok || err != nil {
			return
		}
		if err := tx.Validate(); err != nil {
			t.Fatalf("decoded a transaction that does not validate: %v", err)
		}
	})
}
