package provider

import (
	"bytes"
	"testing"
	"time"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/fraction"
)

// Accounts that own consumers in the partial set security tests.
var (
	alice = bytes.Repeat([]byte{0xa1}, 20)
	bob   = bytes.Repeat([]byte{0xb0}, 20)
)

// initParams returns valid initialization parameters with spawn time
// spawn (none when spawn is zero).
func initParams(spawn time.Time) *registry.ConsumerInitializationParameters {
	p := &registry.ConsumerInitializationParameters{InitialHeight: 1, Params: ccv.DefaultConsumerParams()}
	if !spawn.IsZero() {
		p.SpawnTime = spawn.UnixNano()
	}
	return p
}

// customInfraction are punishments unlike the provider's defaults: a
// double signer is slashed 1/5 and jailed two hours, not tombstoned; a
// validator down is slashed 1/10 and jailed one hour.
func customInfraction() *registry.InfractionParameters {
	return &registry.InfractionParameters{
		DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(1, 5), JailDuration: 2 * time.Hour},
		Downtime:   registry.InfractionParams{SlashFraction: fraction.New(1, 10), JailDuration: time.Hour},
	}
}

// create runs m as its submitter and records the new consumer's id under
// its chain id; it returns the id.
func (h *harness) create(m *registry.MsgCreateConsumer) string {
	h.t.Helper()
	evs, err := h.k.Registry().HandleCreateConsumer(h.s, h.height, h.now, m.Submitter, m)
	if err != nil {
		h.t.Fatalf("create %s: %v", m.ChainId, err)
	}
	e := eventsOf(evs, "create_consumer")
	if len(e) != 1 {
		h.t.Fatalf("create %s: events %v", m.ChainId, evs)
	}
	id := attr(e[0], "consumer_id")
	h.ids[m.ChainId] = id
	return id
}

// optIn opts validator i in to chainID, with consumer key key if set.
func (h *harness) optIn(i int, chainID string, key []byte) {
	h.t.Helper()
	m := &registry.MsgOptIn{Operator: operatorOf(i), ConsumerId: h.id(chainID), ConsumerKey: key}
	if _, err := h.k.Registry().HandleOptIn(h.s, h.height, h.now, operatorOf(i), m); err != nil {
		h.t.Fatalf("opt validator %d in to %s: %v", i, chainID, err)
	}
}

// optOut opts validator i out of chainID.
func (h *harness) optOut(i int, chainID string) error {
	m := &registry.MsgOptOut{Operator: operatorOf(i), ConsumerId: h.id(chainID)}
	_, err := h.k.Registry().HandleOptOut(h.s, h.height, h.now, operatorOf(i), m)
	return err
}

// update runs m as its owner.
func (h *harness) update(m *registry.MsgUpdateConsumer) error {
	_, err := h.k.Registry().HandleUpdateConsumer(h.s, h.height, h.now, m.Owner, m)
	return err
}

// launchOptIn creates chainID, owned by owner, as an opt-in consumer
// with power shaping ps (infraction parameters ip when set) spawning now,
// opts the validators vals in and ends the block, which launches it.
func (h *harness) launchOptIn(chainID string, owner []byte, ps registry.PowerShapingParameters, ip *registry.InfractionParameters, vals ...int) {
	h.t.Helper()
	h.create(&registry.MsgCreateConsumer{Submitter: owner, ChainId: chainID, InitializationParameters: initParams(h.now),
		PowerShapingParameters: &ps, InfractionParameters: ip})
	for _, i := range vals {
		h.optIn(i, chainID, nil)
	}
	h.block()
	if c := h.consumer(chainID); c.Phase != registry.PHASE_LAUNCHED {
		h.t.Fatalf("consumer %s in phase %s after its spawn time", chainID, c.Phase)
	}
}

// runOptIn launches chainID as launchOptIn does and opens its channel,
// which it returns.
func (h *harness) runOptIn(chainID string, owner []byte, ps registry.PowerShapingParameters, ip *registry.InfractionParameters, vals ...int) string {
	h.t.Helper()
	h.launchOptIn(chainID, owner, ps, ip, vals...)
	return h.openChannel(chainID)
}

// openChannel opens the CCV channel of launched consumer chainID and ends
// the block that records its init height. It returns the channel.
func (h *harness) openChannel(chainID string) string {
	h.t.Helper()
	chID := h.tryChannel(chainID)
	h.confirm(chID)
	h.block()
	if c := h.consumer(chainID); c.Phase != registry.PHASE_RUNNING {
		h.t.Fatalf("consumer %s in phase %s after its channel opened", chainID, c.Phase)
	}
	return chID
}

// setPower sets validator i's power (and tokens, kept equal).
func (h *harness) setPower(i int, power int64) {
	h.t.Helper()
	if err := h.st.update(h.s, consAddrOf(i), func(v *Validator) { v.Power, v.Tokens = power, uint64(power) }); err != nil {
		h.t.Fatal(err)
	}
}

// nextEpoch ends blocks until an epoch boundary has been ended, and
// returns the VSCs sent on chID meanwhile.
func (h *harness) nextEpoch(t *testing.T, chID string) []ccv.ValidatorSetChangePacketData {
	t.Helper()
	sent := len(h.ch.sent)
	n := h.k.Params(h.s).BlocksPerEpoch
	for {
		epoch := h.height%n == 0
		h.block()
		if epoch {
			return h.ch.vscsTo(t, chID, sent)
		}
	}
}

// setOf returns the stored validator set of chainID as provider address
// (as a string) to power.
func (h *harness) setOf(chainID string) map[string]int64 {
	out := map[string]int64{}
	for _, m := range h.k.VSC().ValidatorSet(h.s, h.id(chainID)) {
		out[string(m.ProviderAddr)] = m.Power
	}
	return out
}

// wantSet returns a set as setOf shows it, from pairs of a validator
// index and its power.
func wantSet(pairs ...int64) map[string]int64 {
	out := map[string]int64{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out[string(consAddrOf(int(pairs[i])))] = pairs[i+1]
	}
	return out
}

// upd is the update of validator i's provider key to power.
func upd(i int, power int64) ccv.ValidatorUpdate {
	return ccv.ValidatorUpdate{PubKey: pubKeyOf(i), Power: power}
}
