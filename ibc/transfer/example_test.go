package transfer_test

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// oneChannel is a channel keeper with one open transfer channel that
// prints the packets it is asked to send.
type oneChannel struct{}

func (oneChannel) SendPacket(s state.Store, height int64, now time.Time, port, channel string, th clienttypes.Height, ts uint64, data []byte) (uint64, []abci.Event, error) {
	fmt.Printf("packet on %s/%s: %s\n", port, channel, data)
	return 1, nil, nil
}

func (oneChannel) Counterparty(s state.Store, port, channel string) (channeltypes.Counterparty, bool) {
	return channeltypes.Counterparty{PortId: transfer.PortID, ChannelId: "channel-4"}, channel == "channel-0"
}

// A module sends tokens from its own account with Transfer, for example a
// consumer chain's share of fees to its provider. Native tokens are
// escrowed until the packet is acknowledged.
func ExampleKeeper_Transfer() {
	ms, _ := state.Open(dbm.NewMemDB(), []string{bank.StoreName, transfer.StoreName}, state.Options{})
	defer ms.Close()
	s := ms.Working()
	bk := bank.Keeper{Prefix: "consumer"}
	k := transfer.Keeper{Bank: bk, Channels: oneChannel{}, Prefix: "consumer"}

	pool := address.Module("cons_redistribute")
	_ = bk.Mint(s, pool, []coin.Coin{{Denom: "ucons", Amount: 250}})
	now := time.Unix(1_700_000_000, 0)
	seq, _, err := k.Transfer(s, 1000, now, &transfer.MsgTransfer{
		Sender: pool, SourcePort: transfer.PortID, SourceChannel: "channel-0",
		Token:    coin.Coin{Denom: "ucons", Amount: 250},
		Receiver: "provider1tmr4nec3ck5rkkkqtvxmeyl9zhpca0v0gk486c", Memo: "consumer-1",
		TimeoutTimestamp: uint64(now.Add(time.Hour).UnixNano()),
	})
	fmt.Println(seq, err)
	fmt.Println(k.EscrowBalance(s, "channel-0", "ucons"), k.TotalEscrow(s, "ucons"), bk.Supply(s, "ucons"))
	// Output:
	// packet on transfer/channel-0: {"denom":"ucons","amount":"250","sender":"consumer1x69dz0c0emw8m2c6kp5v6c08kgjxmu30gle285","receiver":"provider1tmr4nec3ck5rkkkqtvxmeyl9zhpca0v0gk486c","memo":"consumer-1"}
	// 1 <nil>
	// 250 250 250
}
