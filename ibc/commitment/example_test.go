package commitment_test

import (
	"fmt"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// ExampleProve proves a packet commitment of a committed version and
// checks the proof against that version's app hash, as the counterparty's
// client does with the root of its consensus state.
func ExampleProve() {
	ms, err := state.Open(dbm.NewMemDB(), []string{"bank", commitment.StoreName}, state.Options{})
	if err != nil {
		panic(err)
	}
	defer ms.Close()
	path := commitment.PacketCommitmentPath("transfer", "channel-0", 1)
	ms.Working().KV(commitment.StoreName).Set([]byte(path), []byte("commitment"))
	ci, err := ms.Commit()
	if err != nil {
		panic(err)
	}
	v, err := ms.View(ci.Version)
	if err != nil {
		panic(err)
	}
	value, proof, err := commitment.Prove(v, path)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(value), commitment.VerifyMembership(ci.Hash, proof, path, value))

	absent := commitment.PacketReceiptPath("transfer", "channel-0", 1)
	_, proof, err = commitment.Prove(v, absent)
	if err != nil {
		panic(err)
	}
	fmt.Println(commitment.VerifyNonMembership(ci.Hash, proof, absent))
	// Output:
	// commitment <nil>
	// <nil>
}
