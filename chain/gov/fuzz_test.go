package gov

import (
	"bytes"
	"testing"

	"github.com/abci-ics/ics/types/coin"
)

// FuzzMessages decodes arbitrary bytes as every gov message and content:
// decoding and ValidateBasic never panic, and what decodes re-encodes to
// bytes that decode to the same message.
func FuzzMessages(f *testing.F) {
	for _, m := range []interface{ Marshal() ([]byte, error) }{
		&MsgSubmitProposal{Proposer: addr("a"), Content: mark("x"), Title: "t", InitialDeposit: []coin.Coin{{Denom: denom, Amount: 1}}},
		&MsgDeposit{Depositor: addr("a"), ProposalId: 1, Amount: []coin.Coin{{Denom: denom, Amount: 1}}},
		&MsgVote{Voter: addr("a"), ProposalId: 1, Option: OptionNoWithVeto},
		&ParamChangeProposal{Changes: []ParamChange{{Module: "gov", Key: "quorum", Value: `"0.5"`}}},
	} {
		bz, _ := m.Marshal()
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		type msg interface {
			Marshal() ([]byte, error)
			Unmarshal([]byte) error
			ValidateBasic() error
		}
		for _, mk := range []func() msg{
			func() msg { return &MsgSubmitProposal{} },
			func() msg { return &MsgDeposit{} },
			func() msg { return &MsgVote{} },
			func() msg { return &ParamChangeProposal{} },
		} {
			m := mk()
			if m.Unmarshal(bz) != nil {
				continue
			}
			_ = m.ValidateBasic()
			out, err := m.Marshal()
			if err != nil {
				t.Fatalf("%T: marshal: %v", m, err)
			}
			m2 := mk()
			if err := m2.Unmarshal(out); err != nil {
				t.Fatalf("%T: re-decode: %v", m, err)
			}
			out2, _ := m2.Marshal()
			if !bytes.Equal(out, out2) {
				t.Fatalf("%T: encoding not stable", m)
			}
		}
	})
}
