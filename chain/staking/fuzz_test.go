package staking

import (
	"testing"
	"time"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// FuzzMsgs decodes arbitrary bytes as each message type and runs the
// handler, signed by the message's own delegator or operator, on a fresh
// cache over a chain with validators, delegations and pending entries. It
// must never panic. Kind 6 decodes a GenesisState and runs InitGenesis.
func FuzzMsgs(f *testing.F) {
	fx := newFixture(f, testParams(), 6, 100_000)
	for i := 0; i < 3; i++ {
		fx.createValidator(i, 10_000)
	}
	fx.delegate(acct(3), acct(0), 5_000)
	fx.endBlock(time.Second)
	fx.undelegate(acct(3), acct(0), 1_000)
	n, err := fx.k.Slash(fx.s, ConsAddress(pubKey(1)), fx.height, 1_000, fraction.New(1, 3), fx.height)
	if err != nil {
		f.Fatal(err)
	}
	fx.burned += n
	fx.endBlock(time.Second)

	seeds := []interface{ Marshal() ([]byte, error) }{
		&MsgCreateValidator{Operator: acct(4), PubKey: pubKey(4), Moniker: "m", CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 2), SelfDelegation: 100},
		&MsgDelegate{Delegator: acct(3), Validator: acct(1), Amount: 77},
		&MsgUndelegate{Delegator: acct(3), Validator: acct(0), Amount: 1_000},
		&MsgRedelegate{Delegator: acct(3), Src: acct(0), Dst: acct(2), Amount: 3},
		&MsgUnjail{Validator: acct(1)},
		&MsgEditValidator{Validator: acct(2), Moniker: "x", CommissionRate: &fraction.Fraction{Numerator: 1, Denominator: 3}},
		fx.k.ExportGenesis(fx.s),
	}
	for i, m := range seeds {
		bz, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), bz)
	}
	f.Fuzz(func(t *testing.T, kind uint8, bz []byte) {
		s := state.NewCache(fx.s)
		h, now := fx.height, fx.now
		var err error
		switch kind % 7 {
		case 0:
			var m MsgCreateValidator
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.CreateValidator(s, h, now, m.Operator, &m)
			}
		case 1:
			var m MsgDelegate
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.Delegate(s, h, now, m.Delegator, &m)
			}
		case 2:
			var m MsgUndelegate
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.Undelegate(s, h, now, m.Delegator, &m)
			}
		case 3:
			var m MsgRedelegate
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.Redelegate(s, h, now, m.Delegator, &m)
			}
		case 4:
			var m MsgUnjail
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.Unjail(s, h, now, m.Validator, &m)
			}
		case 5:
			var m MsgEditValidator
			if m.Unmarshal(bz) == nil {
				_, err = fx.k.EditValidator(s, h, now, m.Validator, &m)
			}
		case 6:
			var gs GenesisState
			if gs.Unmarshal(bz) == nil {
				_, err = fx.k.InitGenesis(s, &gs, h, now)
			}
		}
		if err == nil {
			// Whatever was accepted leaves a chain that still runs.
			if _, _, err := fx.k.EndBlock(s, h, now); err != nil {
				t.Fatal(err)
			}
		}
	})
}
