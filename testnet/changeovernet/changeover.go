package changeovernet

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app/changeover"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/types/coin"
)

// Options configure the changeover of a standalone chain beside a CCV
// testnet.
type Options struct {
	// Dir is the testnet's directory (icsd testnet start --dir); the
	// standalone chain lives in Dir/standalone.
	Dir string
	// Bin is the icsd binary the children run.
	Bin     string
	ChainID string // the standalone chain's
	// Lead is how long after the consumer's spawn time the changeover
	// height is expected: time to fetch and import the plan on every node.
	Lead time.Duration
	// UnbondingPeriod and VotingPeriod are the standalone chain's own.
	UnbondingPeriod time.Duration
	VotingPeriod    time.Duration
	// ConsumerUnbondingPeriod is the consumer's unbonding period, in the
	// parameters the provider launches it with.
	ConsumerUnbondingPeriod time.Duration
	// RelayInterval is the relayer's pause between passes.
	RelayInterval time.Duration
	// NewConnection makes the consumer's clients and connection new ones;
	// by default the chain first links a transfer channel to the provider
	// (Link), and the consumer reuses its connection.
	NewConnection bool
	// NodeArgs are extra arguments of every `icsd start`.
	NodeArgs []string
	// Out receives one line per step; nil discards them.
	Out io.Writer
}

// Default returns the options of `icsd testnet changeover`.
func Default() Options {
	return Options{ChainID: "standalone-1", Lead: 15 * time.Second, UnbondingPeriod: 10 * time.Minute, VotingPeriod: 30 * time.Second,
		ConsumerUnbondingPeriod: 30 * time.Minute, RelayInterval: 300 * time.Millisecond}
}

// Changeover is a standalone chain beside a CCV testnet, on its way to
// become a consumer.
type Changeover struct {
	Opts Options
	// ConsumerID names the consumer on the provider once proposed, and
	// Height is the changeover height H.
	ConsumerID string
	Height     int64

	prov *providerNet
	base int // the standalone chain's first port

	mu      sync.Mutex         // guards nodes and relayer
	nodes   []*process.Process // by validator; nil when not running
	relayer *process.Process
	vsc     uint64 // the last VSC reported applied
	// transfer is the chains' transfer link before the changeover (Link);
	// zero with Opts.NewConnection.
	transfer linkfile.File
}

// Load reads the testnet's provider homes under o.Dir.
func Load(o Options) (*Changeover, error) {
	if o.Bin == "" {
		return nil, errors.New("no icsd binary to run")
	}
	if o.ChainID == "" || o.Lead <= 0 || o.UnbondingPeriod <= 0 || o.VotingPeriod <= 0 || o.ConsumerUnbondingPeriod <= 0 || o.RelayInterval <= 0 {
		return nil, errors.New("a chain id and positive periods are needed")
	}
	p, err := loadProvider(o.Dir)
	if err != nil {
		return nil, err
	}
	if o.ChainID == p.chainID {
		return nil, fmt.Errorf("%s is the provider's chain id", o.ChainID)
	}
	base, err := p.standaloneBase()
	if err != nil {
		return nil, err
	}
	return &Changeover{Opts: o, prov: p, base: base, nodes: make([]*process.Process, len(p.homes))}, nil
}

// Dir is the standalone chain's directory.
func (c *Changeover) Dir() string { return filepath.Join(c.Opts.Dir, "standalone") }

// LinkFile is the CCV link the relayer saved.
func (c *Changeover) LinkFile() string { return filepath.Join(c.Dir(), "link.json") }

// Validators is the number of the standalone chain's nodes: one per
// provider validator.
func (c *Changeover) Validators() int { return len(c.prov.homes) }

// ProviderRPC is the RPC address of provider node i.
func (c *Changeover) ProviderRPC(i int) string { return c.prov.rpc[i] }

// ProviderHome is provider validator i's node home.
func (c *Changeover) ProviderHome(i int) string { return c.prov.homes[i] }

func (c *Changeover) logf(format string, args ...any) {
	if c.Opts.Out != nil {
		fmt.Fprintf(c.Opts.Out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// Run makes every step of the changeover: Start, Link, Propose, Import,
// Follow, StartRelayer and Delegate. On error the children it started keep
// running; Stop stops them.
func (c *Changeover) Run(ctx context.Context) error {
	steps := []func(context.Context) error{c.Start, c.Link, func(ctx context.Context) error { _, err := c.Propose(ctx); return err },
		c.Import, c.Follow, c.StartRelayer, c.Delegate}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Start writes the standalone chain's homes (the directory must not
// exist: a changeover runs once per testnet), starts its nodes and waits
// for a few blocks. The provider must not know a live consumer with the
// chain's id.
func (c *Changeover) Start(ctx context.Context) error {
	if _, err := os.Stat(c.Dir()); err == nil {
		return fmt.Errorf("%s exists: the changeover ran in this testnet already (remove it and the testnet, or choose another --dir)", c.Dir())
	}
	if k, ok, err := c.findConsumer(ctx); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("the provider has consumer %s (%s) with chain id %s already", k.ConsumerID, k.Phase, c.Opts.ChainID)
	}
	relayer, err := client.LoadOrAddKey(c.RelayerHome(), RelayerKey)
	if err != nil {
		return err
	}
	if err := c.writeHomes(relayer); err != nil {
		return err
	}
	c.logf("wrote %s under %s: %d validators, node i run by provider validator i (its operator and consensus keys; bonds %s), unbonding %s, voting %s",
		c.Opts.ChainID, c.Dir(), c.Validators(), c.describeBonds(), c.Opts.UnbondingPeriod, c.Opts.VotingPeriod)
	for i := range c.Validators() {
		if err := c.StartNode(i); err != nil {
			return err
		}
	}
	if _, err := c.waitHeight(ctx, 8, time.Minute); err != nil {
		return err
	}
	c.logf("%s started (node i: rpc %s + 10i); its own validators sign: %s", c.Opts.ChainID, c.RPC(0), c.describeSet(c.cometSet(ctx, 0)))
	return nil
}

func (c *Changeover) describeBonds() string {
	parts := make([]string, c.Validators())
	for i := range parts {
		parts[i] = fmt.Sprintf("%d:%dstake", i, bond(i, c.Validators()))
	}
	return strings.Join(parts, " ")
}

// StartNode starts validator i's node on the standalone chain.
func (c *Changeover) StartNode(i int) error {
	p, err := process.StartNode(c.Opts.Bin, c.NodeHome(i), c.Opts.NodeArgs...)
	if err != nil {
		return err
	}
	p.Name = fmt.Sprintf("%s/node%d", c.Opts.ChainID, i)
	c.mu.Lock()
	c.nodes[i] = p
	c.mu.Unlock()
	return nil
}

// KillNode ends validator i's node at once, as a crash would.
func (c *Changeover) KillNode(i int) {
	c.mu.Lock()
	p := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

// Stop stops the relayer, then the standalone chain's nodes.
func (c *Changeover) Stop() {
	c.mu.Lock()
	r, nodes := c.relayer, append([]*process.Process(nil), c.nodes...)
	c.mu.Unlock()
	if r != nil {
		r.Stop(10 * time.Second)
	}
	var wg sync.WaitGroup
	for _, p := range nodes {
		if p != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.Stop(10 * time.Second) }()
		}
	}
	wg.Wait()
}

// LiveRPC is the RPC address of the first running node of the standalone
// chain, or else of node 0.
func (c *Changeover) LiveRPC() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, p := range c.nodes {
		if p != nil && !p.Exited() {
			return c.RPC(i)
		}
	}
	return c.RPC(0)
}

// TransferLinkFile is the chains' transfer link that Link saved.
func (c *Changeover) TransferLinkFile() string { return filepath.Join(c.Dir(), "transfer.json") }

// Link makes the chain an IBC user of the provider before the changeover,
// as a chain that adopts shared security is: it funds the relayer key on
// the provider and runs `icsd relay link` (clients on both chains, a
// connection, an ICS-20 channel). Propose then names its connection for
// the consumer to reuse. Nothing with Opts.NewConnection.
func (c *Changeover) Link(ctx context.Context) error {
	if c.Opts.NewConnection {
		return nil
	}
	s, err := c.submitter(0)
	if err != nil {
		return err
	}
	relayer, err := client.LoadKey(c.RelayerHome(), RelayerKey)
	if err != nil {
		return err
	}
	if _, err := s.SubmitOK(ctx, "validator 0", &bank.MsgSend{From: s.Key.Address(), To: relayer.Address(),
		Amount: []coin.Coin{{Denom: "stake", Amount: 10_000_000_000}}}); err != nil {
		return fmt.Errorf("fund the relayer on the provider: %w", err)
	}
	log := filepath.Join(c.Dir(), "relayer.log")
	if err := c.runRelayerCmd(ctx, "link", log, "relay", "link", "--a-node", c.rpcs(), "--b-node", strings.Join(c.prov.rpc, ","),
		"--a-home", c.RelayerHome(), "--b-home", c.RelayerHome(), "--a-key", RelayerKey, "--b-key", RelayerKey,
		"--link", c.TransferLinkFile(), "--timeout", "2m"); err != nil {
		return err
	}
	if c.transfer, err = linkfile.Read(c.TransferLinkFile()); err != nil {
		return err
	}
	a, b := c.transfer.A, c.transfer.B
	c.logf("%s and %s linked before the changeover: transfer/%s on %s (client %s) <-> transfer/%s on %s (client %s)",
		a.ChainID, b.ChainID, a.Channel, a.Connection, a.Client, b.Channel, b.Connection, b.Client)
	return nil
}

// rpcs is the RPC addresses of the chain's nodes, as a flag value: the
// relayer moves to the next when one fails.
func (c *Changeover) rpcs() string {
	out := make([]string, c.Validators())
	for i := range out {
		out[i] = c.RPC(i)
	}
	return strings.Join(out, ",")
}

// runRelayerCmd runs icsd with args to its end, its output appended to
// log; name tells it in errors.
func (c *Changeover) runRelayerCmd(ctx context.Context, name, log string, args ...string) error {
	p, err := process.Start(c.Opts.Bin, c.Opts.ChainID+"/"+name, log, args...)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	select {
	case <-ctx.Done():
		p.Kill()
		return ctx.Err()
	case err := <-done:
		if err != nil {
			return fmt.Errorf("icsd %s %s: %w (see %s)", args[0], args[1], err, log)
		}
	}
	return nil
}

// spawnDelay is how long after the end of the vote the consumer spawns.
const spawnDelay = 3 * time.Second

// Propose chooses the changeover height H (the chain's height now and as
// many blocks as the vote, spawnDelay and Opts.Lead take at its current
// pace), funds the relayer key on the provider and passes a consumer
// addition proposal for the chain with --changeover at H, top N 100,
// spawning after the vote: provider validator 0 submits it, every
// validator votes yes. It returns H.
func (c *Changeover) Propose(ctx context.Context) (int64, error) {
	pace, h, err := c.pace(ctx)
	if err != nil {
		return 0, err
	}
	spawn := time.Now().Add(c.prov.voting + spawnDelay)
	c.Height = h + int64((c.prov.voting+spawnDelay+c.Opts.Lead)/pace) + 1
	params := ccv.DefaultConsumerParams()
	params.UnbondingPeriod = c.Opts.ConsumerUnbondingPeriod
	params.RetryDelayPeriod = 30 * time.Second
	p := &provider.ConsumerAdditionProposal{ChainId: c.Opts.ChainID, SpawnTime: spawn.UnixNano(), InitialHeight: uint64(c.Height), Params: params,
		PowerShaping: registry.PowerShapingParameters{TopN: 100}, Changeover: true, ConnectionId: c.transfer.B.Connection}
	bz, err := gogoproto.Marshal(p)
	if err != nil {
		return 0, err
	}
	s, err := c.submitter(0)
	if err != nil {
		return 0, err
	}
	relayer, err := client.LoadKey(c.RelayerHome(), RelayerKey)
	if err != nil {
		return 0, err
	}
	res, err := s.SubmitOK(ctx, "validator 0",
		&bank.MsgSend{From: s.Key.Address(), To: relayer.Address(), Amount: []coin.Coin{{Denom: "stake", Amount: 10_000_000_000}}},
		&gov.MsgSubmitProposal{Proposer: s.Key.Address(), Content: gov.Content{TypeUrl: auth.TypeURL(p), Value: bz},
			InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1000}}, Title: "Changeover of " + c.Opts.ChainID})
	if err != nil {
		return 0, fmt.Errorf("submit the consumer addition: %w", err)
	}
	ids := client.EventValues(res, "submit_proposal", "proposal_id")
	if len(ids) != 1 {
		return 0, fmt.Errorf("submit the consumer addition: proposal ids %v", ids)
	}
	on := ""
	if p.ConnectionId != "" {
		on = " --connection " + p.ConnectionId
	}
	c.logf("proposed on %s: consumer %s with --changeover%s at height %d, top N 100, spawn at %s (proposal %s; %s is at height %d, a block every %s)",
		c.prov.chainID, c.Opts.ChainID, on, c.Height, spawn.Format("15:04:05"), ids[0], c.Opts.ChainID, h, pace.Round(time.Millisecond))
	id, _ := strconv.ParseUint(ids[0], 10, 64)
	errs := make([]error, c.Validators())
	var wg sync.WaitGroup
	for i := range c.Validators() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.submitter(i)
			if err == nil {
				_, err = s.SubmitOK(ctx, fmt.Sprintf("validator %d", i), &gov.MsgVote{Voter: s.Key.Address(), ProposalId: id, Option: gov.OptionYes})
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("vote: %w", err)
	}
	c.logf("all %d provider validators voted yes; the vote ends in %s", c.Validators(), c.prov.voting)
	return c.Height, nil
}

// pace returns the standalone chain's time per block over its last five
// blocks, shortened by a fifth (a chain running faster than it did would
// reach H before the plan is imported; a slower one only reaches it
// later), and its height.
func (c *Changeover) pace(ctx context.Context) (time.Duration, int64, error) {
	cl, err := client.NewClient(c.LiveRPC())
	if err != nil {
		return 0, 0, err
	}
	st, err := cl.RPC().Status(ctx)
	if err != nil {
		return 0, 0, err
	}
	h := st.SyncInfo.LatestBlockHeight
	from := max(1, h-5)
	b, err := cl.RPC().Block(ctx, &from)
	if err != nil {
		return 0, 0, err
	}
	if h == from {
		return 0, 0, errors.New("the standalone chain has not made blocks yet")
	}
	return st.SyncInfo.LatestBlockTime.Sub(b.Block.Time) * 4 / 5 / time.Duration(h-from), h, nil
}

// Import waits for the provider to launch the consumer, saves its
// consumer genesis (Dir/consumer-genesis.json) and imports it into every
// node home of the chain, running or not, with `icsd genesis
// import-consumer --provider-node`.
func (c *Changeover) Import(ctx context.Context) error {
	deadline := time.Now().Add(c.prov.voting + time.Minute)
	var k interchain.ConsumerJSON
	for {
		var ok bool
		var err error
		if k, ok, err = c.findConsumer(ctx); err == nil && ok && k.ClientID != "" {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the provider did not launch %s (phase %q, last error %v)", c.Opts.ChainID, k.Phase, err)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
	}
	c.ConsumerID = k.ConsumerID
	c.logf("%s launched consumer %s (%s) at height %d; its client of the chain: %s", c.prov.chainID, k.ConsumerID, k.ChainID, k.LaunchHeight, k.ClientID)
	pc, err := client.NewClient(c.ProviderRPC(0))
	if err != nil {
		return err
	}
	res, err := pc.RPC().ABCIQuery(ctx, interchain.PathConsumerGenesis+k.ConsumerID, nil)
	if err != nil {
		return err
	}
	if res.Response.Code != 0 {
		return fmt.Errorf("consumer genesis: %s", res.Response.Log)
	}
	file := filepath.Join(c.Dir(), "consumer-genesis.json")
	if err := os.WriteFile(file, res.Response.Value, 0o644); err != nil {
		return err
	}
	for i := range c.Validators() {
		out, err := exec.CommandContext(ctx, c.Opts.Bin, "genesis", "import-consumer", file, "--home", c.NodeHome(i),
			"--provider-node", c.ProviderRPC(0)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("import the plan into node %d: %w: %s", i, err, strings.TrimSpace(string(out)))
		}
		c.logf("node %d: %s", i, strings.TrimSpace(string(out)))
	}
	if _, h, err := c.pace(ctx); err == nil {
		c.logf("plan imported on every node; %s is at height %d, %d blocks before the changeover", c.Opts.ChainID, h, c.Height-h)
	}
	return nil
}

// Follow waits for the changeover: block H and its changeover event,
// block H+1 (the last the chain's own validators sign) and block H+2,
// which the provider's validators sign. It fails unless block H+2's
// signers are the provider's bonded validators with their powers.
func (c *Changeover) Follow(ctx context.Context) error {
	h := c.Height
	if _, err := c.waitHeight(ctx, h, 2*time.Minute); err != nil {
		return err
	}
	cl, err := client.NewClient(c.LiveRPC())
	if err != nil {
		return err
	}
	res, err := cl.RPC().BlockResults(ctx, &h)
	if err != nil {
		return err
	}
	found := false
	for _, e := range res.FinalizeBlockEvents {
		if e.Type == changeover.EventChangeover {
			found = true
			c.logf("%s changed over at height %d: event %s %s", c.Opts.ChainID, h, e.Type, attributes(e))
		}
	}
	if !found {
		return fmt.Errorf("block %d has no %s event", h, changeover.EventChangeover)
	}
	if _, err := c.waitHeight(ctx, h+2, time.Minute); err != nil {
		return err
	}
	c.logf("block %d signed by the chain's own validators: %s", h+1, c.describeSet(c.cometSet(ctx, h+1)))
	got, want := c.cometSet(ctx, h+2), c.providerSet(ctx)
	if !sameSet(got, want) {
		return fmt.Errorf("block %d signed by %s, the provider's set is %s", h+2, c.describeSet(got), c.describeSet(want))
	}
	c.logf("block %d signed by the provider's validators: %s", h+2, c.describeSet(got))
	return nil
}

// StartRelayer runs the chain's relayer: `icsd relay link-ccv` (which
// opens the CCV channel on the clients both chains created, and a
// transfer channel) and then `icsd relay start`, with their output
// appended to Dir/relayer.log.
func (c *Changeover) StartRelayer(ctx context.Context) error {
	log := filepath.Join(c.Dir(), "relayer.log")
	if err := c.runRelayerCmd(ctx, "link-ccv", log, "relay", "link-ccv",
		"--consumer-node", c.rpcs(), "--provider-node", strings.Join(c.prov.rpc, ","),
		"--consumer-home", c.RelayerHome(), "--provider-home", c.RelayerHome(),
		"--consumer-key", RelayerKey, "--provider-key", RelayerKey, "--link", c.LinkFile(), "--timeout", "3m"); err != nil {
		return err
	}
	lf, err := linkfile.Read(c.LinkFile())
	if err != nil {
		return err
	}
	c.logf("CCV channel open: %s/%s on %s <-> %s/%s on %s (connection %s <-> %s)", lf.A.Port, lf.A.Channel, lf.A.ChainID, lf.B.Port, lf.B.Channel, lf.B.ChainID,
		lf.A.Connection, lf.B.Connection)
	if t := c.transfer; t.B.Connection != "" {
		if lf.A.Connection != t.A.Connection || lf.Transfer == nil || lf.Transfer.A != t.A.Channel {
			return fmt.Errorf("the CCV link %+v is not on the chains' connection %s and transfer channel %s", lf, t.A.Connection, t.A.Channel)
		}
		c.logf("the consumer reuses the chains' connection %s and transfer channel %s: no client or connection created", t.A.Connection, t.A.Channel)
	}
	p, err := process.Start(c.Opts.Bin, c.Opts.ChainID+"/relayer", log, "relay", "start", "--link", c.LinkFile(),
		"--interval", c.Opts.RelayInterval.String(), "--client-refresh", (c.Opts.ConsumerUnbondingPeriod / 5).String())
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.relayer = p
	c.mu.Unlock()
	c.logf("relayer started (log %s)", log)
	return nil
}

// Delegate shows the provider ruling the chain's set: the operator of
// provider validator 1 (0 if alone) delegates to it on the provider, and
// Delegate waits until the chain applied the VSC and its CometBFT set
// holds the validator's new power.
func (c *Changeover) Delegate(ctx context.Context) error {
	i := min(1, c.Validators()-1)
	s, err := c.submitter(i)
	if err != nil {
		return err
	}
	key := hex.EncodeToString(c.prov.keys[i].PubKey.Bytes())
	before := c.providerSet(ctx)[key]
	if _, err := s.SubmitOK(ctx, fmt.Sprintf("validator %d", i), &staking.MsgDelegate{Delegator: s.Key.Address(), Validator: s.Key.Address(),
		Amount: 50_000_000_000}); err != nil {
		return fmt.Errorf("delegate: %w", err)
	}
	// The provider's set changes at the end of a block.
	want := before
	deadline := time.Now().Add(30 * time.Second)
	for want == before {
		if time.Now().After(deadline) {
			return fmt.Errorf("validator %d's power on %s stayed %d after the delegation", i, c.prov.chainID, before)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
		if set := c.providerSet(ctx); set != nil {
			want = set[key]
		}
	}
	c.logf("validator %d delegated 50000000000stake to itself on %s: power %d there, %d before", i, c.prov.chainID, want, before)
	deadline = time.Now().Add(2 * time.Minute)
	for {
		var st interchain.ConsumerStatusJSON
		cl, err := client.NewClient(c.LiveRPC())
		if err == nil {
			err = cl.QueryJSON(ctx, interchain.PathConsumerStatus, &st)
		}
		if set := c.cometSet(ctx, 0); err == nil && set[key] == want {
			c.logf("VSC %d applied on %s: its validators are now %s", st.HighestVSCID, c.Opts.ChainID, c.describeSet(set))
			c.vsc = st.HighestVSCID
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the delegation did not reach %s in 2m", c.Opts.ChainID)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
	}
}

// Watch prints, until ctx ends, each VSC the chain applies with its
// CometBFT set, nodes and relayer that exit, and every tenth poll the
// heights of the chain and the provider.
func (c *Changeover) Watch(ctx context.Context, interval time.Duration) {
	vsc := c.vsc
	exited := map[*process.Process]bool{}
	for tick := 0; ; tick++ {
		c.mu.Lock()
		procs := append([]*process.Process{c.relayer}, c.nodes...)
		c.mu.Unlock()
		for _, p := range procs {
			if p != nil && p.Exited() && !exited[p] {
				exited[p] = true
				c.logf("%s exited (%s)", p.Name, p.ExitReport())
			}
		}
		var st interchain.ConsumerStatusJSON
		if cl, err := client.NewClient(c.LiveRPC()); err == nil && cl.QueryJSON(ctx, interchain.PathConsumerStatus, &st) == nil && st.HighestVSCID != vsc {
			vsc = st.HighestVSCID
			c.logf("VSC %d applied on %s; its validators: %s", vsc, c.Opts.ChainID, c.describeSet(c.cometSet(ctx, 0)))
		}
		if tick%10 == 0 {
			c.logf("heights %s=%s %s=%s", c.prov.chainID, heightOf(ctx, c.ProviderRPC(0)), c.Opts.ChainID, heightOf(ctx, c.LiveRPC()))
		}
		if sleep(ctx, interval) != nil {
			return
		}
	}
}

// findConsumer returns the live consumer of the provider with the
// chain's id; false when there is none.
func (c *Changeover) findConsumer(ctx context.Context) (interchain.ConsumerJSON, bool, error) {
	pc, err := client.NewClient(c.ProviderRPC(0))
	if err != nil {
		return interchain.ConsumerJSON{}, false, err
	}
	var list []interchain.ConsumerJSON
	if err := pc.QueryJSON(ctx, interchain.PathConsumers, &list); err != nil {
		return interchain.ConsumerJSON{}, false, fmt.Errorf("the provider at %s: %w (is the testnet running?)", c.ProviderRPC(0), err)
	}
	for _, k := range list {
		if k.ChainID == c.Opts.ChainID && k.Phase != "stopped" && k.Phase != "deleted" {
			return k, true, nil
		}
	}
	return interchain.ConsumerJSON{}, false, nil
}

// submitter returns the submitter of provider validator i's operator key,
// on the provider.
func (c *Changeover) submitter(i int) (client.Submitter, error) {
	key, err := client.LoadKey(c.prov.homes[i], "validator")
	if err != nil {
		return client.Submitter{}, err
	}
	cl, err := client.NewClient(c.ProviderRPC(i))
	if err != nil {
		return client.Submitter{}, err
	}
	return client.Submitter{Client: cl, Key: key}, nil
}

func attributes(e abcitypes.Event) string {
	parts := make([]string, len(e.Attributes))
	for i, a := range e.Attributes {
		parts[i] = a.Key + "=" + a.Value
	}
	return strings.Join(parts, " ")
}

// cometSet returns the CometBFT validators that sign the chain's block h
// (0: the latest), consensus key (hex) -> power; nil on error.
func (c *Changeover) cometSet(ctx context.Context, h int64) map[string]int64 {
	cl, err := client.NewClient(c.LiveRPC())
	if err != nil {
		return nil
	}
	var height *int64
	if h > 0 {
		height = &h
	}
	res, err := cl.RPC().Validators(ctx, height, nil, nil)
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, v := range res.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out
}

// providerSet returns the provider's bonded, unjailed validators,
// consensus key (hex) -> power: the consumer's set, top N 100 and no key
// assigned; nil on error.
func (c *Changeover) providerSet(ctx context.Context) map[string]int64 {
	cl, err := client.NewClient(c.ProviderRPC(0))
	if err != nil {
		return nil
	}
	var vals []pos.ValidatorJSON
	if err := cl.QueryJSON(ctx, pos.PathValidators, &vals); err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, v := range vals {
		if v.Status == staking.BOND_STATUS_BONDED.String() && !v.Jailed {
			out[hex.EncodeToString(v.PubKey)] = v.Power
		}
	}
	return out
}

// describeSet spells a set by provider validator index and power:
// [0:20 1:10 2:10].
func (c *Changeover) describeSet(set map[string]int64) string {
	index := map[string]int{}
	for i, k := range c.prov.keys {
		index[hex.EncodeToString(k.PubKey.Bytes())] = i
	}
	var parts []string
	for k, p := range set {
		who := "key " + k[:min(8, len(k))]
		if i, ok := index[k]; ok {
			who = strconv.Itoa(i)
		}
		parts = append(parts, fmt.Sprintf("%s:%d", who, p))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, " ") + "] (validator:power)"
}

func sameSet(a, b map[string]int64) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// waitHeight waits until the chain (its first running node) has committed
// height h.
func (c *Changeover) waitHeight(ctx context.Context, h int64, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for {
		if cl, err := client.NewClient(c.LiveRPC()); err == nil {
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			st, err := cl.RPC().Status(qctx)
			cancel()
			if err == nil && st.SyncInfo.LatestBlockHeight >= h {
				return st.SyncInfo.LatestBlockHeight, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s did not reach height %d in %s (see %s)", c.Opts.ChainID, h, timeout, filepath.Join(c.NodeHome(0), "node.log"))
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

func heightOf(ctx context.Context, rpc string) string {
	cl, err := client.NewClient(rpc)
	if err != nil {
		return "?"
	}
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := cl.RPC().Status(qctx)
	if err != nil {
		return "down"
	}
	return strconv.FormatInt(st.SyncInfo.LatestBlockHeight, 10)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
