package icsgenesis

import (
	"testing"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
)

// fixture returns a valid consumer genesis of ours with two validators.
func fixture(t testing.TB) *ccv.ConsumerGenesis {
	t.Helper()
	cs := ibctm.NewClientState("provider-1", ibctm.DefaultTrustLevel, 1197504*time.Second, 1814400*time.Second, 10*time.Second,
		clienttypes.NewHeight(1, 25), commitmenttypes.GetSDKSpecs(), []string{"upgrade", "upgradedIBCState"})
	cons := ibctm.NewConsensusState(time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC), commitmenttypes.NewMerkleRoot([]byte("apphash-of-the-provider-at-25!!!")), make([]byte, 32))
	csBz, err := cs.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	consBz, err := cons.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	key := func(b byte) []byte {
		k := make([]byte, ccv.PubKeySize)
		k[0] = b
		return k
	}
	g := &ccv.ConsumerGenesis{
		ProviderClientState:    csBz,
		ProviderConsensusState: consBz,
		InitialValidators:      []ccv.InitialValidator{{PubKey: key(1), Power: 10}, {PubKey: key(2), Power: 30}},
		Params:                 ccv.DefaultConsumerParams(),
		ConsumerId:             "7",
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	return g
}
