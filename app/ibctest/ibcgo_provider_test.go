package ibctest_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/types/address"
)

// referenceMsg is a message of the reference's proto, given by its type
// URL and encoding, as Hermes submits it.
type referenceMsg struct {
	url string
	bz  []byte
}

func (m *referenceMsg) Reset()                   {}
func (m *referenceMsg) String() string           { return m.url }
func (m *referenceMsg) ProtoMessage()            {}
func (m *referenceMsg) XXX_MessageName() string  { return strings.TrimPrefix(m.url, "/") }
func (m *referenceMsg) Marshal() ([]byte, error) { return m.bz, nil }

// referenceFields encodes length-delimited fields numbered from 1.
func referenceFields(fields ...[]byte) []byte {
	var out []byte
	for i, f := range fields {
		out = protowire.AppendTag(out, protowire.Number(i+1), protowire.BytesType)
		out = protowire.AppendBytes(out, f)
	}
	return out
}

// TestIBCGoConsumerDoubleVoting: the reference's
// MsgSubmitConsumerDoubleVoting tombstones the validator as icsd's own
// message does; a submitter that did not sign is refused first.
func TestIBCGoConsumerDoubleVoting(t *testing.T) {
	n := ccvNet(t, 4, nil, ibctest.ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	up, _ := ibctest.UpdateMsg(path.B, cons)
	ev := doubleVote(t, cons, prov.ValidatorKeys[1], cons.Height)
	msg := func(submitter int) *referenceMsg {
		return &referenceMsg{url: ibcgo.URLSubmitConsumerDoubleVoting, bz: referenceFields([]byte(address.Encode(prefix, prov.Address(submitter))),
			ibctest.Marshal(ev), up.Header, []byte(ibctest.ConsumerID(prov, cons.ID)))}
	}
	if r := prov.NextBlock(prov.Tx(0, msg(1))).TxResults[0]; r.Code != app.Code(ibcgo.ErrSignerMismatch) {
		t.Fatalf("other submitter: code %d: %s", r.Code, r.Log)
	}
	if validator(prov, 1).Tombstoned {
		t.Fatal("tombstoned by a refused message")
	}
	resp := prov.MustSucceed(prov.NextBlock(prov.Tx(0, msg(0))))
	if v := validator(prov, 1); !v.Tombstoned || !v.Jailed {
		t.Fatalf("after double voting: %+v", v)
	}
	if evs := ibctest.Events(resp, ibcgo.EventTypeMessage); len(evs) != 1 || evs[0]["module"] != ibcgo.ModuleProvider || evs[0]["action"] != ibcgo.URLSubmitConsumerDoubleVoting {
		t.Fatalf("message events %v", evs)
	}
	if len(ibctest.Events(resp, "submit_consumer_double_voting")) != 1 {
		t.Fatal("no submit_consumer_double_voting event")
	}
}
