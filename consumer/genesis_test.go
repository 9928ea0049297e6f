package consumer

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/fraction"
)

func TestInitGenesis(t *testing.T) {
	h := newBare(t)
	g := genesis(t, 4)
	ups, err := h.k.InitGenesis(h.s, g, 7, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 4 {
		t.Fatalf("%d updates, want 4", len(ups))
	}
	for i := 1; i < len(ups); i++ {
		if bytes.Compare(ups[i-1].PubKey.GetEd25519(), ups[i].PubKey.GetEd25519()) >= 0 {
			t.Fatal("genesis updates not sorted by public key")
		}
	}
	for _, u := range ups {
		var found bool
		for _, v := range g.InitialValidators {
			if bytes.Equal(v.PubKey, u.PubKey.GetEd25519()) && v.Power == u.Power {
				found = true
			}
		}
		if !found {
			t.Errorf("update %v is not a genesis validator", u)
		}
	}
	if id, ok := h.k.ProviderClientID(h.s); !ok || id != clientID || h.cl.created != 1 {
		t.Errorf("provider client %q %v, created %d", id, ok, h.cl.created)
	}
	if p, ok := h.k.Params(h.s); !ok || !reflect.DeepEqual(p, g.Params) {
		t.Errorf("params %+v %v", p, ok)
	}
	set := h.k.ValidatorSet(h.s)
	if len(set) != 4 {
		t.Fatalf("set has %d validators", len(set))
	}
	for i := 1; i < len(set); i++ {
		if bytes.Compare(set[i-1].Address, set[i].Address) >= 0 {
			t.Fatal("validator set not sorted by address")
		}
	}
	for i := range 4 {
		v, ok := h.k.Validator(h.s, addrOf(i))
		want := CrossChainValidator{Address: addrOf(i), PubKey: pubKey(i), Power: int64(10 + i)}
		if !ok || !bytes.Equal(v.Address, want.Address) || !bytes.Equal(v.PubKey, want.PubKey) || v.Power != want.Power {
			t.Errorf("validator %d = %+v, want %+v", i, v, want)
		}
	}
	for _, hh := range []int64{7, 8, 1000} {
		if id, ok := h.k.HeightToVSCID(h.s, hh); !ok || id != 0 {
			t.Errorf("HeightToVSCID(%d) = %d %v, want 0", hh, id, ok)
		}
	}
	if _, ok := h.k.HeightToVSCID(h.s, 6); ok {
		t.Error("a vscId before the genesis height")
	}
	if _, ok := h.k.HighestVSCID(h.s); ok {
		t.Error("highest vscId before any VSC")
	}
	if _, ok := h.k.ProviderChannel(h.s); ok || h.k.Stopped(h.s) {
		t.Error("channel or stopped at genesis")
	}
	if _, err := h.k.InitGenesis(h.s, g, 7, t0); !errors.Is(err, ErrAlreadyInitialized) {
		t.Errorf("second InitGenesis: %v", err)
	}
}

func TestInitGenesisRejects(t *testing.T) {
	cases := map[string]func(g *ccv.ConsumerGenesis){
		"no validators":       func(g *ccv.ConsumerGenesis) { g.InitialValidators = nil },
		"short key":           func(g *ccv.ConsumerGenesis) { g.InitialValidators[1].PubKey = g.InitialValidators[1].PubKey[:31] },
		"zero power":          func(g *ccv.ConsumerGenesis) { g.InitialValidators[0].Power = 0 },
		"negative power":      func(g *ccv.ConsumerGenesis) { g.InitialValidators[0].Power = -1 },
		"duplicate key":       func(g *ccv.ConsumerGenesis) { g.InitialValidators[2].PubKey = g.InitialValidators[0].PubKey },
		"power overflow":      func(g *ccv.ConsumerGenesis) { g.InitialValidators[0].Power = cmttypes.MaxTotalVotingPower },
		"bad client state":    func(g *ccv.ConsumerGenesis) { g.ProviderClientState = []byte{0xff, 0xff} },
		"bad consensus state": func(g *ccv.ConsumerGenesis) { g.ProviderConsensusState = []byte{0x0a} },
		"zero unbonding":      func(g *ccv.ConsumerGenesis) { g.Params.UnbondingPeriod = 0 },
		"zero ccv timeout":    func(g *ccv.ConsumerGenesis) { g.Params.CcvTimeoutPeriod = 0 },
		"zero retry delay":    func(g *ccv.ConsumerGenesis) { g.Params.RetryDelayPeriod = 0 },
		"zero window":         func(g *ccv.ConsumerGenesis) { g.Params.SignedBlocksWindow = 0 },
		"min signed above 1":  func(g *ccv.ConsumerGenesis) { g.Params.MinSignedPerWindow = fraction.New(3, 2) },
		"min signed zero den": func(g *ccv.ConsumerGenesis) { g.Params.MinSignedPerWindow = fraction.New(0, 0) },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			h := newBare(t)
			before := h.ms.WorkingHash()
			g := genesis(t, 3)
			breakIt(g)
			if _, err := h.k.InitGenesis(h.s, g, 1, t0); !errors.Is(err, ccv.ErrInvalidGenesis) {
				t.Fatalf("got %v, want ErrInvalidGenesis", err)
			}
			if !bytes.Equal(before, h.ms.WorkingHash()) || h.cl.created != 0 {
				t.Error("a refused genesis changed the store")
			}
		})
	}
	h := newBare(t)
	if _, err := h.k.InitGenesis(h.s, nil, 1, t0); !errors.Is(err, ccv.ErrInvalidGenesis) {
		t.Errorf("nil genesis: %v", err)
	}
	h.cl.err = errors.New("client refused")
	if _, err := h.k.InitGenesis(h.s, genesis(t, 2), 1, t0); !errors.Is(err, h.cl.err) {
		t.Errorf("client error: %v", err)
	}
}

// An uninitialized keeper (a chain not yet a consumer) does nothing.
func TestUninitializedIsInert(t *testing.T) {
	h := newBare(t)
	before := h.ms.WorkingHash()
	ups, evs := h.block(vote(0, 10, false))
	if ups != nil || evs != nil || !bytes.Equal(before, h.ms.WorkingHash()) {
		t.Errorf("uninitialized keeper acted: %v %v", ups, evs)
	}
}

// TestInitGenesisReusesConnection: a changeover genesis naming a
// connection runs on that connection's client of the provider and creates
// none; one naming a connection that is unknown or on a client the chain
// does not have is refused, and nothing is written.
func TestInitGenesisReusesConnection(t *testing.T) {
	h := newBare(t)
	h.s.KV(ibcStore).Set([]byte("clients/07-tendermint-9"), []byte{1}) // otherConn's client
	g := genesis(t, 3)
	g.Changeover = &ccv.Changeover{ChainId: "standalone-1", Height: 7, ConnectionId: otherConn}
	if _, err := h.k.InitGenesis(h.s, g, 7, t0); err != nil {
		t.Fatal(err)
	}
	if id, ok := h.k.ProviderClientID(h.s); !ok || id != "07-tendermint-9" || h.cl.created != 0 {
		t.Fatalf("provider client %q %v, created %d", id, ok, h.cl.created)
	}

	for _, conn := range []string{"connection-7", providerConn} { // unknown; its client 07-tendermint-0 does not exist
		h := newBare(t)
		g := genesis(t, 3)
		g.Changeover = &ccv.Changeover{ChainId: "standalone-1", Height: 7, ConnectionId: conn}
		if _, err := h.k.InitGenesis(h.s, g, 7, t0); !errors.Is(err, ccv.ErrInvalidGenesis) {
			t.Fatalf("connection %s: %v", conn, err)
		}
		if _, ok := h.k.ProviderClientID(h.s); ok || h.cl.created != 0 || len(h.k.ValidatorSet(h.s)) != 0 {
			t.Fatalf("connection %s: state written", conn)
		}
	}
	g.Changeover.ConnectionId = "conn/1"
	if err := g.Validate(); !errors.Is(err, ccv.ErrInvalidGenesis) {
		t.Fatalf("a bad connection identifier: %v", err)
	}
}
