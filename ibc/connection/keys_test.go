package connection

import (
	"fmt"
	"testing"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state/typed"
)

// TestKeysFrozen freezes the connection keys and identifiers: the
// counterparty proves the paths, and the counter key is part of the store
// layout (it keeps the name of package channel, which first held it).
func TestKeysFrozen(t *testing.T) {
	for got, want := range map[string]string{
		commitment.ConnectionPath("connection-0"): "connections/connection-0",
		string(connectionsPrefix()):               "connections/",
		string(keyNextConnectionSeq):              "\x00channel/nextConnectionSequence",
		fmt.Sprintf("%x", typed.U64(258)):         "0000000000000102",
		string(Prefix().KeyPrefix):                "ibc",
		formatID(connectionPrefix, 3):             "connection-3",
		StoreName:                                 "ibc",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestCompatibleVersionsAreCopies checks that a caller cannot change the
// versions this chain proposes by editing what it was given.
func TestCompatibleVersionsAreCopies(t *testing.T) {
	v := CompatibleVersions()
	v[0].Features[0] = "changed"
	if got := CompatibleVersions()[0].Features[0]; got != "ORDER_ORDERED" {
		t.Fatalf("CompatibleVersions()[0].Features[0] = %q", got)
	}
}
