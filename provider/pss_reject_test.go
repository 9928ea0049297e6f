package provider

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/fraction"
)

// pssFixture is a provider with four validators of power 10 and a
// consumer in each phase a message may meet. alice owns every consumer
// but top, which governance owns.
type pssFixture struct {
	h *harness
	// Consumer ids: registered (no spawn time), initialized (spawn time in
	// an hour), launched (validators 0 and 1 opted in), top (top-N 100,
	// launched), stopped (launched, then removed in the current block),
	// deleted (removed before launch).
	registered, initialized, launched, top, stopped, deleted string
}

func newPSSFixture(t testing.TB) *pssFixture {
	t.Helper()
	h := newHarness(t, 4, testParams())
	f := &pssFixture{h: h}
	f.registered = h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "registered"})
	f.initialized = h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "initialized", InitializationParameters: initParams(h.now.Add(time.Hour))})
	f.launched = h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "launched", InitializationParameters: initParams(h.now)})
	h.optIn(0, "launched", nil)
	h.optIn(1, "launched", nil)
	f.stopped = h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "stopped", InitializationParameters: initParams(h.now)})
	h.optIn(0, "stopped", nil)
	h.add("top", h.now)
	f.top = h.id("top")
	f.deleted = h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "deleted"})
	h.block()
	for _, id := range []string{f.launched, f.stopped, f.top} {
		if c, _ := h.k.Consumer(h.s, id); c.Phase != registry.PHASE_LAUNCHED {
			t.Fatalf("consumer %s in phase %s", id, c.Phase)
		}
	}
	for _, id := range []string{f.stopped, f.deleted} {
		if _, err := h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: id}); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := h.k.Consumer(h.s, f.stopped); c.Phase != registry.PHASE_STOPPED {
		t.Fatalf("removed launched consumer in phase %s", c.Phase)
	}
	if c, _ := h.k.Consumer(h.s, f.deleted); c.Phase != registry.PHASE_DELETED {
		t.Fatalf("removed registered consumer in phase %s", c.Phase)
	}
	return f
}

// A pssCase runs one message on the fixture and returns the handler's
// results.
type pssCase struct {
	name string
	run  func(f *pssFixture) ([]abci.Event, error)
	want error // nil: the message is accepted
}

// runPSSCases runs each case on a fresh fixture: a refused message returns
// an error wrapping want, no event and leaves the store unchanged; an
// accepted one (want nil) changes the store.
func runPSSCases(t *testing.T, cases []pssCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newPSSFixture(t)
			before := f.h.hash()
			evs, err := c.run(f)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if bytes.Equal(before, f.h.hash()) {
					t.Fatal("accepted and changed nothing")
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if len(evs) != 0 {
				t.Fatalf("refused with events %v", evs)
			}
			f.h.mustUnchanged(before, "a refused message")
		})
	}
}

// badConsumerIDs are consumer ids of no live consumer: unknown,
// malformed, stopped and deleted.
func badConsumerIDs(f *pssFixture) map[string]string {
	return map[string]string{"unknown": "99", "leading zero": "0" + f.launched, "negative": "-1", "not a number": "x",
		"empty": "", "stopped": f.stopped, "deleted": f.deleted}
}

var badIDNames = []string{"unknown", "leading zero", "negative", "not a number", "empty", "stopped", "deleted"}

func filledAddr(b byte) []byte { return bytes.Repeat([]byte{b}, 20) }

// Ways to break power shaping, initialization and infraction parameters,
// shared by creation and update.
var (
	badShaping = []struct {
		name string
		ps   registry.PowerShapingParameters
	}{
		{"top_n 1", registry.PowerShapingParameters{TopN: 1}},
		{"top_n 49", registry.PowerShapingParameters{TopN: 49}},
		{"top_n 101", registry.PowerShapingParameters{TopN: 101}},
		{"power cap 101", registry.PowerShapingParameters{ValidatorsPowerCap: 101}},
		{"allowlist address of 19 bytes", registry.PowerShapingParameters{Allowlist: [][]byte{make([]byte, 19)}}},
		{"denylist address of 21 bytes", registry.PowerShapingParameters{Denylist: [][]byte{make([]byte, 21)}}},
		{"prioritylist empty address", registry.PowerShapingParameters{Prioritylist: [][]byte{{}}}},
		{"duplicate in allowlist", registry.PowerShapingParameters{Allowlist: [][]byte{filledAddr(1), filledAddr(2), filledAddr(1)}}},
		{"duplicate in denylist", registry.PowerShapingParameters{Denylist: [][]byte{filledAddr(3), filledAddr(3)}}},
		{"duplicate in prioritylist", registry.PowerShapingParameters{Prioritylist: [][]byte{filledAddr(4), filledAddr(4)}}},
		{"address in allowlist and denylist", registry.PowerShapingParameters{Allowlist: [][]byte{filledAddr(1), filledAddr(2)}, Denylist: [][]byte{filledAddr(2)}}},
	}
	badInit = []struct {
		name string
		mut  func(p *registry.ConsumerInitializationParameters)
	}{
		{"negative spawn time", func(p *registry.ConsumerInitializationParameters) { p.SpawnTime = -1 }},
		{"zero initial height", func(p *registry.ConsumerInitializationParameters) { p.InitialHeight = 0 }},
		{"zero unbonding period", func(p *registry.ConsumerInitializationParameters) { p.Params.UnbondingPeriod = 0 }},
		{"zero signed blocks window", func(p *registry.ConsumerInitializationParameters) { p.Params.SignedBlocksWindow = 0 }},
		{"redistribution fraction with denominator 0", func(p *registry.ConsumerInitializationParameters) {
			p.Params.ConsumerRedistributionFraction = fraction.New(1, 0)
		}},
		{"min signed per window above one", func(p *registry.ConsumerInitializationParameters) { p.Params.MinSignedPerWindow = fraction.New(3, 2) }},
	}
	badInfraction = []struct {
		name string
		mut  func(p *registry.InfractionParameters)
	}{
		{"double-sign fraction with denominator 0", func(p *registry.InfractionParameters) { p.DoubleSign.SlashFraction = fraction.New(0, 0) }},
		{"double-sign fraction above one", func(p *registry.InfractionParameters) { p.DoubleSign.SlashFraction = fraction.New(2, 1) }},
		{"downtime fraction with denominator 0", func(p *registry.InfractionParameters) { p.Downtime.SlashFraction = fraction.New(1, 0) }},
		{"downtime fraction above one", func(p *registry.InfractionParameters) { p.Downtime.SlashFraction = fraction.New(11, 10) }},
		{"negative double-sign jail duration", func(p *registry.InfractionParameters) { p.DoubleSign.JailDuration = -time.Second }},
		{"negative downtime jail duration", func(p *registry.InfractionParameters) { p.Downtime.JailDuration = -1 }},
	}
	badMetadata = []struct {
		name string
		m    registry.ConsumerMetadata
	}{
		{"name too long", registry.ConsumerMetadata{Name: strings.Repeat("n", registry.MaxNameLen+1)}},
		{"description too long", registry.ConsumerMetadata{Description: strings.Repeat("d", registry.MaxDescriptionLen+1)}},
		{"metadata too long", registry.ConsumerMetadata{Metadata: strings.Repeat("m", registry.MaxMetadataLen+1)}},
	}
)

// validCreate is a creation alice may make: an opt-in consumer spawning
// in an hour, with every optional part set.
func validCreate(f *pssFixture) *registry.MsgCreateConsumer {
	return &registry.MsgCreateConsumer{Submitter: alice, ChainId: "new", Metadata: registry.ConsumerMetadata{Name: "new", Description: "a new consumer"},
		InitializationParameters: initParams(f.h.now.Add(time.Hour)),
		PowerShapingParameters:   &registry.PowerShapingParameters{ValidatorSetCap: 3, ValidatorsPowerCap: 50, Allowlist: [][]byte{consAddrOf(0), consAddrOf(1)}},
		InfractionParameters:     customInfraction()}
}

// createCaseAs runs validCreate, changed by mut, signed by signer (the
// submitter when nil).
func createCaseAs(signer []byte, mut func(f *pssFixture, m *registry.MsgCreateConsumer)) func(f *pssFixture) ([]abci.Event, error) {
	return func(f *pssFixture) ([]abci.Event, error) {
		m := validCreate(f)
		mut(f, m)
		s := signer
		if s == nil {
			s = m.Submitter
		}
		return f.h.k.Registry().HandleCreateConsumer(f.h.s, f.h.height, f.h.now, s, m)
	}
}

func createCase(mut func(f *pssFixture, m *registry.MsgCreateConsumer)) func(f *pssFixture) ([]abci.Event, error) {
	return createCaseAs(nil, mut)
}

// TestCreateConsumerRejections breaks a valid MsgCreateConsumer one rule
// at a time.
func TestCreateConsumerRejections(t *testing.T) {
	chainID := func(id string) func(*pssFixture, *registry.MsgCreateConsumer) {
		return func(_ *pssFixture, m *registry.MsgCreateConsumer) { m.ChainId = id }
	}
	cases := []pssCase{
		{"valid", createCase(func(*pssFixture, *registry.MsgCreateConsumer) {}), nil},
		{"valid, no optional part", createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) {
			m.InitializationParameters, m.PowerShapingParameters, m.InfractionParameters = nil, nil, nil
		}), nil},
		{"valid, top-N by governance", createCaseAs(govAddr, func(_ *pssFixture, m *registry.MsgCreateConsumer) {
			m.Submitter = govAddr
			m.PowerShapingParameters.TopN = 50
		}), nil},
		{"valid, chain id of a stopped consumer", createCase(chainID("stopped")), nil},
		{"valid, chain id of a deleted consumer", createCase(chainID("deleted")), nil},
		{"submitter is not the signer", createCaseAs(bob, func(*pssFixture, *registry.MsgCreateConsumer) {}), ErrInvalidConsumer},
		{"submitter of 19 bytes", createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) { m.Submitter = make([]byte, 19) }), ErrInvalidConsumer},
		{"no submitter", createCaseAs(alice, func(_ *pssFixture, m *registry.MsgCreateConsumer) { m.Submitter = nil }), ErrInvalidConsumer},
		{"empty chain id", createCase(chainID("")), ErrInvalidConsumer},
		{"chain id of 51 bytes", createCase(chainID(strings.Repeat("c", registry.MaxChainIDLen+1))), ErrInvalidConsumer},
		{"chain id with a slash", createCase(chainID("a/b")), ErrInvalidConsumer},
		{"chain id with a space", createCase(chainID("a b")), ErrInvalidConsumer},
		{"chain id of a registered consumer", createCase(chainID("registered")), ErrConsumerExists},
		{"chain id of an initialized consumer", createCase(chainID("initialized")), ErrConsumerExists},
		{"chain id of a launched consumer", createCase(chainID("launched")), ErrConsumerExists},
		{"the provider's chain id", createCase(chainID(providerChainID)), ErrConsumerExists},
		{"top_n 50 from a non-governance submitter", createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) {
			m.PowerShapingParameters.TopN = 50
		}), ErrInvalidConsumer},
		{"top_n 100 from a non-governance submitter", createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) {
			m.PowerShapingParameters = &registry.PowerShapingParameters{TopN: 100}
		}), ErrInvalidConsumer},
	}
	for _, b := range badShaping {
		cases = append(cases, pssCase{b.name, createCaseAs(govAddr, func(_ *pssFixture, m *registry.MsgCreateConsumer) {
			m.Submitter = govAddr
			m.PowerShapingParameters = &b.ps
		}), ErrInvalidConsumer})
	}
	for _, b := range badInit {
		cases = append(cases, pssCase{b.name, createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) { b.mut(m.InitializationParameters) }), ErrInvalidConsumer})
	}
	for _, b := range badInfraction {
		cases = append(cases, pssCase{b.name, createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) { b.mut(m.InfractionParameters) }), ErrInvalidConsumer})
	}
	for _, b := range badMetadata {
		cases = append(cases, pssCase{b.name, createCase(func(_ *pssFixture, m *registry.MsgCreateConsumer) { m.Metadata = b.m }), ErrInvalidConsumer})
	}
	runPSSCases(t, cases)
}

// updateCaseAs runs a MsgUpdateConsumer of alice's registered consumer that
// sets every part, changed by mut, signed by signer (the owner when nil).
func updateCaseAs(signer []byte, mut func(f *pssFixture, m *registry.MsgUpdateConsumer)) func(f *pssFixture) ([]abci.Event, error) {
	return func(f *pssFixture) ([]abci.Event, error) {
		m := &registry.MsgUpdateConsumer{Owner: alice, ConsumerId: f.registered, NewOwner: bob, Metadata: &registry.ConsumerMetadata{Name: "renamed"},
			InitializationParameters: initParams(f.h.now.Add(time.Hour)),
			PowerShapingParameters:   &registry.PowerShapingParameters{ValidatorSetCap: 2},
			InfractionParameters:     customInfraction()}
		mut(f, m)
		s := signer
		if s == nil {
			s = m.Owner
		}
		return f.h.k.Registry().HandleUpdateConsumer(f.h.s, f.h.height, f.h.now, s, m)
	}
}

func updateCase(mut func(f *pssFixture, m *registry.MsgUpdateConsumer)) func(f *pssFixture) ([]abci.Event, error) {
	return updateCaseAs(nil, mut)
}

// TestUpdateConsumerRejections breaks a valid MsgUpdateConsumer one rule
// at a time.
func TestUpdateConsumerRejections(t *testing.T) {
	launchedOnly := func(f *pssFixture, m *registry.MsgUpdateConsumer) {
		m.ConsumerId, m.InitializationParameters = f.launched, nil
	}
	cases := []pssCase{
		{"valid", updateCase(func(*pssFixture, *registry.MsgUpdateConsumer) {}), nil},
		{"valid, a launched consumer without initialization parameters", updateCase(launchedOnly), nil},
		{"valid, governance hands its top-N consumer over with top_n 0", updateCaseAs(govAddr, func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.Owner, m.ConsumerId, m.NewOwner, m.InitializationParameters = govAddr, f.top, alice, nil
			m.PowerShapingParameters = &registry.PowerShapingParameters{}
		}), nil},
		{"signer is not the message's owner", updateCaseAs(bob, func(*pssFixture, *registry.MsgUpdateConsumer) {}), ErrNotOwner},
		{"signer and owner not the consumer's owner", updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { m.Owner = bob }), ErrNotOwner},
		{"governance on alice's consumer", updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { m.Owner = govAddr }), ErrNotOwner},
		{"alice on governance's consumer", updateCase(func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.ConsumerId, m.InitializationParameters = f.top, nil
		}), ErrNotOwner},
		{"owner of 19 bytes", updateCaseAs(alice, func(_ *pssFixture, m *registry.MsgUpdateConsumer) { m.Owner = alice[:19] }), ErrInvalidConsumer},
		{"new owner of 21 bytes", updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { m.NewOwner = make([]byte, 21) }), ErrInvalidConsumer},
		{"initialization parameters of a launched consumer", updateCase(func(f *pssFixture, m *registry.MsgUpdateConsumer) { m.ConsumerId = f.launched }), ErrInvalidConsumer},
		{"initialization parameters of a top-N launched consumer", updateCaseAs(govAddr, func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.Owner, m.ConsumerId, m.NewOwner, m.PowerShapingParameters = govAddr, f.top, nil, nil
		}), ErrInvalidConsumer},
		{"top_n 50 for a non-governance owner", updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) {
			m.NewOwner = nil
			m.PowerShapingParameters = &registry.PowerShapingParameters{TopN: 50}
		}), ErrInvalidConsumer},
		{"top-N consumer handed to a non-governance owner", updateCaseAs(govAddr, func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.Owner, m.ConsumerId, m.NewOwner, m.InitializationParameters, m.PowerShapingParameters = govAddr, f.top, alice, nil, nil
		}), ErrInvalidConsumer},
		{"governance hands a consumer over and sets top_n", updateCaseAs(govAddr, func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.Owner, m.ConsumerId, m.NewOwner, m.InitializationParameters = govAddr, f.top, alice, nil
			m.PowerShapingParameters = &registry.PowerShapingParameters{TopN: 100}
		}), ErrInvalidConsumer},
	}
	for _, name := range badIDNames {
		cases = append(cases, pssCase{"consumer id " + name, updateCase(func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.ConsumerId = badConsumerIDs(f)[name]
		}), ErrConsumerNotFound})
	}
	for _, b := range badShaping {
		cases = append(cases, pssCase{b.name, updateCaseAs(govAddr, func(f *pssFixture, m *registry.MsgUpdateConsumer) {
			m.Owner, m.ConsumerId, m.NewOwner, m.InitializationParameters = govAddr, f.top, nil, nil
			m.PowerShapingParameters = &b.ps
		}), ErrInvalidConsumer})
	}
	for _, b := range badInit {
		cases = append(cases, pssCase{b.name, updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { b.mut(m.InitializationParameters) }), ErrInvalidConsumer})
	}
	for _, b := range badInfraction {
		cases = append(cases, pssCase{b.name, updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { b.mut(m.InfractionParameters) }), ErrInvalidConsumer})
	}
	for _, b := range badMetadata {
		cases = append(cases, pssCase{b.name, updateCase(func(_ *pssFixture, m *registry.MsgUpdateConsumer) { m.Metadata = &b.m }), ErrInvalidConsumer})
	}
	runPSSCases(t, cases)
}

// removeCaseAs runs a MsgRemoveConsumer of alice's registered consumer,
// changed by mut, signed by signer (the owner when nil).
func removeCaseAs(signer []byte, mut func(f *pssFixture, m *registry.MsgRemoveConsumer)) func(f *pssFixture) ([]abci.Event, error) {
	return func(f *pssFixture) ([]abci.Event, error) {
		m := &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: f.registered}
		mut(f, m)
		s := signer
		if s == nil {
			s = m.Owner
		}
		return f.h.k.HandleRemoveConsumer(f.h.s, f.h.height, f.h.now, s, m)
	}
}

// TestRemoveConsumerRejections breaks a valid MsgRemoveConsumer one rule
// at a time.
func TestRemoveConsumerRejections(t *testing.T) {
	cases := []pssCase{
		{"valid", removeCaseAs(nil, func(*pssFixture, *registry.MsgRemoveConsumer) {}), nil},
		{"valid, launched", removeCaseAs(nil, func(f *pssFixture, m *registry.MsgRemoveConsumer) { m.ConsumerId = f.launched }), nil},
		{"signer is not the message's owner", removeCaseAs(bob, func(*pssFixture, *registry.MsgRemoveConsumer) {}), ErrNotOwner},
		{"not the consumer's owner", removeCaseAs(nil, func(_ *pssFixture, m *registry.MsgRemoveConsumer) { m.Owner = bob }), ErrNotOwner},
		{"governance on alice's consumer", removeCaseAs(nil, func(_ *pssFixture, m *registry.MsgRemoveConsumer) { m.Owner = govAddr }), ErrNotOwner},
		{"alice on governance's consumer", removeCaseAs(nil, func(f *pssFixture, m *registry.MsgRemoveConsumer) { m.ConsumerId = f.top }), ErrNotOwner},
		{"owner of 0 bytes", removeCaseAs(alice, func(_ *pssFixture, m *registry.MsgRemoveConsumer) { m.Owner = nil }), ErrInvalidConsumer},
	}
	for _, name := range badIDNames {
		cases = append(cases, pssCase{"consumer id " + name, removeCaseAs(nil, func(f *pssFixture, m *registry.MsgRemoveConsumer) {
			m.ConsumerId = badConsumerIDs(f)[name]
		}), ErrConsumerNotFound})
	}
	runPSSCases(t, cases)
}

// validatorMsg is what the validator messages' table cases change: the
// signer, the operator and the consumer id.
type validatorMsg struct {
	signer, operator []byte
	consumerID       string
}

// TestValidatorMessageRejections breaks valid MsgOptIn, MsgOptOut and
// MsgSetConsumerCommissionRate one rule at a time. Validator 0 is opted
// in to the launched and the top consumers, validator 2 to none.
func TestValidatorMessageRejections(t *testing.T) {
	optIn := func(i int, key []byte, mut func(f *pssFixture, m *validatorMsg)) func(f *pssFixture) ([]abci.Event, error) {
		return func(f *pssFixture) ([]abci.Event, error) {
			v := validatorMsg{operatorOf(i), operatorOf(i), f.launched}
			mut(f, &v)
			return f.h.k.Registry().HandleOptIn(f.h.s, f.h.height, f.h.now, v.signer, &registry.MsgOptIn{Operator: v.operator, ConsumerId: v.consumerID, ConsumerKey: key})
		}
	}
	optOut := func(i int, mut func(f *pssFixture, m *validatorMsg)) func(f *pssFixture) ([]abci.Event, error) {
		return func(f *pssFixture) ([]abci.Event, error) {
			v := validatorMsg{operatorOf(i), operatorOf(i), f.launched}
			mut(f, &v)
			return f.h.k.Registry().HandleOptOut(f.h.s, f.h.height, f.h.now, v.signer, &registry.MsgOptOut{Operator: v.operator, ConsumerId: v.consumerID})
		}
	}
	commission := func(rate fraction.Fraction, mut func(f *pssFixture, m *validatorMsg)) func(f *pssFixture) ([]abci.Event, error) {
		return func(f *pssFixture) ([]abci.Event, error) {
			v := validatorMsg{operatorOf(0), operatorOf(0), f.launched}
			mut(f, &v)
			return f.h.k.Registry().HandleSetConsumerCommissionRate(f.h.s, f.h.height, f.h.now, v.signer,
				&registry.MsgSetConsumerCommissionRate{Operator: v.operator, ConsumerId: v.consumerID, Rate: rate})
		}
	}
	same := func(*pssFixture, *validatorMsg) {}
	on := func(id func(f *pssFixture) string) func(*pssFixture, *validatorMsg) {
		return func(f *pssFixture, v *validatorMsg) { v.consumerID = id(f) }
	}
	otherSigner := func(_ *pssFixture, v *validatorMsg) { v.signer = operatorOf(1) }
	unknownOperator := func(_ *pssFixture, v *validatorMsg) { v.signer, v.operator = operatorOf(9), operatorOf(9) }
	rate := fraction.New(1, 10)
	cases := []pssCase{
		{"opt-in: valid", optIn(2, nil, same), nil},
		{"opt-in: valid, with a consumer key", optIn(2, consumerKeyOf(2, 1), same), nil},
		{"opt-in: valid, a registered consumer", optIn(2, nil, on(func(f *pssFixture) string { return f.registered })), nil},
		{"opt-in: signer is not the operator", optIn(2, nil, otherSigner), ErrUnauthorized},
		{"opt-in: unknown operator", optIn(2, nil, unknownOperator), ErrValidatorNotFound},
		{"opt-in: consumer key of 31 bytes", optIn(2, make([]byte, 31), same), ErrInvalidConsumerKey},
		{"opt-in: another validator's provider key", optIn(2, pubKeyOf(1), same), ErrKeyInUse},

		{"opt-out: valid", optOut(0, same), nil},
		{"opt-out: signer is not the operator", optOut(0, otherSigner), ErrUnauthorized},
		{"opt-out: unknown operator", optOut(0, unknownOperator), ErrValidatorNotFound},
		{"opt-out: validator not opted in", optOut(2, same), ErrNotOptedIn},
		{"opt-out: not opted in to a registered consumer", optOut(0, on(func(f *pssFixture) string { return f.registered })), ErrNotOptedIn},
		{"opt-out: top-N validator of a top-N consumer", optOut(0, on(func(f *pssFixture) string { return f.top })), ErrOptOutRefused},

		{"commission: valid", commission(rate, same), nil},
		{"commission: valid, one", commission(fraction.New(1, 1), same), nil},
		{"commission: valid, a validator not opted in", commission(rate, func(f *pssFixture, v *validatorMsg) {
			v.signer, v.operator = operatorOf(2), operatorOf(2)
		}), nil},
		{"commission: rate above one", commission(fraction.New(101, 100), same), ErrInvalidConsumer},
		{"commission: denominator 0", commission(fraction.New(0, 0), same), ErrInvalidConsumer},
		{"commission: signer is not the operator", commission(rate, otherSigner), ErrUnauthorized},
		{"commission: unknown operator", commission(rate, unknownOperator), ErrValidatorNotFound},
	}
	for _, name := range badIDNames {
		id := func(f *pssFixture) string { return badConsumerIDs(f)[name] }
		cases = append(cases,
			pssCase{"opt-in: consumer id " + name, optIn(2, nil, on(id)), ErrConsumerNotFound},
			pssCase{"opt-in with a key: consumer id " + name, optIn(2, consumerKeyOf(2, 1), on(id)), ErrConsumerNotFound},
			pssCase{"opt-out: consumer id " + name, optOut(0, on(id)), ErrConsumerNotFound},
			pssCase{"commission: consumer id " + name, commission(rate, on(id)), ErrConsumerNotFound})
	}
	runPSSCases(t, cases)
}
