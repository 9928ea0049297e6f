package linkfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/failover"
	"github.com/abci-ics/ics/relayer/rpcnode"
)

// File is what `icsd relay link` saves and `icsd relay start` reads:
// both nodes, the relayer keys, and the identifiers on each side.
type File struct {
	A End `json:"a"`
	B End `json:"b"`
	// ConsumerID names, on a CCV link, the consumer on the provider (side
	// B) that side A is.
	ConsumerID string `json:"consumer_id,omitempty"`
	// Transfer names, on a CCV link, the ICS-20 channel opened beside the
	// CCV channel on the same connection (port transfer on both sides);
	// nil in a link saved before it existed, or when a side has no ICS-20.
	Transfer *TransferChannel `json:"transfer_channel,omitempty"`
}

// TransferChannel is the ICS-20 channel of a CCV link: its channel id on
// each side. Its clients and connection are the CCV channel's.
type TransferChannel struct {
	A string `json:"a_channel_id"`
	B string `json:"b_channel_id"`
}

// End is one side of a saved link.
type End struct {
	// Node is the RPC address of a node of the chain; Nodes are more, of
	// other nodes of the same chain: the relayer uses Node until it fails,
	// then the next (package failover).
	Node       string   `json:"node"`
	Nodes      []string `json:"nodes,omitempty"`
	Home       string   `json:"home"`
	Key        string   `json:"key"`
	ChainID    string   `json:"chain_id"`
	Client     string   `json:"client_id"`
	Connection string   `json:"connection_id"`
	Port       string   `json:"port_id"`
	Channel    string   `json:"channel_id"`
	// RelayTx marks a chain with its own transaction format: the relayer
	// submits unsigned interchain.RelayTx transactions there, and Key only
	// gives the relayer's address (see RelayTxSubmitter).
	RelayTx bool `json:"relay_tx,omitempty"`
	// OnSwitch, when set, is told when the relayer leaves a node that
	// failed for the next.
	OnSwitch func(from, to string, err error) `json:"-"`
}

// Endpoints returns Node and Nodes, without repeats.
func (e End) Endpoints() []string {
	var out []string
	for _, n := range append([]string{e.Node}, e.Nodes...) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// SetEndpoints makes addrs the end's nodes: the first is Node.
func (e *End) SetEndpoints(addrs []string) {
	e.Node, e.Nodes = "", nil
	if len(addrs) > 0 {
		e.Node, e.Nodes = addrs[0], slices.Clone(addrs[1:])
	}
}

// Chain connects to the end's nodes with the end's key as submitter (or
// the key's address in unsigned relay transactions, when RelayTx is set):
// to Node alone, or to a failover pool of Node and Nodes.
func (e End) Chain(ctx context.Context) (*relayer.Chain, error) {
	key, err := client.LoadKey(e.Home, e.Key)
	if err != nil {
		return nil, err
	}
	addrs := e.Endpoints()
	if len(addrs) == 0 {
		return nil, errors.New("the link names no node")
	}
	eps := make([]failover.Endpoint, len(addrs))
	for i, addr := range addrs {
		n, err := rpcnode.New(addr)
		if err != nil {
			return nil, err
		}
		sub, err := e.submitter(addr, key)
		if err != nil {
			return nil, err
		}
		eps[i] = failover.Endpoint{Addr: addr, Node: n, Submit: sub}
	}
	if len(eps) == 1 {
		c, err := relayer.NewChainOn(ctx, eps[0].Node, eps[0].Submit)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", addrs[0], err)
		}
		return c, nil
	}
	p, err := failover.New(eps...)
	if err != nil {
		return nil, err
	}
	p.OnSwitch = e.OnSwitch
	return relayer.NewChainOn(ctx, p.Node(), p.Submitter())
}

// Record copies the chain id and the identifiers of l's two ends into
// f's two ends.
func (f *File) Record(l *relayer.Link) {
	for _, p := range []struct {
		e   *End
		end *relayer.End
	}{{&f.A, l.A}, {&f.B, l.B}} {
		p.e.ChainID, p.e.Client, p.e.Connection, p.e.Port, p.e.Channel = p.end.Chain.ID, p.end.Client, p.end.Connection, p.end.Port, p.end.Channel
	}
}

// RecordTransfer saves the channel ids of t, the ICS-20 link beside the
// CCV channel, or clears them when t is nil.
func (f *File) RecordTransfer(t *relayer.Link) {
	f.Transfer = nil
	if t != nil {
		f.Transfer = &TransferChannel{A: t.A.Channel, B: t.B.Channel}
	}
}

// TransferLink returns the saved ICS-20 link over the same chains, clients
// and connection as l, the saved link's own (File.Link or Open); nil when
// the file names no transfer channel.
func (f File) TransferLink(l *relayer.Link) *relayer.Link {
	if f.Transfer == nil {
		return nil
	}
	return l.OnConnection(transfer.PortID, f.Transfer.A, transfer.PortID, f.Transfer.B)
}

// Open connects to both ends of a saved link over RPC.
func Open(ctx context.Context, f File) (*relayer.Link, error) {
	a, err := f.A.Chain(ctx)
	if err != nil {
		return nil, err
	}
	b, err := f.B.Chain(ctx)
	if err != nil {
		return nil, err
	}
	return f.Link(a, b), nil
}

// Link returns the saved link with a as the chain of side A and b as the
// chain of side B, however they are reached.
func (f File) Link(a, b *relayer.Chain) *relayer.Link {
	end := func(c *relayer.Chain, e End) *relayer.End {
		return &relayer.End{Chain: c, Client: e.Client, Connection: e.Connection, Port: e.Port, Channel: e.Channel}
	}
	return &relayer.Link{A: end(a, f.A), B: end(b, f.B)}
}

// Read reads a link saved by icsd relay link or link-ccv.
func Read(file string) (File, error) {
	bz, err := os.ReadFile(file)
	if err != nil {
		return File{}, fmt.Errorf("read link (run icsd relay link or link-ccv first?): %w", err)
	}
	var lf File
	if err := json.Unmarshal(bz, &lf); err != nil {
		return File{}, fmt.Errorf("%s: %w", file, err)
	}
	if lf.A.Channel == "" || lf.B.Channel == "" {
		return File{}, fmt.Errorf("%s: no channel on one side", file)
	}
	if t := lf.Transfer; t != nil && (t.A == "" || t.B == "") {
		return File{}, fmt.Errorf("%s: transfer_channel without a channel on one side", file)
	}
	return lf, nil
}

// Save writes lf to file.
func Save(file string, lf File) error {
	bz, err := json.MarshalIndent(lf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, bz, 0o644)
}
