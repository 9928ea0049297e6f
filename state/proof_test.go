package state

import (
	"bytes"
	"errors"
	"testing"

	stateproof "github.com/abci-ics/ics/state/proof"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	dbm "github.com/cosmos/cosmos-db"
	ics23 "github.com/cosmos/ics23/go"
)

// proofFixture commits three versions and returns a view of version 2.
func proofFixture(t *testing.T) (*MultiStore, *View) {
	m, _ := openMem(t, Options{})
	for v := 1; v <= 3; v++ {
		for i := 0; i < 40; i += 2 {
			m.Working().KV("bank").Set(k("k%02d", i), k("v%d-%02d", v, i))
		}
		m.Working().KV("ibc").Set(k("client%d", v), []byte("state"))
		m.Working().KV("auth").Set([]byte("empty"), []byte{})
		mustCommit(t, m)
	}
	view, err := m.View(2)
	if err != nil {
		t.Fatal(err)
	}
	return m, view
}

func TestProveAndVerify(t *testing.T) {
	m, view := proofFixture(t)
	hash := view.Hash()
	latest, err := m.View(0)
	if err != nil {
		t.Fatal(err)
	}

	for _, key := range [][]byte{k("k00"), k("k20"), k("k38")} {
		val, proofs, err := view.Prove("bank", key)
		if err != nil {
			t.Fatal(err)
		}
		if want := k("v2-%s", key[1:]); !bytes.Equal(val, want) {
			t.Fatalf("Prove(%s) value %s, want %s", key, val, want)
		}
		if err := stateproof.VerifyMembership(hash, "bank", key, val, proofs); err != nil {
			t.Fatalf("membership of %s: %v", key, err)
		}
		// Round trip through CometBFT ProofOps.
		ops, err := stateproof.Ops("bank", key, proofs)
		if err != nil {
			t.Fatal(err)
		}
		store, gotKey, decoded, err := stateproof.FromOps(ops)
		if err != nil || store != "bank" || !bytes.Equal(gotKey, key) {
			t.Fatalf("ProofsFromOps: %q %q %v", store, gotKey, err)
		}
		if err := stateproof.VerifyMembership(hash, store, gotKey, val, decoded); err != nil {
			t.Fatalf("decoded proof: %v", err)
		}
		if ops.Ops[0].Type != "ics23:iavl" || ops.Ops[1].Type != "ics23:simple" || string(ops.Ops[1].Key) != "bank" {
			t.Fatalf("ProofOps shape: %+v", ops)
		}
	}
	// ICS-23 cannot prove an empty value, nor the absence of a key next to
	// one.
	for _, key := range []string{"empty", "a", "f", "z"} {
		if _, _, err := view.Prove("auth", []byte(key)); !errors.Is(err, ErrUnprovable) {
			t.Fatalf("Prove(auth, %s): %v, want ErrUnprovable", key, err)
		}
	}

	// Absent keys: before all keys, between keys, after all keys.
	for _, key := range [][]byte{k("a"), k("k01"), k("k21"), k("zz")} {
		val, proofs, err := view.Prove("bank", key)
		if err != nil {
			t.Fatal(err)
		}
		if val != nil {
			t.Fatalf("absent key %s has value %s", key, val)
		}
		if err := stateproof.VerifyNonMembership(hash, "bank", key, proofs); err != nil {
			t.Fatalf("non-membership of %s: %v", key, err)
		}
		if err := stateproof.VerifyMembership(hash, "bank", key, []byte("x"), proofs); err == nil {
			t.Fatalf("non-membership proof of %s accepted as membership", key)
		}
	}
	// A key added in version 3 is absent in version 2.
	if _, proofs, err := view.Prove("ibc", k("client3")); err != nil {
		t.Fatal(err)
	} else if err := stateproof.VerifyNonMembership(hash, "ibc", k("client3"), proofs); err != nil {
		t.Fatal(err)
	}
	// Stores without keys, unknown stores and empty keys cannot be proven.
	if _, _, err := view.Prove("gov", k("x")); !errors.Is(err, ErrUnprovable) {
		t.Fatalf("empty store: %v", err)
	}
	if _, _, err := view.Prove("nope", k("x")); !errors.Is(err, ErrUnknownStore) {
		t.Fatalf("unknown store: %v", err)
	}
	if _, _, err := view.Prove("bank", nil); err == nil {
		t.Fatal("empty key accepted")
	}

	// Negative cases.
	key := k("k10")
	val, proofs, err := view.Prove("bank", key)
	if err != nil {
		t.Fatal(err)
	}
	_, absentProofs, err := view.Prove("bank", k("k11"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := func(i int, mutate func(b []byte)) []*ics23.CommitmentProof {
		out := clone(t, proofs)
		data, _ := out[i].Marshal()
		mutate(data)
		p := new(ics23.CommitmentProof)
		if err := p.Unmarshal(data); err != nil {
			return []*ics23.CommitmentProof{out[0], nil}
		}
		out[i] = p
		return out
	}
	flipLast := func(b []byte) { b[len(b)-1] ^= 1 }
	flipMid := func(b []byte) { b[len(b)/2] ^= 0x40 }
	membership := []struct {
		name   string
		hash   []byte
		store  string
		key    []byte
		value  []byte
		proofs []*ics23.CommitmentProof
	}{
		{"tampered value", hash, "bank", key, k("v2-11"), proofs},
		{"nil value", hash, "bank", key, nil, proofs},
		{"wrong key", hash, "bank", k("k12"), val, proofs},
		{"wrong store", hash, "auth", key, val, proofs},
		{"other version hash", latest.Hash(), "bank", key, val, proofs},
		{"tampered hash", append(bytes.Clone(hash[1:]), hash[0]), "bank", key, val, proofs},
		{"empty hash", nil, "bank", key, val, proofs},
		{"tampered iavl proof end", hash, "bank", key, val, tampered(0, flipLast)},
		{"tampered iavl proof middle", hash, "bank", key, val, tampered(0, flipMid)},
		{"tampered store proof end", hash, "bank", key, val, tampered(1, flipLast)},
		{"tampered store proof middle", hash, "bank", key, val, tampered(1, flipMid)},
		{"swapped layers", hash, "bank", key, val, []*ics23.CommitmentProof{proofs[1], proofs[0]}},
		{"non-membership proof", hash, "bank", key, val, absentProofs},
		{"nil proofs", hash, "bank", key, val, nil},
		{"empty proofs", hash, "bank", key, val, []*ics23.CommitmentProof{}},
		{"one proof", hash, "bank", key, val, proofs[:1]},
		{"three proofs", hash, "bank", key, val, append(clone(t, proofs), proofs[1])},
		{"nil element", hash, "bank", key, val, []*ics23.CommitmentProof{proofs[0], nil}},
		{"empty element", hash, "bank", key, val, []*ics23.CommitmentProof{{}, proofs[1]}},
		{"empty existence proof", hash, "bank", key, val, []*ics23.CommitmentProof{
			{Proof: &ics23.CommitmentProof_Exist{Exist: &ics23.ExistenceProof{}}}, proofs[1]}},
		{"nil existence proof", hash, "bank", key, val, []*ics23.CommitmentProof{
			{Proof: &ics23.CommitmentProof_Exist{}}, proofs[1]}},
		{"compressed garbage", hash, "bank", key, val, []*ics23.CommitmentProof{
			{Proof: &ics23.CommitmentProof_Compressed{Compressed: &ics23.CompressedBatchProof{
				Entries: []*ics23.CompressedBatchEntry{{Proof: &ics23.CompressedBatchEntry_Exist{
					Exist: &ics23.CompressedExistenceProof{Path: []int32{7}}}}}}}}, proofs[1]}},
	}
	for _, tc := range membership {
		err := stateproof.VerifyMembership(tc.hash, tc.store, tc.key, tc.value, tc.proofs)
		if !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: got %v, want ErrInvalidProof", tc.name, err)
		}
	}
	nonMembership := []struct {
		name   string
		hash   []byte
		store  string
		key    []byte
		proofs []*ics23.CommitmentProof
	}{
		{"present key", hash, "bank", key, proofs},
		{"key outside proven gap", hash, "bank", k("k13"), absentProofs},
		{"wrong store", hash, "ibc", k("k11"), absentProofs},
		{"other version hash", latest.Hash(), "bank", k("k11"), absentProofs},
		{"nil proofs", hash, "bank", k("k11"), nil},
		{"one proof", hash, "bank", k("k11"), absentProofs[:1]},
		{"empty non-existence proof", hash, "bank", k("k11"), []*ics23.CommitmentProof{
			{Proof: &ics23.CommitmentProof_Nonexist{Nonexist: &ics23.NonExistenceProof{}}}, absentProofs[1]}},
		{"nil non-existence proof", hash, "bank", k("k11"), []*ics23.CommitmentProof{
			{Proof: &ics23.CommitmentProof_Nonexist{}}, absentProofs[1]}},
	}
	for _, tc := range nonMembership {
		err := stateproof.VerifyNonMembership(tc.hash, tc.store, tc.key, tc.proofs)
		if !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: got %v, want ErrInvalidProof", tc.name, err)
		}
	}
	// The original proofs still verify (the negative cases did not mutate them).
	if err := stateproof.VerifyMembership(hash, "bank", key, val, proofs); err != nil {
		t.Fatal(err)
	}
}

func clone(t *testing.T, proofs []*ics23.CommitmentProof) []*ics23.CommitmentProof {
	out := make([]*ics23.CommitmentProof, len(proofs))
	for i, p := range proofs {
		data, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = new(ics23.CommitmentProof)
		if err := out[i].Unmarshal(data); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// FuzzVerify feeds garbage proof bytes to ProofsFromOps and the verifiers:
// they must return errors, never panic, and never accept.
func FuzzVerify(f *testing.F) {
	m, err := Open(dbm.NewMemDB(), []string{"bank", "ibc"}, Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer m.Close()
	for i := range 10 {
		m.Working().KV("bank").Set(k("k%d", i*2), k("v%d", i))
	}
	m.Working().KV("ibc").Set([]byte("x"), []byte("y"))
	info, err := m.Commit()
	if err != nil {
		f.Fatal(err)
	}
	view, _ := m.View(0)
	_, present, _ := view.Prove("bank", k("k4"))
	_, absent, _ := view.Prove("bank", k("k5"))
	for _, ps := range [][]*ics23.CommitmentProof{present, absent} {
		a, _ := ps[0].Marshal()
		b, _ := ps[1].Marshal()
		f.Add(a, b, []byte("k4"))
		f.Add(a, b, []byte("k5"))
	}
	f.Add([]byte{}, []byte{0x0a}, []byte("k"))
	f.Fuzz(func(t *testing.T, a, b, key []byte) {
		ops := &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{
			{Type: stateproof.OpIAVL, Key: key, Data: a},
			{Type: stateproof.OpSimple, Key: []byte("bank"), Data: b},
		}}
		store, gotKey, proofs, err := stateproof.FromOps(ops)
		if err != nil {
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("ProofsFromOps error does not wrap ErrInvalidProof: %v", err)
			}
			// Verify the raw garbage too, as decoded as far as possible.
			proofs = []*ics23.CommitmentProof{new(ics23.CommitmentProof), new(ics23.CommitmentProof)}
			_ = proofs[0].Unmarshal(a)
			_ = proofs[1].Unmarshal(b)
			store, gotKey = "bank", key
		}
		merr := stateproof.VerifyMembership(info.Hash, store, gotKey, []byte("garbage-value"), proofs)
		nerr := stateproof.VerifyNonMembership(info.Hash, store, gotKey, proofs)
		if merr == nil {
			t.Fatalf("membership of a garbage value accepted for key %x", gotKey)
		}
		if nerr == nil && view.KV("bank").Has(gotKey) {
			t.Fatalf("non-membership of present key %x accepted", gotKey)
		}
	})
}
