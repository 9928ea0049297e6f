package consumer_test

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/state"
)

// channels and clients stand in for the chain's IBC layer.
type channels struct{ sent [][]byte }

func (c *channels) SendPacket(s state.Store, height int64, now time.Time, port, channel string, th clienttypes.Height, tt uint64, data []byte) (uint64, []abci.Event, error) {
	c.sent = append(c.sent, data)
	return uint64(len(c.sent)), nil, nil
}
func (c *channels) ChanCloseInit(state.Store, time.Time, string, string) ([]abci.Event, error) {
	return nil, nil
}
func (c *channels) Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool) {
	return connectiontypes.ConnectionEnd{ClientId: "07-tendermint-0", State: connectiontypes.OPEN}, connectionID == "connection-0"
}

type clients struct{}

func (clients) CreateClient(state.Store, int64, time.Time, *ibctm.ClientState, *ibctm.ConsensusState) (string, error) {
	return "07-tendermint-0", nil
}
func (clients) TrackedChain(state.Store, string, time.Time) (string, bool) { return "provider-1", true }

// Example shows a chain embedding the consumer: genesis, the CCV handshake,
// a VSC packet, and the end of the block that returns its updates.
func Example() {
	ms, _ := state.Open(dbm.NewMemDB(), []string{consumer.StoreName}, state.Options{})
	s := ms.Working()
	ch := &channels{}
	k := consumer.Keeper{Channels: ch, Clients: clients{}, Prefix: "cosmos"}
	now := time.Unix(1_700_000_000, 0)

	cs, _ := (&ibctm.ClientState{ChainId: "provider-1", LatestHeight: clienttypes.NewHeight(1, 5)}).Marshal()
	cons, _ := (&ibctm.ConsensusState{Timestamp: now}).Marshal()
	key := func(b byte) []byte { k := make([]byte, 32); k[0] = b; return k }
	g := &ccv.ConsumerGenesis{
		ProviderClientState: cs, ProviderConsensusState: cons, Params: ccv.DefaultConsumerParams(),
		InitialValidators: []ccv.InitialValidator{{PubKey: key(1), Power: 10}},
	}
	ups, err := k.InitGenesis(s, g, 1, now)
	fmt.Println("genesis validators:", len(ups), err)

	// The relayer opens the CCV channel (the channel layer calls these).
	v, _ := k.OnChanOpenInit(s, channeltypes.ORDERED, []string{"connection-0"}, ccv.ConsumerPortID, "channel-0",
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), "")
	md := ccv.HandshakeMetadata{ProviderFeePoolAddr: "cosmos1pool", Version: v}
	fmt.Println("ack:", k.OnChanOpenAck(s, ccv.ConsumerPortID, "channel-0", "channel-3", string(md.Bytes())))

	// A VSC packet arrives and the block ends.
	data := ccv.ValidatorSetChangePacketData{ValidatorUpdates: []ccv.ValidatorUpdate{{PubKey: key(2), Power: 5}}, ValsetUpdateID: 1, SlashAcks: []string{}}
	p := channeltypes.NewPacket(data.Bytes(), 1, ccv.ProviderPortID, "channel-3", ccv.ConsumerPortID, "channel-0", clienttypes.ZeroHeight(), 0)
	ack, _ := k.OnRecvPacket(s, 2, now, p, nil)
	ups, _, _ = k.EndBlock(s, 2, now)
	fmt.Println("received:", ack.Success(), "updates:", len(ups), "set:", len(k.ValidatorSet(s)))

	// An unbonding period later, the VSC has matured and the provider hears of it.
	_, _, _ = k.EndBlock(s, 3, now.Add(g.Params.UnbondingPeriod))
	fmt.Println("sent:", string(ch.sent[0]))
	// Output:
	// genesis validators: 1 <nil>
	// ack: <nil>
	// received: true updates: 1 set: 2
	// sent: {"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"1"}}
}
