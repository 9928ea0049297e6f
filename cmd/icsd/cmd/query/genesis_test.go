package query

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ccv/icsgenesis"
)

// TestConsumerGenesisAs: --format icsd passes the node's answer through,
// --format ics converts it to the reference's form, which reads back as
// the same genesis; a changeover genesis is refused with the reason.
func TestConsumerGenesisAs(t *testing.T) {
	cs, _ := ibctm.NewClientState("provider-1", ibctm.DefaultTrustLevel, time.Hour, 2*time.Hour, 10*time.Second,
		clienttypes.NewHeight(1, 5), commitmenttypes.GetSDKSpecs(), nil).Marshal()
	cons, _ := ibctm.NewConsensusState(time.Unix(1e9, 0), commitmenttypes.NewMerkleRoot([]byte("apphash")), make([]byte, 32)).Marshal()
	cg := &ccv.ConsumerGenesis{ProviderClientState: cs, ProviderConsensusState: cons, ConsumerId: "4",
		InitialValidators: []ccv.InitialValidator{{PubKey: make([]byte, 32), Power: 10}}, Params: ccv.DefaultConsumerParams()}
	raw, err := icsgenesis.ICSD(cg)
	if err != nil {
		t.Fatal(err)
	}
	same, err := consumerGenesisAs(raw, icsgenesis.FormatICSD)
	if err != nil || string(same) != string(raw) {
		t.Fatalf("icsd: %v", err)
	}
	ics, err := consumerGenesisAs(raw, icsgenesis.FormatICS)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(ics, &top); err != nil || string(top["new_chain"]) != "true" || top["provider"] == nil {
		t.Fatalf("ics form %s (%v)", ics, err)
	}
	back, f, err := icsgenesis.Read(ics)
	if err != nil || f != icsgenesis.FormatICS || !reflect.DeepEqual(back, cg) {
		t.Fatalf("read back %+v, %q, %v", back, f, err)
	}

	cg.Changeover = &ccv.Changeover{ChainId: "solo-1", Height: 9}
	if raw, err = icsgenesis.ICSD(cg); err != nil {
		t.Fatal(err)
	}
	if _, err := consumerGenesisAs(raw, icsgenesis.FormatICS); !errors.Is(err, icsgenesis.ErrNotConvertible) || !strings.Contains(err.Error(), "changeover") {
		t.Fatalf("changeover: %v", err)
	}
	if _, err := consumerGenesisAs([]byte(`{"x":1}`), icsgenesis.FormatICS); !errors.Is(err, ccv.ErrInvalidGenesis) {
		t.Fatalf("bad answer: %v", err)
	}
}
