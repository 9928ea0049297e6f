package abci

import (
	"fmt"
	"strconv"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
)

// IBC query paths; all answer JSON.
//
//	/ibc/client/<client-id>                         client state and status
//	/ibc/connections                                every connection
//	/ibc/channels                                   every channel
//	/ibc/commitments/<port>/<channel>               sequences of sent packets not yet acknowledged
//	/ibc/unreceived/<port>/<channel>/<seq,seq,...>  which of these sequences this chain has not received
//	/ibc/denom-traces                               ICS-20 vouchers
const (
	PathIBCClient      = "/ibc/client/"
	PathIBCConnections = "/ibc/connections"
	PathIBCChannels    = "/ibc/channels"
	PathIBCCommitments = "/ibc/commitments/"
	PathIBCUnreceived  = "/ibc/unreceived/"
	PathDenomTraces    = "/ibc/denom-traces"
)

// ClientJSON is a light client in query answers.
type ClientJSON struct {
	ClientID      string `json:"client_id"`
	ChainID       string `json:"chain_id"`
	Status        string `json:"status"`
	LatestHeight  string `json:"latest_height"`
	TrustingHours int64  `json:"trusting_period_hours"`
}

func (a *App) queryIBC(v *state.View, path string) (*abcitypes.ResponseQuery, bool, error) {
	answer := func(x any) (*abcitypes.ResponseQuery, bool, error) {
		r, err := jsonAnswer(x)
		return r, true, err
	}
	fail := func(err error) (*abcitypes.ResponseQuery, bool, error) { return nil, true, err }
	switch {
	case strings.HasPrefix(path, PathIBCClient):
		id := strings.TrimPrefix(path, PathIBCClient)
		cs, ok := a.clients.ClientState(v, id)
		if !ok {
			return fail(fmt.Errorf("%w: no client %q", ErrInvalidQuery, id))
		}
		return answer(ClientJSON{ClientID: id, ChainID: cs.ChainId, Status: string(a.clients.Status(v, id, a.lastBlockTime())),
			LatestHeight: cs.LatestHeight.String(), TrustingHours: int64(cs.TrustingPeriod.Hours())})
	case path == PathIBCConnections:
		return answer(a.channels.Connections(v))
	case path == PathIBCChannels:
		return answer(a.channels.Channels(v))
	case strings.HasPrefix(path, PathIBCCommitments):
		port, ch, ok := strings.Cut(strings.TrimPrefix(path, PathIBCCommitments), "/")
		if !ok {
			return fail(fmt.Errorf("%w: want %sPORT/CHANNEL", ErrInvalidQuery, PathIBCCommitments))
		}
		seqs := a.channels.PacketCommitments(v, port, ch)
		if seqs == nil {
			seqs = []uint64{}
		}
		return answer(seqs)
	case strings.HasPrefix(path, PathIBCUnreceived):
		parts := strings.Split(strings.TrimPrefix(path, PathIBCUnreceived), "/")
		if len(parts) != 3 {
			return fail(fmt.Errorf("%w: want %sPORT/CHANNEL/SEQ,SEQ", ErrInvalidQuery, PathIBCUnreceived))
		}
		var seqs []uint64
		for _, s := range strings.Split(parts[2], ",") {
			if s == "" {
				continue
			}
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fail(fmt.Errorf("%w: sequence %q", ErrInvalidQuery, s))
			}
			seqs = append(seqs, n)
		}
		if len(seqs) > 10_000 {
			return fail(fmt.Errorf("%w: at most 10000 sequences", ErrInvalidQuery))
		}
		out, err := a.channels.UnreceivedPackets(v, parts[0], parts[1], seqs)
		if err != nil {
			return fail(err)
		}
		if out == nil {
			out = []uint64{}
		}
		return answer(out)
	case path == PathDenomTraces:
		return answer(a.transfer.DenomTraces(v))
	}
	return nil, false, nil
}
