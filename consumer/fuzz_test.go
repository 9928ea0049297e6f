package consumer

import (
	"testing"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
)

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

// FuzzOnRecvPacket feeds arbitrary packet data to the consumer: it never
// panics, refused data changes nothing, and accepted data is a VSC with a
// vscId above the last one. A refusal's acknowledgement is one of the
// fixed texts (SPEC 10).
func FuzzOnRecvPacket(f *testing.F) {
	f.Add(vsc(5, upd(0, 3), upd(9, 0)).Bytes())
	f.Add(vsc(2).Bytes())
	f.Add([]byte(`{"validator_updates":[{"pub_key":{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="},"power":"30"}],"valset_update_id":"73","slash_acks":["slash","acks","example"]}`))
	f.Add([]byte(`{"validator_updates":[],"valset_update_id":"18446744073709551615","slash_acks":["cosmosvalcons1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqlmsm5r"]}`))
	f.Add(ccv.NewVSCMaturedPacket(ccv.VSCMaturedPacketData{ValsetUpdateID: 4}).Bytes())
	f.Add(vsc(0, upd(0, 3)).Bytes())
	f.Add([]byte("{}"))
	f.Add([]byte(nil))
	h := newHarness(f, 3, true)
	mustReceive(f, h.recv(vsc(3, upd(1, 4))))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := &tracker{Store: state.NewCache(h.s)}
		ack, _ := h.k.OnRecvPacket(tr, h.height, h.now, h.vscPacket(data), nil)
		if !ack.Success() {
			if tr.writes != 0 {
				t.Fatalf("refused packet made %d writes", tr.writes)
			}
			switch e := ack.GetError(); e {
			case "ABCI code: 2: error handling packet: see events for details",
				"ABCI code: 5: error handling packet: see events for details",
				"ABCI code: 11: error handling packet: see events for details":
			default:
				t.Fatalf("error acknowledgement %q is not a fixed one", e)
			}
			return
		}
		d, err := ccv.DecodeValidatorSetChange(data)
		if err != nil {
			t.Fatalf("accepted data that does not decode: %v", err)
		}
		if d.ValsetUpdateID <= 3 {
			t.Fatalf("accepted vscId %d", d.ValsetUpdateID)
		}
		if id, _ := h.k.HighestVSCID(tr); id != d.ValsetUpdateID {
			t.Fatalf("highest %d after accepting %d", id, d.ValsetUpdateID)
		}
		// The updates are pending, last one per key, and EndBlock applies
		// them without panicking or duplicating keys.
		ups, _, err := h.k.EndBlock(tr, h.height, h.now)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, u := range ups {
			k := string(u.PubKey.GetEd25519())
			if seen[k] {
				t.Fatal("duplicate key in updates")
			}
			seen[k] = true
		}
	})
}
