package provider

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/fraction"
)

// keyFixture is a provider with validators 0-3 bonded and 7 not, two
// running consumers, and on "consumer": validator 1 validating with K1,
// validator 3 back on its provider key after validating with K3 (K3's
// mapping waits for pruning) and validator 2's K2 assigned for the next
// epoch. It returns the block time of the epoch at which K3 left.
func keyFixture(t *testing.T) (*harness, map[string]string, time.Time) {
	p := testParams()
	p.SlashMeterReplenishFraction = fraction.New(1, 1)
	h := newHarness(t, 4, p)
	h.st.put(h.s, operatorOf(7), Validator{ConsAddr: consAddrOf(7), PubKey: pubKeyOf(7), Power: 10})
	chans := map[string]string{"consumer": h.run("consumer"), "other": h.run("other")}
	h.assign(1, "consumer", consumerKeyOf(1, 1))
	h.assign(3, "consumer", consumerKeyOf(3, 1))
	h.blocksUntil(6) // epoch 5: K1 and K3 in use
	h.assign(3, "consumer", pubKeyOf(3))
	h.blocksUntil(10)
	left := h.now
	h.block() // epoch 10: K3 leaves
	h.assign(2, "consumer", consumerKeyOf(2, 1))
	return h, chans, left
}

func (h *harness) tryAssign(signer []byte, op int, chainID string, key []byte) error {
	m := &MsgAssignConsumerKey{Operator: operatorOf(op), ConsumerId: h.id(chainID), ConsumerKey: key}
	_, err := h.k.HandleAssignConsumerKey(h.s, h.height, h.now, signer, m)
	return err
}

// TestAssignKeyRejections checks the rules of SPEC 5 one at a time: each
// refused assignment returns its error and changes nothing.
func TestAssignKeyRejections(t *testing.T) {
	k1, k2, k3 := consumerKeyOf(1, 1), consumerKeyOf(2, 1), consumerKeyOf(3, 1)
	cases := []struct {
		name    string
		signer  []byte
		chainID string
		key     []byte
		setup   func(h *harness, chans map[string]string)
		want    error
	}{
		{name: "signer is not the operator", signer: operatorOf(1), chainID: "consumer", key: consumerKeyOf(0, 1), want: ErrUnauthorized},
		{name: "unknown consumer", chainID: "nope", key: consumerKeyOf(0, 1), want: ErrConsumerNotFound},
		{name: "stopping consumer", chainID: "other", key: consumerKeyOf(0, 1), want: ErrConsumerNotFound,
			setup: func(h *harness, chans map[string]string) {
				if _, err := h.k.OnTimeoutPacket(h.s, h.height, h.now, channeltypes.Packet{SourcePort: ccv.ProviderPortID, SourceChannel: chans["other"]}, nil); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "key of 31 bytes", chainID: "consumer", key: consumerKeyOf(0, 1)[:31], want: ErrInvalidConsumerKey},
		{name: "key of 33 bytes", chainID: "consumer", key: append(consumerKeyOf(0, 1), 0), want: ErrInvalidConsumerKey},
		{name: "empty key", chainID: "consumer", key: nil, want: ErrInvalidConsumerKey},
		{name: "another validator's provider key", chainID: "consumer", key: pubKeyOf(1), want: ErrKeyInUse},
		{name: "provider key of a validator not bonded", chainID: "consumer", key: pubKeyOf(7), want: ErrKeyInUse},
		{name: "key another validator uses on the consumer", chainID: "consumer", key: k1, want: ErrKeyInUse},
		{name: "key another validator assigned for the next epoch", chainID: "consumer", key: k2, want: ErrKeyInUse},
		{name: "key another validator used, not yet pruned", chainID: "consumer", key: k3, want: ErrKeyInUse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, chans, _ := keyFixture(t)
			if c.setup != nil {
				c.setup(h, chans)
			}
			signer := c.signer
			if signer == nil {
				signer = operatorOf(0)
			}
			before := h.hash()
			if err := h.tryAssign(signer, 0, c.chainID, c.key); !errors.Is(err, c.want) {
				t.Fatalf("assign: %v, want %v", err, c.want)
			}
			h.mustUnchanged(before, "a refused assignment")
		})
	}
	t.Run("unknown operator", func(t *testing.T) {
		h, _, _ := keyFixture(t)
		m := &MsgAssignConsumerKey{Operator: []byte("nobody"), ConsumerId: h.id("consumer"), ConsumerKey: consumerKeyOf(0, 1)}
		if _, err := h.k.HandleAssignConsumerKey(h.s, h.height, h.now, []byte("nobody"), m); !errors.Is(err, ErrValidatorNotFound) {
			t.Fatalf("assign: %v", err)
		}
	})
}

// TestAssignKeyAccepted checks the assignments the rules allow.
func TestAssignKeyAccepted(t *testing.T) {
	k1, k3 := consumerKeyOf(1, 1), consumerKeyOf(3, 1)
	for _, c := range []struct {
		name    string
		op      int
		chainID string
		key     []byte
	}{
		{"a fresh key", 0, "consumer", consumerKeyOf(0, 1)},
		{"a key used by another validator on another consumer", 0, "other", k3},
		{"the key the validator uses", 1, "consumer", k1},
		{"the validator's own key waiting for pruning", 3, "consumer", k3},
		{"a registered consumer", 0, "registered", consumerKeyOf(0, 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, _, _ := keyFixture(t)
			h.add("registered", h.now.Add(time.Hour))
			m := &MsgAssignConsumerKey{Operator: operatorOf(c.op), ConsumerId: h.id(c.chainID), ConsumerKey: c.key}
			evs, err := h.k.HandleAssignConsumerKey(h.s, h.height, h.now, operatorOf(c.op), m)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := h.k.VSC().AssignedKey(h.s, h.id(c.chainID), consAddrOf(c.op)); !ok || !bytes.Equal(got, c.key) {
				t.Fatalf("assigned %x", got)
			}
			if !h.k.IsKeyReserved(h.s, c.key) {
				t.Fatal("assigned key not reserved")
			}
			if len(evs) != 1 || evs[0].Type != "assign_consumer_key" || attr(evs[0], "consumer_consensus_pub_key") != hex.EncodeToString(c.key) {
				t.Fatalf("events %v", evs)
			}
		})
	}
}

// TestKeyReservation checks IsKeyReserved, which chain/staking asks before
// it creates a validator: a key assigned on any consumer, in use on one,
// or that left a consumer's set less than an unbonding period ago is
// reserved; the mappings go after the unbonding period, or with the
// consumer.
func TestKeyReservation(t *testing.T) {
	h, _, left := keyFixture(t)
	k1, k2, k3 := consumerKeyOf(1, 1), consumerKeyOf(2, 1), consumerKeyOf(3, 1)
	for _, c := range []struct {
		name string
		key  []byte
		want bool
	}{
		{"in use", k1, true},
		{"assigned for the next epoch", k2, true},
		{"left the set, not yet pruned", k3, true},
		{"never assigned", consumerKeyOf(0, 1), false},
		{"shorter than a key", k1[:16], false},
	} {
		if got := h.k.IsKeyReserved(h.s, c.key); got != c.want {
			t.Errorf("%s: reserved %v, want %v", c.name, got, c.want)
		}
	}

	// Validator 1 reassigns: K1 is no longer assigned but still in use
	// until the next epoch, then waits for pruning.
	h.assign(1, "consumer", consumerKeyOf(1, 2))
	if !h.k.IsKeyReserved(h.s, k1) {
		t.Fatal("K1 in use but not reserved")
	}

	prune := left.Add(unbondingPeriod)
	if o, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), addrOfKey(k3)); !ok || o.PruneTime != prune.UnixNano() || !bytes.Equal(o.ProviderAddr, consAddrOf(3)) {
		t.Fatalf("owner of K3 %+v", o)
	}
	h.now = prune.Add(-time.Nanosecond)
	h.block()
	if _, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), addrOfKey(k3)); !ok {
		t.Fatal("K3 pruned early")
	}
	if err := h.tryAssign(operatorOf(0), 0, "consumer", k3); !errors.Is(err, ErrKeyInUse) {
		t.Fatalf("assign K3 before pruning: %v", err)
	}
	h.now = prune
	h.block()
	if _, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), addrOfKey(k3)); ok {
		t.Fatal("K3 not pruned after the unbonding period")
	}
	if h.k.IsKeyReserved(h.s, k3) {
		t.Fatal("pruned key still reserved")
	}
	if err := h.tryAssign(operatorOf(0), 0, "consumer", k3); err != nil {
		t.Fatalf("assign K3 after pruning: %v", err)
	}

	// Deleting a consumer releases its keys.
	h.remove("consumer", h.now)
	h.block()
	for _, k := range [][]byte{k1, k2, k3, consumerKeyOf(1, 2)} {
		if h.k.IsKeyReserved(h.s, k) {
			t.Fatalf("key %x reserved after the consumer's deletion", k)
		}
	}
}

// TestOldKeyStillSlashable checks that a slash packet naming a consumer
// key that left the set finds its validator until the key is pruned, and
// nobody after.
func TestOldKeyStillSlashable(t *testing.T) {
	h, chans, left := keyFixture(t)
	k3 := consumerKeyOf(3, 1)
	// After pruning (done on a copy of the clock: the harness goes on).
	h2, chans2, _ := keyFixture(t)
	h2.now = left.Add(unbondingPeriod)
	h2.block()
	before := h2.hash()
	if got := result(t, h2.recv(chans2["consumer"], slashData(addrOfKey(k3), 2, ccv.InfractionDowntime))); got != ccv.ResultHandled {
		t.Fatalf("result %d", got)
	}
	h2.mustUnchanged(before, "a slash for a pruned key")
	if len(h2.st.jails) != 0 {
		t.Fatal("pruned key jailed a validator")
	}

	// Before pruning.
	if got := result(t, h.recv(chans["consumer"], slashData(addrOfKey(k3), 1, ccv.InfractionDowntime))); got != ccv.ResultHandled {
		t.Fatalf("result %d", got)
	}
	mustJailedAddrs(t, h, consAddrOf(3))
	// The assigned key in use finds its validator too.
	if got := result(t, h.recv(chans["consumer"], slashData(addrOfKey(consumerKeyOf(1, 1)), 2, ccv.InfractionDowntime))); got != ccv.ResultHandled {
		t.Fatalf("result %d", got)
	}
	mustJailedAddrs(t, h, consAddrOf(3), consAddrOf(1))
}

func mustJailedAddrs(t *testing.T, h *harness, want ...[]byte) {
	t.Helper()
	if len(h.st.jails) != len(want) {
		t.Fatalf("%d jails, want %d", len(h.st.jails), len(want))
	}
	for i := range want {
		if !bytes.Equal(h.st.jails[i], want[i]) {
			t.Fatalf("jail %d: %X, want %X", i, h.st.jails[i], want[i])
		}
	}
}

// TestKeyReturnsBeforePruning checks that a key that re-enters the set
// before its pruning time is not pruned.
func TestKeyReturnsBeforePruning(t *testing.T) {
	h, _, left := keyFixture(t)
	k3 := consumerKeyOf(3, 1)
	h.assign(3, "consumer", k3)
	h.blocksUntil(16) // epoch 15: K3 back in use
	if o, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), addrOfKey(k3)); !ok || o.PruneTime != 0 {
		t.Fatalf("owner of K3 %+v", o)
	}
	// Validator 3's provider key left when K3 returned, and waits.
	if o, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), consAddrOf(3)); !ok || o.PruneTime != h.now.Add(-blockTime).Add(unbondingPeriod).UnixNano() {
		t.Fatalf("owner of validator 3's provider key %+v", o)
	}
	h.now = left.Add(unbondingPeriod + time.Hour)
	h.block()
	if o, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), addrOfKey(k3)); !ok || !bytes.Equal(o.ProviderAddr, consAddrOf(3)) {
		t.Fatal("key in use pruned")
	}
}
