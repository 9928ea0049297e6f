package packet

import (
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
)

// BenchmarkRecvPacket measures MsgRecvPacket on the receiving chain: packet
// decoding, checks, the ICS-23 verification of the two-layer commitment
// proof by the (fake, but really verifying) client, replay protection,
// the application and the acknowledgement write, each on a transaction
// cache written back. A committed packets all go into one block of A,
// so the proofs are of a store with b.N commitments.
func BenchmarkRecvPacket(b *testing.B) {
	for _, order := range []channeltypes.Order{channeltypes.UNORDERED, channeltypes.ORDERED} {
		b.Run(order.String(), func(b *testing.B) {
			l := newLink(b, order)
			ca, cb := l.a, l.b
			timeout := uint64(cb.now.Add(time.Hour).UnixNano())
			data := make([]byte, 200)
			var events []abci.Event
			for i := 0; i < b.N; i++ {
				copy(data, fmt.Sprintf("packet %d", i))
				_, evs, err := ca.k.SendPacket(ca.store(), ca.height, ca.now, appPort, l.chanA, clienttypes.ZeroHeight(), timeout, data)
				if err != nil {
					b.Fatal(err)
				}
				events = append(events, evs...)
			}
			ca.commit()
			msgs := make([]*MsgRecvPacket, b.N)
			for i, ev := range events {
				msgs[i] = l.recvMsg(packetFromEvent(b, ev))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := state.NewCache(cb.store())
				if _, err := cb.k.HandleRecvPacket(c, cb.height, cb.now, relayer, msgs[i]); err != nil {
					b.Fatal(err)
				}
				c.Write()
			}
		})
	}
}
