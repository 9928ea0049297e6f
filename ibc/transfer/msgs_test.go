package transfer

import (
	"errors"
	"strings"
	"testing"

	"github.com/abci-ics/ics/chain/bank"
)

func TestHandleTransferRejects(t *testing.T) {
	errSend := errors.New("channel closed")
	cases := []struct {
		name   string
		break_ func(c *chain, m *MsgTransfer, signer *[]byte)
		want   error
	}{
		{"signer is not the sender", func(c *chain, m *MsgTransfer, s *[]byte) { *s, _ = c.user("mallory") }, ErrUnauthorized},
		{"short sender", func(c *chain, m *MsgTransfer, s *[]byte) { m.Sender = m.Sender[:19]; *s = m.Sender }, ErrInvalidAddress},
		{"other port", func(c *chain, m *MsgTransfer, s *[]byte) { m.SourcePort = "ica" }, ErrInvalidPort},
		{"malformed channel", func(c *chain, m *MsgTransfer, s *[]byte) { m.SourceChannel = "chan-0" }, ErrInvalidChannel},
		{"channel with leading zero", func(c *chain, m *MsgTransfer, s *[]byte) { m.SourceChannel = "channel-00" }, ErrInvalidChannel},
		{"unknown channel", func(c *chain, m *MsgTransfer, s *[]byte) { m.SourceChannel = "channel-9" }, ErrChannelNotFound},
		{"invalid denom", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Denom = "1stake" }, ErrInvalidDenom},
		{"empty denom segment", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Denom = "st//ake" }, ErrInvalidDenom},
		{"trailing slash", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Denom = "stake/" }, ErrInvalidDenom},
		{"zero amount", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Amount = 0 }, ErrInvalidAmount},
		{"empty receiver", func(c *chain, m *MsgTransfer, s *[]byte) { m.Receiver = "" }, ErrInvalidAddress},
		{"blank receiver", func(c *chain, m *MsgTransfer, s *[]byte) { m.Receiver = " \t" }, ErrInvalidAddress},
		{"long receiver", func(c *chain, m *MsgTransfer, s *[]byte) { m.Receiver = strings.Repeat("r", MaxReceiverLen+1) }, ErrInvalidAddress},
		{"receiver not UTF-8", func(c *chain, m *MsgTransfer, s *[]byte) { m.Receiver = "r\xff" }, ErrInvalidAddress},
		{"long memo", func(c *chain, m *MsgTransfer, s *[]byte) { m.Memo = strings.Repeat("m", MaxMemoLen+1) }, ErrInvalidMemo},
		{"memo not UTF-8", func(c *chain, m *MsgTransfer, s *[]byte) { m.Memo = "\xc3" }, ErrInvalidMemo},
		{"no timeout", func(c *chain, m *MsgTransfer, s *[]byte) { m.TimeoutTimestamp = 0 }, ErrInvalidTimeout},
		{"revision without height", func(c *chain, m *MsgTransfer, s *[]byte) { m.TimeoutRevisionNumber = 1 }, ErrInvalidTimeout},
		{"insufficient funds", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Amount = 1001 }, bank.ErrInsufficientFunds},
		{"no such native token", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Denom = "atom" }, bank.ErrInsufficientFunds},
		{"no such voucher", func(c *chain, m *MsgTransfer, s *[]byte) { m.Token.Denom = voucherAB }, bank.ErrInsufficientFunds},
		{"send disabled", func(c *chain, m *MsgTransfer, s *[]byte) {
			c.k.SetParams(c.s, Params{ReceiveEnabled: true})
		}, ErrSendDisabled},
		{"channel keeper refuses", func(c *chain, m *MsgTransfer, s *[]byte) { c.ch.sendErr = errSend }, errSend},
		{"bad keeper prefix", func(c *chain, m *MsgTransfer, s *[]byte) { c.k.Prefix = "" }, ErrInvalidAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := twoChains(t)
			alice, _ := a.user("alice")
			m := transferMsg(alice, "channel-0", "stake", 100, "receiver")
			signer := alice
			tc.break_(a, m, &signer)
			hash := a.ms.WorkingHash()
			_, err := a.k.HandleTransfer(a.s, 1, now, signer, m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if string(hash) != string(a.ms.WorkingHash()) {
				t.Fatal("a refused transfer wrote state")
			}
			if len(a.ch.out) != 0 {
				t.Fatal("a refused transfer sent a packet")
			}
			wantBalance(t, a, alice, "stake", 1000)
		})
	}
}

func TestHandleTransferAcceptsBounds(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *MsgTransfer)
	}{
		{"longest receiver", func(m *MsgTransfer) { m.Receiver = strings.Repeat("r", MaxReceiverLen) }},
		{"longest memo", func(m *MsgTransfer) { m.Memo = strings.Repeat("m", MaxMemoLen) }},
		{"height timeout only", func(m *MsgTransfer) { m.TimeoutTimestamp, m.TimeoutRevisionNumber, m.TimeoutRevisionHeight = 0, 1, 100 }},
		{"whole balance", func(m *MsgTransfer) { m.Token.Amount = 1000 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := twoChains(t)
			alice, _ := a.user("alice")
			m := transferMsg(alice, "channel-0", "stake", 100, "receiver")
			tc.edit(m)
			p := a.mustSend(m)
			if p.TimeoutTimestamp != m.TimeoutTimestamp || p.TimeoutHeight.RevisionNumber != m.TimeoutRevisionNumber || p.TimeoutHeight.RevisionHeight != m.TimeoutRevisionHeight {
				t.Fatalf("packet timeouts %v %d", p.TimeoutHeight, p.TimeoutTimestamp)
			}
			d, amount, err := DecodePacketData(p.Data)
			if err != nil || amount != m.Token.Amount || d.Receiver != m.Receiver || d.Memo != m.Memo {
				t.Fatalf("packet data %+v %d: %v", d, amount, err)
			}
			wantBalance(t, a, alice, "stake", 1000-m.Token.Amount)
		})
	}
}
