package testnet

import (
	"testing"

	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/consumernet"
)

func TestDescribe(t *testing.T) {
	if d := (&ConsumerChain{Chain: &consumernet.Chain{ChainID: "consumer-2"}, ConsumerID: "1", Kind: ccvopts.OptIn(0, 1)}).describe(); d != "consumer-2 (consumer 1, opt-in)" {
		t.Fatal(d)
	}
	if d := describeValidators([]int{0, 1}); d != "validators 0, 1" {
		t.Fatal(d)
	}
	if d := describeValidators([]int{2}); d != "validator 2" {
		t.Fatal(d)
	}
}
