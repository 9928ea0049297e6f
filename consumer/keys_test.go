package consumer

import (
	"bytes"
	"testing"

	"github.com/abci-ics/ics/consumer/sovereign"
)

func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyProviderClient, keyProviderChannel, prefixPendingChanges, prefixMaturity, prefixHeightVSCID,
		prefixOutstanding, prefixPendingPacket, prefixValidator, keyNextPacketIndex, keyParams,
		keyOpeningChannel, keyFeePoolAddr, keyStopped, keyHighestVSCID, prefixSigningInfo, prefixMissed, keyClosePending,
		keyConsumerID, keyTransmissionChannel, keyLastTransmission}
	want := []byte{0x03, 0x04, 0x05, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x14, 0x16, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39}
	if !bytes.Equal(got, want) {
		t.Fatalf("consumer key prefixes changed: %x", got)
	}
	seen := map[byte]bool{}
	for _, b := range append(got, sovereign.Prefixes()...) {
		if seen[b] {
			t.Fatalf("prefix %x used twice", b)
		}
		seen[b] = true
	}
	if StoreName != "consumer" || sovereign.StoreName != StoreName {
		t.Fatal("store name changed")
	}
	if k := MaturityKey(0, 7); !bytes.Equal(k, []byte{0x0c, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}) {
		t.Fatalf("maturity key %x", k)
	}
	if bytes.Compare(MaturityKey(-1, 9), MaturityKey(0, 1)) >= 0 || bytes.Compare(MaturityKey(5, 9), MaturityKey(6, 1)) >= 0 {
		t.Fatal("maturity keys are not in time order")
	}
	if k := HeightVSCIDKey(258); !bytes.Equal(k, []byte{0x0d, 0, 0, 0, 0, 0, 0, 1, 2}) {
		t.Fatalf("height key %x", k)
	}
	if k := PendingPacketKey(1); !bytes.Equal(k, []byte{0x0f, 0, 0, 0, 0, 0, 0, 0, 1}) {
		t.Fatalf("pending packet key %x", k)
	}
	if k := MissedKey([]byte{0xaa}, 2); !bytes.Equal(k, []byte{0x35, 0xaa, 0, 0, 0, 0, 0, 0, 0, 2}) {
		t.Fatalf("missed key %x", k)
	}
	if k := ValidatorKey([]byte{1, 2}); !bytes.Equal(k, []byte{0x10, 1, 2}) {
		t.Fatalf("validator key %x", k)
	}
}

func TestConsAddress(t *testing.T) {
	// The address of the all-zero key, as CometBFT computes it: the first
	// 20 bytes of SHA-256 of 32 zero bytes.
	want := []byte{0x66, 0x68, 0x7a, 0xad, 0xf8, 0x62, 0xbd, 0x77, 0x6c, 0x8f, 0xc1, 0x8b, 0x8e, 0x9f, 0x8e, 0x20, 0x08, 0x97, 0x14, 0x85}
	if got := ConsAddress(make([]byte, 32)); !bytes.Equal(got, want) {
		t.Fatalf("ConsAddress(0^32) = %x", got)
	}
}
