package provider

import (
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// maxFuzzMsg bounds the inputs FuzzConsumerMsgs tries: the seeds are at
// most about 200 bytes, and small inputs keep the fuzzer minimizing
// quickly.
const maxFuzzMsg = 512

// refusals are the errors a refused consumer message or proposal wraps.
var refusals = []error{ErrInvalidConsumer, ErrInvalidProposal, ErrConsumerNotFound, ErrConsumerExists, ErrNotOwner,
	ErrUnauthorized, ErrValidatorNotFound, ErrNotOptedIn, ErrOptOutRefused, ErrInvalidConsumerKey, ErrKeyInUse}

// mustRefusal fails unless err wraps one of refusals.
func mustRefusal(t *testing.T, what string, err error) {
	t.Helper()
	for _, r := range refusals {
		if errors.Is(err, r) {
			return
		}
	}
	t.Fatalf("%s refused with an error of no provider kind: %v", what, err)
}

// fuzzMsg decodes data as a PT and, if it decodes, runs validate (when
// set) and then handle on a tracked cache of s: a refused message must
// wrap a provider error and write nothing; an accepted one must validate
// and return an event.
func fuzzMsg[T any, PT interface {
	*T
	Unmarshal([]byte) error
}](t *testing.T, what string, s state.Store, data []byte, validate func(PT) error, handle func(s state.Store, m PT) ([]abci.Event, error)) {
	m := PT(new(T))
	if m.Unmarshal(data) != nil {
		return
	}
	var verr error
	if validate != nil {
		verr = validate(m)
	}
	tr := &tracker{Store: state.NewCache(s)}
	evs, err := handle(tr, m)
	if err != nil {
		mustRefusal(t, what, err)
		if tr.writes != 0 || len(evs) != 0 {
			t.Fatalf("refused %s (%v) made %d writes and %d events", what, err, tr.writes, len(evs))
		}
		return
	}
	if verr != nil {
		t.Fatalf("accepted %s that does not validate: %v", what, verr)
	}
	if len(evs) == 0 {
		t.Fatalf("accepted %s without an event", what)
	}
}

// fuzzProposal decodes data as a proposal content with check and runs
// execute on a tracked cache of s: content the check refuses is refused
// by execute too, a refusal wraps a provider error and writes nothing.
func fuzzProposal(t *testing.T, what string, s state.Store, data []byte, check func([]byte) error, execute func(s state.Store, content []byte) error) {
	cerr := check(data)
	if cerr != nil {
		mustRefusal(t, what+" check", cerr)
	}
	tr := &tracker{Store: state.NewCache(s)}
	err := execute(tr, data)
	if err != nil {
		mustRefusal(t, what, err)
		if tr.writes != 0 {
			t.Fatalf("refused %s (%v) made %d writes", what, err, tr.writes)
		}
		return
	}
	if cerr != nil {
		t.Fatalf("executed %s that its check refuses: %v", what, cerr)
	}
}

// FuzzConsumerMsgs decodes arbitrary bytes as each consumer message
// (creation, update, removal, opt-in, opt-out, commission) and each
// consumer proposal content, and runs its stateless check and then its
// handler, signed by the account it names, on a provider with a consumer
// in every phase: nothing panics, a refusal wraps a provider error and
// changes nothing, and nothing that fails its stateless check is accepted.
func FuzzConsumerMsgs(f *testing.F) {
	fx := newPSSFixture(f)
	h := fx.h
	gov := validCreate(fx)
	gov.Submitter, gov.PowerShapingParameters = govAddr, &registry.PowerShapingParameters{TopN: 50}
	add := proposal("added", h.now.Add(time.Hour))
	for _, m := range []interface{ Marshal() ([]byte, error) }{
		validCreate(fx), gov,
		&registry.MsgCreateConsumer{Submitter: alice, ChainId: "launched"},
		&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: fx.registered, NewOwner: bob, Metadata: &registry.ConsumerMetadata{Name: "n"},
			InitializationParameters: initParams(h.now), PowerShapingParameters: &registry.PowerShapingParameters{ValidatorSetCap: 2},
			InfractionParameters: customInfraction()},
		&registry.MsgUpdateConsumer{Owner: govAddr, ConsumerId: fx.top, PowerShapingParameters: &registry.PowerShapingParameters{TopN: 60}},
		&registry.MsgRemoveConsumer{Owner: alice, ConsumerId: fx.launched},
		&registry.MsgRemoveConsumer{Owner: alice, ConsumerId: fx.initialized},
		&registry.MsgOptIn{Operator: operatorOf(2), ConsumerId: fx.launched, ConsumerKey: consumerKeyOf(2, 1)},
		&registry.MsgOptOut{Operator: operatorOf(0), ConsumerId: fx.launched},
		&registry.MsgOptOut{Operator: operatorOf(0), ConsumerId: fx.top},
		&registry.MsgSetConsumerCommissionRate{Operator: operatorOf(1), ConsumerId: fx.launched, Rate: fraction.New(1, 20)},
		&add,
		&ConsumerRemovalProposal{ConsumerId: fx.launched, StopTime: h.now.Add(time.Hour).UnixNano()},
	} {
		f.Add(mustMarshal(m))
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x14})
	k, height, now, s := h.k, h.height, h.now, h.s
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzMsg {
			return
		}
		fuzzMsg(t, "MsgCreateConsumer", s, data, (*registry.MsgCreateConsumer).ValidateBasic, func(s state.Store, m *registry.MsgCreateConsumer) ([]abci.Event, error) {
			return k.Registry().HandleCreateConsumer(s, height, now, m.Submitter, m)
		})
		fuzzMsg(t, "MsgUpdateConsumer", s, data, (*registry.MsgUpdateConsumer).ValidateBasic, func(s state.Store, m *registry.MsgUpdateConsumer) ([]abci.Event, error) {
			return k.Registry().HandleUpdateConsumer(s, height, now, m.Owner, m)
		})
		fuzzMsg(t, "MsgRemoveConsumer", s, data, (*registry.MsgRemoveConsumer).ValidateBasic, func(s state.Store, m *registry.MsgRemoveConsumer) ([]abci.Event, error) {
			return k.HandleRemoveConsumer(s, height, now, m.Owner, m)
		})
		fuzzMsg(t, "MsgOptIn", s, data, nil, func(s state.Store, m *registry.MsgOptIn) ([]abci.Event, error) {
			return k.Registry().HandleOptIn(s, height, now, m.Operator, m)
		})
		fuzzMsg(t, "MsgOptOut", s, data, nil, func(s state.Store, m *registry.MsgOptOut) ([]abci.Event, error) {
			return k.Registry().HandleOptOut(s, height, now, m.Operator, m)
		})
		fuzzMsg(t, "MsgSetConsumerCommissionRate", s, data, func(m *registry.MsgSetConsumerCommissionRate) error { return m.Rate.Validate() },
			func(s state.Store, m *registry.MsgSetConsumerCommissionRate) ([]abci.Event, error) {
				return k.Registry().HandleSetConsumerCommissionRate(s, height, now, m.Operator, m)
			})
		fuzzProposal(t, "ConsumerAdditionProposal", s, data, CheckAddition, func(s state.Store, content []byte) error {
			_, err := k.ExecuteAddition(s, height, now, content)
			return err
		})
		fuzzProposal(t, "ConsumerRemovalProposal", s, data, CheckRemoval, func(s state.Store, content []byte) error {
			_, err := k.ExecuteRemoval(s, height, now, content)
			return err
		})
	})
}
