package ibcquery_test

import (
	"context"
	"errors"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/ibcquery"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/state"
)

// clients adapts client.Keeper to the keepers' Clients interfaces (the
// queries never reach the methods it overrides).
type clients struct{ client.Keeper }

func (c clients) Status(s state.Store, clientID string, now time.Time) string {
	return string(c.Keeper.Status(s, clientID, now))
}

func (c clients) VerifyHeader(s state.Store, clientID string, now time.Time, h *ibctm.Header) error {
	_, _, err := c.Keeper.VerifyHeader(s, clientID, now, h)
	return err
}

// FuzzHandle sends arbitrary request bytes to every IBC query method over
// an IBC store with one channel end: no request may panic, and every
// error is a malformed request or a gRPC status.
func FuzzHandle(f *testing.F) {
	ms, err := state.Open(dbm.NewMemDB(), []string{commitment.StoreName}, state.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer ms.Close()
	end := channeltypes.NewChannel(channeltypes.OPEN, channeltypes.UNORDERED, channeltypes.NewCounterparty("transfer", "channel-1"), []string{"connection-0"}, "ics20-1")
	bz, err := end.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	ms.Working().KV(commitment.StoreName).Set([]byte(commitment.ChannelPath("transfer", "channel-0")), bz)
	ci, err := ms.Commit()
	if err != nil {
		f.Fatal(err)
	}
	v, err := ms.View(ci.Version)
	if err != nil {
		f.Fatal(err)
	}
	var cs clients
	conns := connection.NewKeeper(cs)
	chans := channel.NewKeeper(cs, conns)
	r := grpcquery.NewRouter()
	(&ibcquery.Service{Clients: cs.Keeper, Connections: conns, Channels: chans, Packets: packet.NewKeeper(chans, cs, conns, 1), Revision: 1}).Register(r)
	methods := r.Methods()
	ctx := grpcquery.WithState(context.Background(), grpcquery.State{View: v, Now: time.Unix(1, 0), Prove: true})
	f.Add(uint8(0), []byte{})
	f.Add(uint8(3), []byte{0x0a, 0x08, 't', 'r', 'a', 'n', 's', 'f', 'e', 'r', 0x12, 0x09, 'c', 'h', 'a', 'n', 'n', 'e', 'l', '-', '0'})
	f.Add(uint8(7), []byte{0x0a, 0x01, 'x', 0x12, 0x01, 'y', 0x18, 0x05})
	f.Fuzz(func(t *testing.T, m uint8, req []byte) {
		method := methods[int(m)%len(methods)]
		_, err := r.Handle(ctx, method, req)
		if _, ok := status.FromError(err); !ok && !errors.Is(err, grpcquery.ErrMalformedRequest) {
			t.Fatalf("%s: error %v is neither a status nor a malformed request", method, err)
		}
	})
}
