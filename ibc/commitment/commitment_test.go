package commitment

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"

	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// fixture commits a multistore whose "ibc" store holds a few ICS-24 paths
// (and whose other stores hold unrelated keys) and returns a view of the
// committed version with the stored paths and values.
func fixture(t testing.TB) (*state.View, map[string][]byte) {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{"auth", "bank", StoreName, "staking"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	kv := map[string][]byte{
		ClientStatePath("07-tendermint-0"):                                 []byte("client state"),
		ConsensusStatePath("07-tendermint-0", clienttypes.NewHeight(1, 5)): []byte("consensus state"),
		ConnectionPath("connection-0"):                                     []byte("connection end"),
		ChannelPath("transfer", "channel-0"):                               []byte("channel end"),
		PacketCommitmentPath("transfer", "channel-0", 1):                   bytes.Repeat([]byte{0xab}, 32),
		PacketCommitmentPath("transfer", "channel-0", 3):                   bytes.Repeat([]byte{0xcd}, 32),
		PacketAcknowledgementPath("transfer", "channel-0", 2):              bytes.Repeat([]byte{0xef}, 32),
		PacketReceiptPath("transfer", "channel-0", 7):                      {1},
		NextSequenceRecvPath("consumer", "channel-1"):                      {0, 0, 0, 0, 0, 0, 0, 9},
	}
	// Insert in sorted order: the IAVL tree's shape, and so the app hash,
	// depends on the order of insertion.
	w := ms.Working()
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		w.KV(StoreName).Set([]byte(k), kv[k])
	}
	w.KV("bank").Set([]byte("balance"), []byte{1})
	if _, err := ms.Commit(); err != nil {
		t.Fatal(err)
	}
	// A second version that changes the IBC store, so that the proofs of
	// version 1 are checked against a root that is not the latest.
	ms.Working().KV(StoreName).Set([]byte(PacketCommitmentPath("transfer", "channel-0", 4)), []byte{9})
	if _, err := ms.Commit(); err != nil {
		t.Fatal(err)
	}
	v, err := ms.View(1)
	if err != nil {
		t.Fatal(err)
	}
	return v, kv
}

func TestPathsAreICS24(t *testing.T) {
	for got, want := range map[string]string{
		ClientStatePath("07-tendermint-3"):                                  "clients/07-tendermint-3/clientState",
		ConsensusStatePath("07-tendermint-3", clienttypes.NewHeight(2, 17)): "clients/07-tendermint-3/consensusStates/2-17",
		ClientConnectionsPath("07-tendermint-3"):                            "clients/07-tendermint-3/connections",
		ConnectionPath("connection-4"):                                      "connections/connection-4",
		ChannelPath("provider", "channel-5"):                                "channelEnds/ports/provider/channels/channel-5",
		NextSequenceSendPath("provider", "channel-5"):                       "nextSequenceSend/ports/provider/channels/channel-5",
		NextSequenceRecvPath("provider", "channel-5"):                       "nextSequenceRecv/ports/provider/channels/channel-5",
		NextSequenceAckPath("provider", "channel-5"):                        "nextSequenceAck/ports/provider/channels/channel-5",
		PacketCommitmentPath("provider", "channel-5", 6):                    "commitments/ports/provider/channels/channel-5/sequences/6",
		PacketAcknowledgementPath("provider", "channel-5", 6):               "acks/ports/provider/channels/channel-5/sequences/6",
		PacketReceiptPath("provider", "channel-5", 6):                       "receipts/ports/provider/channels/channel-5/sequences/6",
		string(Prefix().Bytes()):                                            "ibc",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestProveVerifyRoundTrip(t *testing.T) {
	v, kv := fixture(t)
	root := v.Hash()
	for path, want := range kv {
		value, proof, err := Prove(v, path)
		if err != nil {
			t.Fatalf("prove %q: %v", path, err)
		}
		if !bytes.Equal(value, want) {
			t.Fatalf("prove %q: value %x, want %x", path, value, want)
		}
		if err := VerifyMembership(root, proof, path, value); err != nil {
			t.Fatalf("verify %q: %v", path, err)
		}
		// A membership proof is no proof of absence.
		if err := VerifyNonMembership(root, proof, path); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("membership proof of %q accepted as non-membership: %v", path, err)
		}
	}
	absent := []string{
		PacketCommitmentPath("transfer", "channel-0", 2),
		PacketCommitmentPath("transfer", "channel-0", 4), // written only in version 2
		PacketReceiptPath("transfer", "channel-0", 8),
		"a", "zzzz", ClientStatePath("07-tendermint-1"),
	}
	for _, path := range absent {
		value, proof, err := Prove(v, path)
		if err != nil {
			t.Fatalf("prove absent %q: %v", path, err)
		}
		if value != nil {
			t.Fatalf("absent %q has value %x", path, value)
		}
		if err := VerifyNonMembership(root, proof, path); err != nil {
			t.Fatalf("verify absence of %q: %v", path, err)
		}
		if err := VerifyMembership(root, proof, path, []byte{1}); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("non-membership proof of %q accepted as membership: %v", path, err)
		}
	}
}

// TestIBCGoAcceptsProofs checks our proofs with ibc-go's own MerkleProof
// verification under the SDK proof specs and the "ibc" prefix, the way a
// counterparty ibc-go chain checks them.
func TestIBCGoAcceptsProofs(t *testing.T) {
	v, _ := fixture(t)
	root := commitmenttypes.NewMerkleRoot(v.Hash())
	check := func(path string, value []byte) {
		t.Helper()
		_, proof, err := Prove(v, path)
		if err != nil {
			t.Fatal(err)
		}
		var mp commitmenttypes.MerkleProof
		if err := mp.Unmarshal(proof); err != nil {
			t.Fatal(err)
		}
		mpath := commitmenttypes.NewMerklePath([]byte(StoreName), []byte(path))
		if value != nil {
			err = mp.VerifyMembership(commitmenttypes.GetSDKSpecs(), root, mpath, value)
		} else {
			err = mp.VerifyNonMembership(commitmenttypes.GetSDKSpecs(), root, mpath)
		}
		if err != nil {
			t.Fatalf("ibc-go rejects the proof of %q: %v", path, err)
		}
	}
	check(ChannelPath("transfer", "channel-0"), []byte("channel end"))
	check(PacketCommitmentPath("transfer", "channel-0", 2), nil)
}

func TestVerifyRejects(t *testing.T) {
	v, _ := fixture(t)
	root := v.Hash()
	path := ChannelPath("transfer", "channel-0")
	value, proof, err := Prove(v, path)
	if err != nil {
		t.Fatal(err)
	}
	absPath := PacketCommitmentPath("transfer", "channel-0", 2)
	_, absProof, err := Prove(v, absPath)
	if err != nil {
		t.Fatal(err)
	}
	otherRoot := bytes.Clone(root)
	otherRoot[0] ^= 1

	// A proof of another store: the "bank" store's key.
	_, bankProofs, err := v.Prove("bank", []byte("balance"))
	if err != nil {
		t.Fatal(err)
	}
	bankProof, err := EncodeProof(bankProofs)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		err   error
		check func() error
	}{
		{"wrong path", ErrInvalidProof, func() error { return VerifyMembership(root, proof, ChannelPath("transfer", "channel-1"), value) }},
		{"wrong value", ErrInvalidProof, func() error { return VerifyMembership(root, proof, path, []byte("channel enD")) }},
		{"empty value", ErrInvalidProof, func() error { return VerifyMembership(root, proof, path, []byte{}) }},
		{"wrong root", ErrInvalidProof, func() error { return VerifyMembership(otherRoot, proof, path, value) }},
		{"empty root", ErrInvalidProof, func() error { return VerifyMembership(nil, proof, path, value) }},
		{"empty path", ErrInvalidPath, func() error { return VerifyMembership(root, proof, "", value) }},
		{"nil proof", ErrInvalidProof, func() error { return VerifyMembership(root, nil, path, value) }},
		{"garbage proof", ErrInvalidProof, func() error { return VerifyMembership(root, []byte("not a proof at all"), path, value) }},
		{"truncated proof", ErrInvalidProof, func() error { return VerifyMembership(root, proof[:len(proof)/2], path, value) }},
		{"other store", ErrInvalidProof, func() error { return VerifyMembership(root, bankProof, "balance", []byte{1}) }},
		{"absence: wrong path", ErrInvalidProof, func() error {
			return VerifyNonMembership(root, absProof, PacketCommitmentPath("transfer", "channel-0", 5))
		}},
		{"absence of a present path", ErrInvalidProof, func() error {
			return VerifyNonMembership(root, absProof, PacketCommitmentPath("transfer", "channel-0", 1))
		}},
		{"absence: wrong root", ErrInvalidProof, func() error { return VerifyNonMembership(otherRoot, absProof, absPath) }},
		{"absence: garbage", ErrInvalidProof, func() error { return VerifyNonMembership(root, []byte{0xff, 0x01}, absPath) }},
		{"absence: empty path", ErrInvalidPath, func() error { return VerifyNonMembership(root, absProof, "") }},
	} {
		if err := tc.check(); !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
	}
}

// TestTamperedProof flips every byte of a membership and a non-membership
// proof in turn: no tampered proof may verify.
func TestTamperedProof(t *testing.T) {
	v, _ := fixture(t)
	root := v.Hash()
	path := PacketCommitmentPath("transfer", "channel-0", 3)
	value, proof, err := Prove(v, path)
	if err != nil {
		t.Fatal(err)
	}
	absPath := PacketReceiptPath("transfer", "channel-0", 8)
	_, absProof, err := Prove(v, absPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range proof {
		for _, mask := range []byte{0x01, 0x80} {
			bad := bytes.Clone(proof)
			bad[i] ^= mask
			if err := VerifyMembership(root, bad, path, value); err == nil {
				t.Fatalf("membership proof with byte %d ^ %#x verifies", i, mask)
			}
		}
	}
	for i := range absProof {
		bad := bytes.Clone(absProof)
		bad[i] ^= 0x01
		if err := VerifyNonMembership(root, bad, absPath); err == nil {
			t.Fatalf("non-membership proof with byte %d flipped verifies", i)
		}
	}
}

func TestProveErrors(t *testing.T) {
	ms, err := state.Open(dbm.NewMemDB(), []string{"bank", StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	ms.Working().KV("bank").Set([]byte("k"), []byte{1})
	if _, err := ms.Commit(); err != nil {
		t.Fatal(err)
	}
	v, err := ms.View(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prove(v, "connections/connection-0"); !errors.Is(err, ErrUnprovable) {
		t.Fatalf("prove in an empty IBC store: got %v, want ErrUnprovable", err)
	}
	if _, _, err := Prove(v, ""); !errors.Is(err, ErrInvalidPath) {
		t.Fatalf("prove empty path: got %v, want ErrInvalidPath", err)
	}
}

func TestProofFromOps(t *testing.T) {
	v, kv := fixture(t)
	path := ConnectionPath("connection-0")
	_, proofs, err := v.Prove(StoreName, []byte(path))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := stateproof.Ops(StoreName, []byte(path), proofs)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := ProofFromOps(ops, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyMembership(v.Hash(), proof, path, kv[path]); err != nil {
		t.Fatal(err)
	}
	if _, err := ProofFromOps(ops, ConnectionPath("connection-1")); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("ops for another key: got %v", err)
	}
	if _, err := ProofFromOps(nil, path); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("nil ops: got %v", err)
	}
}

func FuzzVerifyMembership(f *testing.F) {
	v, kv := fixture(f)
	root := v.Hash()
	for _, path := range slices.Sorted(maps.Keys(kv)) {
		_, proof, err := Prove(v, path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(root, proof, path, kv[path])
	}
	_, absProof, err := Prove(v, "zzz")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(root, absProof, "zzz", []byte{1})
	f.Add([]byte{}, []byte{0x0a, 0x00}, "x", []byte{})
	f.Fuzz(func(t *testing.T, root, proof []byte, path string, value []byte) {
		err := VerifyMembership(root, proof, path, value)
		if err == nil {
			// Only the honest proofs of the fixture may verify.
			if want, ok := kv[path]; !ok || !bytes.Equal(want, value) || !bytes.Equal(root, v.Hash()) {
				t.Fatalf("forged membership of %q = %x verifies", path, value)
			}
		}
		nerr := VerifyNonMembership(root, proof, path)
		if nerr == nil {
			if _, ok := kv[path]; ok {
				t.Fatalf("absence of present %q verifies", path)
			}
		}
		_ = fmt.Sprint(err, nerr)
	})
}
