package consumernet

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/types/coin"
)

// Network is what the consumer chains of one testnet share.
type Network struct {
	// ProviderDir holds the provider homes (valnet.NodeHome(ProviderDir,
	// i)): the validators' operator keys and provider consensus keys.
	ProviderDir string
	// Validators is the number of provider validators.
	Validators int
	// TimeoutCommit, when positive, is every consumer node's; kvconsumer
	// nodes use one second otherwise.
	TimeoutCommit time.Duration
	// VotingPeriod, when positive, is the governance voting period of the
	// icsd chains' own staking.
	VotingPeriod time.Duration
	// Bin is the icsd binary, and NodeArgs are extra arguments of every
	// `icsd start`.
	Bin      string
	NodeArgs []string
	// KVConsumerBin is the kvconsumer binary (examples/kvconsumer) of the
	// chains with KV set.
	KVConsumerBin string
}

// Chain is the node side of one consumer chain: its directory, how its
// validators sign, and the nodes of the provider validators that validate
// it.
type Chain struct {
	// Net is what the chain shares with the testnet's other consumers.
	Net     *Network
	ChainID string
	Dir     string // DIR/consumer-<j>
	// BasePort places the nodes on loopback: validator i's node listens
	// for P2P on BasePort+10i and for RPC on BasePort+10i+1.
	BasePort int
	// AssignedKeys says whether the validators use fresh consumer keys.
	AssignedKeys bool
	// KV says whether the chain runs kvconsumer rather than icsd.
	KV bool
	// Fee is the fee of every transaction on an icsd chain (its minimum),
	// in the chain's own denomination; the zero Coin leaves the default
	// (1stake).
	Fee coin.Coin

	mu    sync.Mutex // guards nodes and their Process
	nodes []*Node    // in validator order
}

// Node is a provider validator's node on a consumer.
type Node struct {
	Validator int    // the provider validator's index
	Home      string // DIR/consumer-<j>/node<Validator>
	// Process runs the node, once started.
	Process *process.Process
}

// Nodes returns the chain's nodes, one per provider validator that
// validates it, in validator order.
func (c *Chain) Nodes() []*Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.nodes)
}

// Node returns provider validator i's node on the chain, or nil when
// validator i does not validate it.
func (c *Chain) Node(i int) *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if n.Validator == i {
			return n
		}
	}
	return nil
}

// Validators returns the indices of the provider validators that run a
// node on the chain.
func (c *Chain) Validators() []int {
	var out []int
	for _, n := range c.Nodes() {
		out = append(out, n.Validator)
	}
	return out
}

// addNode records node n, in validator order.
func (c *Chain) addNode(n *Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, _ := slices.BinarySearchFunc(c.nodes, n.Validator, func(m *Node, i int) int { return m.Validator - i })
	c.nodes = slices.Insert(c.nodes, k, n)
}

// P2PPort returns the P2P port of validator i's node on the chain.
func (c *Chain) P2PPort(i int) int { return c.BasePort + 10*i }

// RPC returns the RPC address of validator i's node on the chain (whether
// or not validator i runs one).
func (c *Chain) RPC(i int) string { return fmt.Sprintf("tcp://127.0.0.1:%d", c.P2PPort(i)+1) }

// RPCs returns the RPC addresses of the chain's nodes, in validator
// order.
func (c *Chain) RPCs() []string {
	var out []string
	for _, n := range c.Nodes() {
		out = append(out, c.RPC(n.Validator))
	}
	return out
}

// LiveRPC returns the RPC address of the chain's first node still running
// (in validator order), or else of its first node.
func (c *Chain) LiveRPC() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if n.Process != nil && !n.Process.Exited() {
			return c.RPC(n.Validator)
		}
	}
	if len(c.nodes) > 0 {
		return c.RPC(c.nodes[0].Validator)
	}
	return c.RPC(0)
}

// Processes returns the processes of the nodes that were started.
func (c *Chain) Processes() []*process.Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*process.Process
	for _, n := range c.nodes {
		if n.Process != nil {
			out = append(out, n.Process)
		}
	}
	return out
}

// Start starts node n (again) and records its process.
func (c *Chain) Start(n *Node) error {
	p, err := c.start(n)
	if err != nil {
		return err
	}
	c.mu.Lock()
	n.Process = p
	c.mu.Unlock()
	return nil
}

// start starts node n: `icsd start` with the network's NodeArgs, or
// `kvconsumer start`.
func (c *Chain) start(n *Node) (*process.Process, error) {
	var p *process.Process
	var err error
	if c.KV {
		p, err = process.Start(c.Net.KVConsumerBin, filepath.Base(n.Home), filepath.Join(n.Home, "node.log"), "start", "--home", n.Home)
		if err == nil {
			p.Home, p.RPC = n.Home, c.RPC(n.Validator)
		}
	} else {
		p, err = process.StartNode(c.Net.Bin, n.Home, c.Net.NodeArgs...)
	}
	if err != nil {
		return nil, err
	}
	p.Name = c.ChainID + "/" + p.Name
	return p, nil
}
