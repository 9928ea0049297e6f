package provider

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// errAckBytes is the one error acknowledgement the provider writes: fixed
// text, so that every node writes the same bytes.
const errAckBytes = `{"error":"ABCI code: 1: error handling packet: see events for details"}`

// badSlash returns slash packet JSON with the given validator address
// (base64), power, vsc id and infraction, written by hand so that it can
// break the rules the encoder keeps.
func badSlash(addr, power, vscID, infraction string) []byte {
	return fmt.Appendf(nil, `{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":%q,"power":%q},"valset_update_id":%q,"infraction":%q}}`,
		addr, power, vscID, infraction)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// packetFixture is a provider with four validators, a running consumer
// ("consumer", its channel returned), a launched one whose channel is
// being opened ("opening", channel "channel-1") and one VSC (id 1) sent.
func packetFixture(t testing.TB) (*harness, string) {
	h := newHarness(t, 4, testParams())
	ch := h.run("consumer")
	h.launch("opening")
	if got := h.tryChannel("opening"); got != "channel-1" {
		t.Fatalf("opening channel %s", got)
	}
	h.blocksUntil(6) // epoch 5: vsc id 1 maps to height 6
	if h.k.VSC().VSCID(h.s) != 2 {
		t.Fatalf("vsc id %d", h.k.VSC().VSCID(h.s))
	}
	return h, ch
}

// TestBadPackets delivers invalid packets (SPEC 10): each gets the fixed
// error acknowledgement, the same bytes on two chains, and changes
// neither the store nor the validators.
func TestBadPackets(t *testing.T) {
	addr := b64(consAddrOf(0))
	cases := []struct {
		name  string
		setup func(h *harness, ch string) (string, []byte)
	}{
		{"not JSON", func(h *harness, ch string) (string, []byte) { return ch, []byte("slash!") }},
		{"empty", func(h *harness, ch string) (string, []byte) { return ch, nil }},
		{"JSON array", func(h *harness, ch string) (string, []byte) { return ch, []byte("[]") }},
		{"trailing data", func(h *harness, ch string) (string, []byte) {
			return ch, append(maturedData(1), " {}"...)
		}},
		{"unknown type", func(h *harness, ch string) (string, []byte) {
			return ch, []byte(`{"type":"CONSUMER_PACKET_TYPE_VSC","vscMaturedPacketData":{"valset_update_id":"1"}}`)
		}},
		{"unspecified type", func(h *harness, ch string) (string, []byte) {
			return ch, []byte(`{"type":"CONSUMER_PACKET_TYPE_UNSPECIFIED"}`)
		}},
		{"slash type carrying a matured packet", func(h *harness, ch string) (string, []byte) {
			return ch, []byte(`{"type":"CONSUMER_PACKET_TYPE_SLASH","vscMaturedPacketData":{"valset_update_id":"1"}}`)
		}},
		{"both payloads", func(h *harness, ch string) (string, []byte) {
			d := ccv.NewSlashPacket(ccv.SlashPacketData{Validator: ccv.Validator{Address: consAddrOf(0), Power: 1}, Infraction: ccv.InfractionDowntime})
			d.VSCMatured = &ccv.VSCMaturedPacketData{ValsetUpdateID: 1}
			return ch, d.Bytes()
		}},
		{"a VSC packet", func(h *harness, ch string) (string, []byte) {
			return ch, ccv.ValidatorSetChangePacketData{ValsetUpdateID: 1}.Bytes()
		}},
		{"unknown field", func(h *harness, ch string) (string, []byte) {
			return ch, []byte(`{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1","extra":"1"}}`)
		}},
		{"non-canonical vsc id", func(h *harness, ch string) (string, []byte) {
			return ch, []byte(`{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"01"}}`)
		}},
		{"address of 19 bytes", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(b64(consAddrOf(0)[:19]), "10", "0", "INFRACTION_TYPE_DOWNTIME")
		}},
		{"address of 32 bytes", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(b64(pubKeyOf(0)), "10", "0", "INFRACTION_TYPE_DOWNTIME")
		}},
		{"negative power", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "-1", "0", "INFRACTION_TYPE_DOWNTIME")
		}},
		// The validity rules of the reference's Validate (SPEC 11).
		{"matured with vsc id 0", func(h *harness, ch string) (string, []byte) { return ch, maturedData(0) }},
		{"slash with power 0", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "0", "0", "INFRACTION_TYPE_DOWNTIME")
		}},
		{"staking-enum slash with power 0", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "0", "0", "INFRACTION_DOWNTIME")
		}},
		{"empty address", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash("", "10", "0", "INFRACTION_TYPE_DOWNTIME")
		}},
		{"staking-enum unspecified infraction", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "10", "0", "INFRACTION_UNSPECIFIED")
		}},
		{"staking-enum infraction in lower case", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "10", "0", "infraction_downtime")
		}},
		{"infraction as a number", func(h *harness, ch string) (string, []byte) {
			return ch, bytes.Replace(badSlash(addr, "10", "0", "X"), []byte(`"X"`), []byte(`2`), 1)
		}},
		{"unspecified infraction", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "10", "0", "INFRACTION_TYPE_UNSPECIFIED")
		}},
		{"unknown infraction", func(h *harness, ch string) (string, []byte) {
			return ch, badSlash(addr, "10", "0", "INFRACTION_TYPE_LIGHT_CLIENT_ATTACK")
		}},
		{"slash with the current vsc id", func(h *harness, ch string) (string, []byte) {
			return ch, slashData(consAddrOf(0), h.k.VSC().VSCID(h.s), ccv.InfractionDowntime)
		}},
		{"slash with a vsc id far above the current", func(h *harness, ch string) (string, []byte) {
			return ch, slashData(consAddrOf(0), 1<<62, ccv.InfractionDowntime)
		}},
		{"double-sign slash with an unknown vsc id", func(h *harness, ch string) (string, []byte) {
			return ch, slashData(consAddrOf(0), 99, ccv.InfractionDoubleSign)
		}},
		{"slash for an unknown address with an unknown vsc id", func(h *harness, ch string) (string, []byte) {
			return ch, slashData(make([]byte, 20), 99, ccv.InfractionDowntime)
		}},
		{"matured on a channel of no consumer", func(h *harness, ch string) (string, []byte) { return "channel-99", maturedData(1) }},
		{"slash on a channel of no consumer", func(h *harness, ch string) (string, []byte) { return "channel-99", downtime(0) }},
		{"matured on a consumer not yet running", func(h *harness, ch string) (string, []byte) { return "channel-1", maturedData(1) }},
		{"slash on a consumer not yet running", func(h *harness, ch string) (string, []byte) { return "channel-1", downtime(0) }},
		{"slash on a stopping consumer", func(h *harness, ch string) (string, []byte) {
			if _, err := h.k.OnTimeoutPacket(h.s, h.height, h.now, channeltypes.Packet{SourcePort: "provider", SourceChannel: ch, Sequence: 1}, nil); err != nil {
				t.Fatal(err)
			}
			return ch, downtime(0)
		}},
		{"matured on a stopping consumer", func(h *harness, ch string) (string, []byte) {
			if err := h.k.OnChanCloseConfirm(h.s, h.id("provider"), ch); err != nil {
				t.Fatal(err)
			}
			return ch, maturedData(1)
		}},
		{"staking refuses the jail after the slash", func(h *harness, ch string) (string, []byte) {
			p := h.k.Params(h.s)
			p.DowntimeSlashFraction = fraction.New(1, 2)
			if err := h.k.SetParams(h.s, p); err != nil {
				t.Fatal(err)
			}
			h.st.jailErr = errors.New("fake: jail refused")
			return ch, downtime(0)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var acks [2][]byte
			for run := range acks {
				h, ch := packetFixture(t)
				dest, data := c.setup(h, ch)
				before, keys, calls := h.hash(), dump(h.s), len(h.st.jails)+len(h.st.tombstones)
				h.takeEvents()
				a := h.recv(dest, data)
				if a.Success() {
					t.Fatalf("run %d: ack %s, want an error", run, a.Acknowledgement())
				}
				acks[run] = a.Acknowledgement()
				h.mustUnchanged(before, c.name)
				if after := dump(h.s); len(after) != len(keys) {
					t.Fatalf("run %d: %d keys before, %d after", run, len(keys), len(after))
				}
				if len(h.st.jails)+len(h.st.tombstones) != calls {
					t.Fatalf("run %d: a refused packet jailed or tombstoned", run)
				}
				if evs := h.takeEvents(); len(evs) != 0 {
					t.Fatalf("run %d: a refused packet emitted %v", run, evs)
				}
			}
			if !bytes.Equal(acks[0], acks[1]) || string(acks[0]) != errAckBytes {
				t.Fatalf("acks %s and %s, want %s", acks[0], acks[1], errAckBytes)
			}
		})
	}
}

// TestSlashEncodings delivers each slash packet in both encodings (SPEC
// 11: the ccv enum consumers send, and the staking enum of the reference's
// current proto JSON) to two identical providers: the acknowledgement, the
// events, the staking calls and the resulting state are the same.
func TestSlashEncodings(t *testing.T) {
	for _, tc := range []struct {
		name, ccvName, stakingName string
		addr                       func() []byte
		want                       byte
	}{
		{"downtime of a validator", "INFRACTION_TYPE_DOWNTIME", "INFRACTION_DOWNTIME", func() []byte { return consAddrOf(0) }, ccv.ResultHandled},
		{"double signing", "INFRACTION_TYPE_DOUBLE_SIGN", "INFRACTION_DOUBLE_SIGN", func() []byte { return consAddrOf(1) }, ccv.ResultHandled},
		{"downtime of an unknown address", "INFRACTION_TYPE_DOWNTIME", "INFRACTION_DOWNTIME", func() []byte { return make([]byte, 20) }, ccv.ResultHandled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type outcome struct {
				ack    string
				hash   []byte
				events string
				jails  int
			}
			var got [2]outcome
			for i, name := range []string{tc.ccvName, tc.stakingName} {
				h, ch := packetFixture(t)
				h.takeEvents()
				a := h.recv(ch, badSlash(b64(tc.addr()), "10", "1", name))
				if r := result(t, a); r != tc.want {
					t.Fatalf("%s: result %d, want %d", name, r, tc.want)
				}
				got[i] = outcome{string(a.Acknowledgement()), h.hash(), fmt.Sprint(h.takeEvents()), len(h.st.jails)}
			}
			if wantJail := tc.name == "downtime of a validator"; (got[0].jails > 0) != wantJail {
				t.Fatalf("%d jails, want a jail %t", got[0].jails, wantJail)
			}
			if got[0].ack != got[1].ack || !bytes.Equal(got[0].hash, got[1].hash) || got[0].events != got[1].events || got[0].jails != got[1].jails {
				t.Fatalf("the two encodings differ:\n%+v\n%+v", got[0], got[1])
			}
		})
	}
}

// TestSlashPacketsWithNothingToDo delivers valid slash packets that name
// no punishable validator of the consumer: each is handled (result 2) and
// changes nothing.
func TestSlashPacketsWithNothingToDo(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness) []byte
	}{
		{"unknown consumer address", func(h *harness) []byte { return slashData(make([]byte, 20), 1, ccv.InfractionDowntime) }},
		{"a provider key never used on this consumer", func(h *harness) []byte {
			h.addValidator(9, 10) // bonded after the consumer's last VSC
			return slashData(consAddrOf(9), 1, ccv.InfractionDowntime)
		}},
		{"a key the validator uses on another consumer only", func(h *harness) []byte {
			k := consumerKeyOf(0, 1)
			h.assign(0, "opening", k)
			h.blocksUntil(11) // epoch 10 rotates the key on "opening"
			if o, ok := h.k.VSC().KeyOwner(h.s, h.id("opening"), addrOfKey(k)); !ok || !bytes.Equal(o.ProviderAddr, consAddrOf(0)) {
				t.Fatal("the assigned key is not in use on opening")
			}
			return slashData(addrOfKey(k), 1, ccv.InfractionDowntime)
		}},
		{"validator no longer bonded", func(h *harness) []byte {
			if err := h.st.update(h.s, consAddrOf(1), func(v *Validator) { v.Bonded = false }); err != nil {
				t.Fatal(err)
			}
			return slashData(consAddrOf(1), 1, ccv.InfractionDowntime)
		}},
		{"validator tombstoned", func(h *harness) []byte {
			if err := h.st.update(h.s, consAddrOf(2), func(v *Validator) { v.Tombstoned = true }); err != nil {
				t.Fatal(err)
			}
			return slashData(consAddrOf(2), 0, ccv.InfractionDowntime)
		}},
		{"validator missing from staking", func(h *harness) []byte {
			h.s.KV(stakingStore).Delete(append([]byte{1}, consAddrOf(3)...))
			return slashData(consAddrOf(3), 1, ccv.InfractionDowntime)
		}},
		{"double signing", func(h *harness) []byte { return slashData(consAddrOf(0), 1, ccv.InfractionDoubleSign) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, ch := packetFixture(t)
			data := c.setup(h)
			before, calls := h.hash(), h.st.calls()
			if got := result(t, h.recv(ch, data)); got != ccv.ResultHandled {
				t.Fatalf("result %d, want handled", got)
			}
			h.mustUnchanged(before, c.name)
			if h.st.calls() != calls {
				t.Fatal("staking was called")
			}
		})
	}
}

// TestVSCMaturedAck checks that a VSCMatured packet is acknowledged as
// received and forgets the send times of the VSCs it matures.
func TestVSCMaturedAck(t *testing.T) {
	h, ch := packetFixture(t)
	h.addValidator(5, 10)
	h.blocksUntil(11) // epoch 10 sends VSC 2
	if _, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); !ok {
		t.Fatal("no VSC sent")
	}
	if got := result(t, h.recv(ch, maturedData(1))); got != ccv.ResultReceived {
		t.Fatalf("result %d", got)
	}
	if _, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); !ok {
		t.Fatal("maturing VSC 1 forgot VSC 2")
	}
	if got := result(t, h.recv(ch, maturedData(2))); got != ccv.ResultReceived {
		t.Fatalf("result %d", got)
	}
	if _, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); ok {
		t.Fatal("VSC 2 still unmatured")
	}
	evs := eventsOf(h.takeEvents(), "vsc_matured")
	if len(evs) != 2 || attr(evs[1], "valset_update_id") != "2" || attr(evs[1], "consumer_id") != h.id("consumer") {
		t.Fatalf("events %v", evs)
	}
}

// TestVSCMaturedMaxID matures the largest vsc id: every hold is released
// and every sent VSC forgotten, as for any id above those sent.
func TestVSCMaturedMaxID(t *testing.T) {
	h, ch := packetFixture(t)
	h.addValidator(5, 10)
	h.blocksUntil(11) // epoch 10 sends VSC 2
	if got := result(t, h.recv(ch, maturedData(1<<64-1))); got != ccv.ResultReceived {
		t.Fatalf("result %d", got)
	}
	if sent, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); ok {
		t.Fatalf("VSC sent at %s still unmatured after maturing every id", sent)
	}
}

// tracker is a store that counts the writes made through it.
type tracker struct {
	state.Store
	writes int
}

func (t *tracker) KV(name string) state.KVStore { return trackedKV{t.Store.KV(name), t} }

type trackedKV struct {
	state.KVStore
	t *tracker
}

func (k trackedKV) Set(key, value []byte) { k.t.writes++; k.KVStore.Set(key, value) }
func (k trackedKV) Delete(key []byte)     { k.t.writes++; k.KVStore.Delete(key) }

// FuzzOnRecvPacket feeds arbitrary data to a running consumer's channel:
// the provider never panics, refuses with the fixed error acknowledgement
// and no write, and accepts only data that decodes, with the result its
// type allows.
func FuzzOnRecvPacket(f *testing.F) {
	f.Add(downtime(0))
	f.Add(slashData(consAddrOf(1), 1, ccv.InfractionDowntime))
	f.Add(slashData(consAddrOf(2), 1, ccv.InfractionDoubleSign))
	f.Add(slashData(consAddrOf(3), 2, ccv.InfractionDowntime))
	f.Add(maturedData(1))
	f.Add(maturedData(1<<64 - 1))
	f.Add([]byte(`{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}}`))
	f.Add([]byte(`{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_DOWNTIME"}}`))
	f.Add(badSlash(b64(consAddrOf(0)), "10", "1", "INFRACTION_DOWNTIME"))
	f.Add(badSlash(b64(consAddrOf(0)), "0", "1", "INFRACTION_DOWNTIME"))
	f.Add(maturedData(0))
	f.Add([]byte(`{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"84923"}}`))
	f.Add([]byte("{}"))
	f.Add([]byte(nil))
	h, ch := packetFixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := &tracker{Store: state.NewCache(h.s)}
		a, evs := h.k.OnRecvPacket(tr, h.height, h.now, h.packet(ch, data), nil)
		if !a.Success() {
			if tr.writes != 0 || len(evs) != 0 {
				t.Fatalf("refused packet made %d writes and %d events", tr.writes, len(evs))
			}
			if string(a.Acknowledgement()) != errAckBytes {
				t.Fatalf("error ack %s", a.Acknowledgement())
			}
			return
		}
		d, err := ccv.DecodeConsumerPacket(data)
		if err != nil {
			t.Fatalf("accepted data that does not decode: %v", err)
		}
		res := result(t, a)
		switch {
		case d.VSCMatured != nil && res != ccv.ResultReceived:
			t.Fatalf("matured packet: result %d", res)
		case d.Slash != nil && res != ccv.ResultHandled && res != ccv.ResultBounced:
			t.Fatalf("slash packet: result %d", res)
		case res == ccv.ResultBounced && tr.writes != 0:
			t.Fatalf("bounced packet made %d writes", tr.writes)
		case d.Slash != nil && d.Slash.Infraction == ccv.InfractionDoubleSign && tr.writes != 0:
			t.Fatalf("double-sign packet made %d writes", tr.writes)
		}
	})
}
