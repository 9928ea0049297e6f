package testnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/consumernet"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// A CCV testnet is a provider testnet (the homes of `icsd testnet init`,
// DIR/node<i>) with consumer chains, each of a kind
// (ccvopts.ConsumerKind): top-N, launched by governance, or opt-in, created by the testnet's owner account
// and opted in to by some validators. Each consumer has one node per
// provider validator that validates it, and its own relayer:
//
//	DIR/node<i>                      provider validator i
//	DIR/owner/                       the owner account's keyring (key "owner")
//	DIR/consumer-<j>/node<i>         validator i's node on consumer j, for the
//	                                 validators of consumer j only (on a top-N
//	                                 consumer with assigned keys, the others'
//	                                 hold only the key they assigned)
//	DIR/consumer-<j>/relayer/        the relayer's keyring (key "relayer")
//	DIR/consumer-<j>/link.json       the CCV link, saved by icsd relay link-ccv
//	DIR/consumer-<j>/relayer.log     the relayer's output
//
// Every step is idempotent: started again on the same directory, it
// creates only the consumers the provider does not know, writes only the
// homes that are missing and reuses an open CCV channel; the nodes of a
// consumer are then the homes under its directory.

// CCVTestnet is a running CCV testnet.
type CCVTestnet struct {
	Opts ccvopts.Options
	// Provider runs the provider nodes, in validator order.
	Provider  []*process.Process
	Consumers []*ConsumerChain

	mu sync.Mutex // guards Provider and the consumers' Relayer
}

// ConsumerChain is one consumer of a CCV testnet: its node side
// (consumernet.Chain) and what the orchestration knows of it.
type ConsumerChain struct {
	// Chain is its node side: its chain id, directory and keys, and the
	// nodes of the provider validators that validate it (Nodes, Node);
	// OptIn adds one.
	*consumernet.Chain
	// ConsumerID names it on the provider, once the provider created it.
	ConsumerID string
	Index      int // from 1
	Kind       ccvopts.ConsumerKind
	// Relayer runs its relayer, once started, and LinkFile is the CCV
	// link the relayer saved.
	Relayer  *process.Process
	LinkFile string
	// RewardDenom is what its fees become on the provider once its
	// relayer opened the transfer channel (transfer/<provider
	// channel>/<fee denomination>); empty for a kvconsumer chain.
	RewardDenom string
}

// describe names c in progress output: "consumer-2 (consumer 1, opt-in)".
func (c *ConsumerChain) describe() string {
	if c.ConsumerID == "" {
		return fmt.Sprintf("%s (%s)", c.ChainID, c.Kind.Describe())
	}
	return fmt.Sprintf("%s (consumer %s, %s)", c.ChainID, c.ConsumerID, c.Kind.Describe())
}

// RelayerHome is the home whose keyring holds consumer c's relayer key,
// funded on both chains.
func (c *ConsumerChain) RelayerHome() string { return filepath.Join(c.Dir, "relayer") }

// RelayerKey is the name of the relayers' key.
const RelayerKey = "relayer"

// OwnerHome is the home whose keyring holds the owner account's key: an
// ordinary account, funded in the provider genesis and not a validator,
// that creates the opt-in consumers with MsgCreateConsumer and owns them.
func (t *CCVTestnet) OwnerHome() string { return filepath.Join(t.Opts.Dir, "owner") }

// OwnerKey is the name of the owner account's key.
const OwnerKey = "owner"

// ProviderRPC returns the RPC address of provider node i.
func (t *CCVTestnet) ProviderRPC(i int) string {
	return fmt.Sprintf("tcp://127.0.0.1:%d", t.Opts.BasePort+10*i+1)
}

// ProviderRPCs returns the RPC addresses of every provider node.
func (t *CCVTestnet) ProviderRPCs() []string {
	out := make([]string, t.Opts.Validators)
	for i := range out {
		out[i] = t.ProviderRPC(i)
	}
	return out
}

func (t *CCVTestnet) logf(format string, args ...any) {
	if t.Opts.Out != nil {
		fmt.Fprintf(t.Opts.Out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// StartCCVTestnet writes the provider homes (unless they exist), starts
// the provider validators, creates each consumer the provider does not
// know (a ConsumerAdditionProposal every validator votes for, for a top-N
// consumer; MsgCreateConsumer from the owner account, for an opt-in one),
// has the listed validators opt in to the opt-in consumers and every
// validator assign a fresh consumer key on the top-N consumers that use
// them (before launch), waits for the launches, writes the consumer homes
// from the consumer genesis, starts the node of every validator in each
// consumer's genesis, and one relayer per consumer (link-ccv, then relay
// start). It returns when every relayer runs. On error it stops what it
// started.
func StartCCVTestnet(ctx context.Context, o ccvopts.Options) (t *CCVTestnet, err error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	t = &CCVTestnet{Opts: o}
	defer func() {
		if err != nil {
			t.Stop()
		}
	}()
	net := &consumernet.Network{ProviderDir: o.Dir, Validators: o.Validators, TimeoutCommit: o.TimeoutCommit, VotingPeriod: o.VotingPeriod,
		Bin: o.Bin, NodeArgs: o.NodeArgs, KVConsumerBin: o.KVConsumerBin}
	for j := 1; j <= o.Consumers; j++ {
		c := &ConsumerChain{Chain: &consumernet.Chain{Net: net, ChainID: ccvopts.ConsumerChainID(j), Dir: filepath.Join(o.Dir, ccvopts.ConsumerChainID(j)),
			BasePort: o.BasePort + o.Stride()*j}, Index: j, Kind: o.Kind(j)}
		c.LinkFile = filepath.Join(c.Dir, "link.json")
		c.AssignedKeys, c.KV = slices.Contains(o.AssignKeys, j), slices.Contains(o.KVConsumers, j)
		if !c.KV {
			c.Fee = ccvopts.ConsumerFee(j)
		}
		t.Consumers = append(t.Consumers, c)
	}
	if err := t.initProvider(); err != nil {
		return t, err
	}
	for i := 0; i < o.Validators; i++ {
		p, err := process.StartNode(o.Bin, valnet.NodeHome(o.Dir, i), o.NodeArgs...)
		if err != nil {
			return t, err
		}
		t.mu.Lock()
		t.Provider = append(t.Provider, p)
		t.mu.Unlock()
	}
	t.logf("started %d provider validators of %s (node i: rpc %s + 10i)", o.Validators, o.ChainID, t.ProviderRPC(0))
	if _, err := waitHeight(ctx, t.ProviderRPC(0), 2, time.Minute); err != nil {
		return t, fmt.Errorf("provider: %w (see %s)", err, t.Provider[0].Log)
	}
	// The opt-in consumers are created once the proposals passed, so that
	// the consumer ids follow the testnet's order when the top-N consumers
	// come first; the spawn margin leaves time for the opt-ins and the key
	// assignments.
	spawn := time.Now().Add(o.VotingPeriod + spawnMargin)
	if err := t.proposeConsumers(ctx, spawn); err != nil {
		return t, err
	}
	topN := slices.DeleteFunc(slices.Clone(t.Consumers), func(c *ConsumerChain) bool { return c.Kind.IsOptIn() })
	if err := t.waitConsumers(ctx, topN, func(c interchain.ConsumerJSON) bool { return c.Phase != "" }, "created by governance", o.VotingPeriod+time.Minute); err != nil {
		return t, err
	}
	if err := t.createConsumers(ctx, spawn); err != nil {
		return t, err
	}
	if err := t.optInBeforeLaunch(ctx); err != nil {
		return t, err
	}
	if err := t.assignKeys(ctx); err != nil {
		return t, err
	}
	if err := t.waitConsumers(ctx, t.Consumers, func(c interchain.ConsumerJSON) bool { return c.ClientID != "" }, "launched", 2*time.Minute); err != nil {
		return t, err
	}
	for _, c := range t.Consumers {
		if err := t.writeConsumerHomes(ctx, c); err != nil {
			return t, fmt.Errorf("%s: %w", c.ChainID, err)
		}
		for _, n := range c.Nodes() {
			if err := c.Start(n); err != nil {
				return t, err
			}
		}
		t.logf("started %s: %s (node of validator i: rpc %s + 10i)", c.describe(), describeValidators(c.Validators()), c.RPC(0))
	}
	errs := make([]error, len(t.Consumers))
	var wg sync.WaitGroup
	for k, c := range t.Consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := c.Nodes()[0]
			if _, err := waitHeight(ctx, c.RPC(first.Validator), 2, time.Minute); err != nil {
				errs[k] = fmt.Errorf("%s: %w (see %s)", c.ChainID, err, first.Process.Log)
				return
			}
			errs[k] = t.StartRelayer(ctx, c)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return t, err
	}
	return t, t.allowRewards(ctx)
}

// initProvider writes the provider homes unless they exist: validator 0
// bonds twice as much as each other one, so that any other validator
// holds less than a third of the power and can stop without halting a
// consumer; each consumer's relayer key and the owner account are funded.
func (t *CCVTestnet) initProvider() error {
	o := t.Opts
	if _, err := os.Stat(nodehome.Config(valnet.NodeHome(o.Dir, 0)).GenesisFile()); err == nil {
		net, err := valnet.Load(o.Dir)
		if err != nil {
			return err
		}
		if len(net.Homes) != o.Validators {
			return fmt.Errorf("%s holds %d provider homes, not --validators %d: delete it or choose another --dir", o.Dir, len(net.Homes), o.Validators)
		}
		for _, c := range t.Consumers {
			if _, err := client.LoadKey(c.RelayerHome(), RelayerKey); err != nil {
				return fmt.Errorf("%s holds a testnet written without consumer %s (no funded relayer key): delete it or choose another --dir", o.Dir, c.ChainID)
			}
		}
		optIn := slices.ContainsFunc(t.Consumers, func(c *ConsumerChain) bool { return c.Kind.IsOptIn() })
		if _, err := client.LoadKey(t.OwnerHome(), OwnerKey); err != nil && optIn {
			return fmt.Errorf("%s holds a testnet written without the owner account that creates opt-in consumers: delete it or choose another --dir", o.Dir)
		}
		t.logf("reusing the provider homes under %s", o.Dir)
		return nil
	}
	var relayers []client.Key
	for _, c := range t.Consumers {
		k, err := client.LoadOrAddKey(c.RelayerHome(), RelayerKey)
		if err != nil {
			return err
		}
		relayers = append(relayers, k)
	}
	owner, err := client.LoadOrAddKey(t.OwnerHome(), OwnerKey)
	if err != nil {
		return err
	}
	funded := append(relayers, owner)
	var ownerAddr string
	const bond = 100_000_000_000
	bonds := make([]uint64, o.Validators)
	for i := range bonds {
		bonds[i] = bond
	}
	if o.Validators > 1 {
		bonds[0] = 2 * bond
	}
	if o.SelfDelegations != nil {
		bonds = o.SelfDelegations
	}
	err = valnet.Init(valnet.Options{
		Dir: o.Dir, ChainID: o.ChainID, Validators: o.Validators, BasePort: o.BasePort, TimeoutCommit: o.TimeoutCommit,
		Balance: 1_000_000_000_000, SelfDelegations: bonds,
		Tune: func(g *app.Genesis) {
			g.Gov.Params.VotingPeriod = int64(o.VotingPeriod)
			g.Gov.Params.MaxDepositPeriod = int64(o.VotingPeriod)
			g.Gov.Params.MinDeposit = coin.Coin{Denom: g.Staking.Params.BondDenom, Amount: 1000}
			g.Provider.Params.BlocksPerEpoch = o.BlocksPerEpoch
			g.Provider.Params.DowntimeJailDuration = o.DowntimeJail
			ownerAddr = address.Encode(g.Auth.Params.Bech32Prefix, owner.Address())
			for _, k := range funded {
				nodehome.AddBalance(g, address.Encode(g.Auth.Params.Bech32Prefix, k.Address()), k.Priv.PubKey().Bytes(),
					[]coin.Coin{{Denom: g.Staking.Params.BondDenom, Amount: 1_000_000_000_000}})
			}
		},
	})
	if err != nil {
		return err
	}
	t.logf("wrote %d provider homes for %s under %s; owner account %s (not a validator) for the opt-in consumers", o.Validators, o.ChainID, o.Dir,
		ownerAddr)
	return nil
}

// submitter returns the submitter of provider validator i's operator key.
func (t *CCVTestnet) submitter(i int) (client.Submitter, error) {
	key, err := client.LoadKey(valnet.NodeHome(t.Opts.Dir, i), "validator")
	if err != nil {
		return client.Submitter{}, err
	}
	c, err := client.NewClient(t.ProviderRPC(i))
	if err != nil {
		return client.Submitter{}, err
	}
	return client.Submitter{Client: c, Key: key}, nil
}

// submit sends msgs from validator i's operator and fails unless the
// transaction succeeded; it returns the ids of the proposals submitted.
func (t *CCVTestnet) submit(ctx context.Context, i int, msgs ...gogoproto.Message) ([]string, error) {
	s, err := t.submitter(i)
	if err != nil {
		return nil, err
	}
	res, err := s.SubmitOK(ctx, fmt.Sprintf("validator %d", i), msgs...)
	if err != nil {
		return nil, err
	}
	return client.EventValues(res, "submit_proposal", "proposal_id"), nil
}

// providerConsumers returns the live consumers the provider knows, by
// chain id, and records each testnet consumer's consumer id.
func (t *CCVTestnet) providerConsumers(ctx context.Context) (map[string]interchain.ConsumerJSON, error) {
	c, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return nil, err
	}
	var list []interchain.ConsumerJSON
	if err := c.QueryJSON(ctx, interchain.PathConsumers, &list); err != nil {
		return nil, err
	}
	out := map[string]interchain.ConsumerJSON{}
	for _, c := range list {
		if c.Phase != "stopped" && c.Phase != "deleted" {
			out[c.ChainID] = c
		}
	}
	for _, c := range t.Consumers {
		if k, ok := out[c.ChainID]; ok {
			c.ConsumerID = k.ConsumerID
		}
	}
	return out, nil
}

// consumerGenesis returns the consumer genesis the provider computed for
// c, as the provider answered it (proto3 JSON) and decoded.
func (t *CCVTestnet) consumerGenesis(ctx context.Context, c *ConsumerChain) ([]byte, *ccv.ConsumerGenesis, error) {
	pc, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return nil, nil, err
	}
	if _, err := t.providerConsumers(ctx); err != nil {
		return nil, nil, err
	}
	res, err := pc.RPC().ABCIQuery(ctx, interchain.PathConsumerGenesis+c.ConsumerID, nil)
	if err != nil {
		return nil, nil, err
	}
	if res.Response.Code != 0 {
		return nil, nil, fmt.Errorf("consumer genesis: %s", res.Response.Log)
	}
	cg, err := nodehome.ReadConsumerGenesis(res.Response.Value)
	if err != nil {
		return nil, nil, err
	}
	return res.Response.Value, cg, nil
}

// spawnMargin is how long after the end of the vote the consumers launch:
// time for the key assignments.
const spawnMargin = 10 * time.Second

// checkKind fails when the provider knows consumer c with another kind
// than the testnet's options give it.
func checkKind(c *ConsumerChain, k interchain.ConsumerJSON) error {
	if k.TopN != c.Kind.TopN {
		was := "opt-in"
		if k.TopN > 0 {
			was = fmt.Sprintf("top-N %d", k.TopN)
		}
		return fmt.Errorf("the provider runs %s as %s, not %s: delete the testnet directory or give its kind in --consumer-kinds", c.ChainID, was, c.Kind.Describe())
	}
	return nil
}

// proposeConsumers passes one addition proposal per top-N consumer the
// provider does not know, spawning at spawn: validator 0 submits them,
// every validator votes yes.
func (t *CCVTestnet) proposeConsumers(ctx context.Context, spawn time.Time) error {
	known, err := t.providerConsumers(ctx)
	if err != nil {
		return err
	}
	var msgs []gogoproto.Message
	var names []string
	for _, c := range t.Consumers {
		if k, ok := known[c.ChainID]; ok {
			if err := checkKind(c, k); err != nil {
				return err
			}
			continue
		}
		if c.Kind.IsOptIn() {
			continue
		}
		p := &provider.ConsumerAdditionProposal{ChainId: c.ChainID, SpawnTime: spawn.UnixNano(), InitialHeight: 1, Params: t.Opts.ConsumerParams(),
			PowerShaping: registry.PowerShapingParameters{TopN: c.Kind.TopN}}
		bz, err := gogoproto.Marshal(p)
		if err != nil {
			return err
		}
		s, err := t.submitter(0)
		if err != nil {
			return err
		}
		msgs = append(msgs, &gov.MsgSubmitProposal{Proposer: s.Key.Address(), Content: gov.Content{TypeUrl: auth.TypeURL(p), Value: bz},
			InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1000}}, Title: "Add consumer chain " + c.ChainID})
		names = append(names, c.describe())
	}
	if len(msgs) == 0 {
		return nil
	}
	ids, err := t.submit(ctx, 0, msgs...)
	if err != nil {
		return fmt.Errorf("submit consumer additions: %w", err)
	}
	if len(ids) != len(msgs) {
		return fmt.Errorf("submit consumer additions: %d proposal ids for %d proposals", len(ids), len(msgs))
	}
	t.logf("proposed %s (proposals %s), spawn at %s", strings.Join(names, ", "), strings.Join(ids, ", "), spawn.Format("15:04:05"))
	return t.voteYes(ctx, ids)
}

// voteYes has every validator vote yes on the proposals ids.
func (t *CCVTestnet) voteYes(ctx context.Context, ids []string) error {
	errs := make([]error, t.Opts.Validators)
	var wg sync.WaitGroup
	for i := 0; i < t.Opts.Validators; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := t.submitter(i)
			if err != nil {
				errs[i] = err
				return
			}
			var votes []gogoproto.Message
			for _, id := range ids {
				n, _ := strconv.ParseUint(id, 10, 64)
				votes = append(votes, &gov.MsgVote{Voter: s.Key.Address(), ProposalId: n, Option: gov.OptionYes})
			}
			_, errs[i] = t.submit(ctx, i, votes...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("vote: %w", err)
	}
	t.logf("all %d validators voted yes; the vote ends in %s", t.Opts.Validators, t.Opts.VotingPeriod)
	return nil
}

// waitConsumers waits until every consumer of cs satisfies ok on the
// provider.
func (t *CCVTestnet) waitConsumers(ctx context.Context, cs []*ConsumerChain, ok func(interchain.ConsumerJSON) bool, what string, timeout time.Duration) error {
	if len(cs) == 0 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for {
		known, err := t.providerConsumers(ctx)
		var missing, phases []string
		if err == nil {
			for _, c := range cs {
				k, found := known[c.ChainID]
				if !found {
					missing = append(missing, c.ChainID+" unknown")
				} else if !ok(k) {
					missing = append(missing, c.ChainID+" "+k.Phase)
				}
				phases = append(phases, c.ChainID+" "+k.Phase)
			}
			if len(missing) == 0 {
				t.logf("consumers %s: %s", what, strings.Join(phases, ", "))
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err == nil {
				return fmt.Errorf("consumers not %s after %s: %s", what, timeout, strings.Join(missing, ", "))
			}
			return fmt.Errorf("consumers not %s after %s (last error: %v)", what, timeout, err)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// assignKeys has every validator assign its fresh consumer key on the
// top-N consumers that use them, unless the assignment is there already
// (on the opt-in consumers the validators opt in with their key).
func (t *CCVTestnet) assignKeys(ctx context.Context) error {
	known, err := t.providerConsumers(ctx)
	if err != nil {
		return err
	}
	cl, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return err
	}
	for _, c := range t.Consumers {
		if !c.AssignedKeys || c.Kind.IsOptIn() || known[c.ChainID].Phase != "initialized" {
			continue
		}
		var have []interchain.KeyAssignmentJSON
		if err := cl.QueryJSON(ctx, interchain.PathKeyAssignments+c.ConsumerID, &have); err != nil {
			return err
		}
		assigned := map[string]bool{}
		for _, k := range have {
			assigned[k.ConsumerKey] = true
		}
		errs := make([]error, t.Opts.Validators)
		var wg sync.WaitGroup
		for i := range t.Opts.Validators {
			pv, err := c.PrivValidator(i)
			if err != nil {
				return err
			}
			pub := pv.Key.PubKey.Bytes()
			if assigned[fmt.Sprintf("%x", pub)] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := t.submitter(i)
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = t.submit(ctx, i, &provider.MsgAssignConsumerKey{Operator: s.Key.Address(), ConsumerId: c.ConsumerID, ConsumerKey: pub})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("assign consumer keys on %s: %w", c.ChainID, err)
		}
		t.logf("every validator assigned a fresh consumer key on %s", c.describe())
	}
	return nil
}

// genesisValidators returns the provider validators whose consumer key
// is in c's consumer genesis. On an opt-in consumer every validator that
// opted in before the launch must be among them.
func (t *CCVTestnet) genesisValidators(c *ConsumerChain, cg *ccv.ConsumerGenesis) ([]int, error) {
	inGenesis := map[string]bool{}
	for _, v := range cg.InitialValidators {
		inGenesis[string(v.PubKey)] = true
	}
	var out []int
	for i := range t.Opts.Validators {
		pub, ok, err := c.Key(i)
		if err != nil {
			return nil, err
		}
		if ok && inGenesis[string(pub)] {
			out = append(out, i)
		}
	}
	for _, i := range c.Kind.OptIn {
		if !slices.Contains(out, i) {
			return nil, fmt.Errorf("validator %d opted in but its key is not in the consumer genesis (opted in or assigned after the launch?): remove %s and start over", i, t.Opts.Dir)
		}
	}
	if len(out) != len(cg.InitialValidators) {
		return nil, fmt.Errorf("%d of the %d validators in the consumer genesis are the testnet's: remove %s and start over", len(out), len(cg.InitialValidators), t.Opts.Dir)
	}
	return out, nil
}

// writeConsumerHomes writes the node homes of consumer c, one for each
// provider validator in its consumer genesis, unless c's directory holds
// node homes already (which are then c's nodes): for an icsd consumer, one
// consumer genesis for all (the provider's consumer genesis; the relayer
// key and every provider validator's operator key funded), the node's
// consensus key (the assigned one or the provider's), and peers on
// loopback; for a kvconsumer one, with kvconsumer's own commands.
func (t *CCVTestnet) writeConsumerHomes(ctx context.Context, c *ConsumerChain) error {
	if c.LoadNodes() > 0 {
		return nil
	}
	raw, cg, err := t.consumerGenesis(ctx, c)
	if err != nil {
		return err
	}
	vals, err := t.genesisValidators(c, cg)
	if err != nil {
		return err
	}
	if c.KV {
		if err := c.WriteKVHomes(ctx, vals, raw); err != nil {
			return err
		}
		t.logf("wrote the kvconsumer homes of %s from its consumer genesis: %s (%d initial validators, provider keys)", c.describe(), describeValidators(vals), len(cg.InitialValidators))
		return nil
	}
	relayerKey, err := client.LoadOrAddKey(c.RelayerHome(), RelayerKey)
	if err != nil {
		return err
	}
	if err := c.WriteHomes(vals, cg, relayerKey); err != nil {
		return err
	}
	t.logf("wrote the homes of %s from its consumer genesis: %s (%d initial validators%s)", c.describe(), describeValidators(vals), len(cg.InitialValidators),
		map[bool]string{true: ", assigned keys", false: ", provider keys"}[c.AssignedKeys])
	return nil
}

// StartRelayer runs consumer c's relayer: `icsd relay link-ccv` (which
// opens the CCV channel, or finds it open) and then `icsd relay start`,
// both with their output appended to c's relayer.log. The relayer gets
// every node of both chains, and moves to the next when one fails.
func (t *CCVTestnet) StartRelayer(ctx context.Context, c *ConsumerChain) error {
	log := filepath.Join(c.Dir, "relayer.log")
	link, err := process.Start(t.Opts.Bin, c.ChainID+"/link-ccv", log, "relay", "link-ccv",
		"--consumer-node", strings.Join(c.RPCs(), ","), "--provider-node", strings.Join(t.ProviderRPCs(), ","),
		"--consumer-home", c.RelayerHome(), "--provider-home", c.RelayerHome(),
		"--consumer-key", RelayerKey, "--provider-key", RelayerKey, "--link", c.LinkFile, "--timeout", "3m",
		fmt.Sprintf("--consumer-relay-tx=%t", c.KV))
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- link.Wait() }()
	select {
	case <-ctx.Done():
		link.Kill()
		return ctx.Err()
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: icsd relay link-ccv: %w (see %s)", c.ChainID, err, log)
		}
	}
	lf, err := linkfile.Read(c.LinkFile)
	if err != nil {
		return err
	}
	t.logf("%s: CCV channel open: %s/%s <-> %s/%s on %s", c.ChainID, lf.A.Port, lf.A.Channel, lf.B.Port, lf.B.Channel, lf.B.ChainID)
	p, err := process.Start(t.Opts.Bin, c.ChainID+"/relayer", log, "relay", "start", "--link", c.LinkFile,
		"--interval", t.Opts.RelayInterval.String(), "--client-refresh", (t.Opts.ConsumerUnbondingPeriod / 5).String())
	if err != nil {
		return err
	}
	t.mu.Lock()
	c.Relayer = p
	t.mu.Unlock()
	t.logf("%s: relayer started (log %s)", c.ChainID, log)
	return nil
}

// StartProviderNode starts provider validator i's node again (after it
// stopped or was killed).
func (t *CCVTestnet) StartProviderNode(i int) error {
	if i < 0 || i >= t.Opts.Validators {
		return fmt.Errorf("no provider validator %d", i)
	}
	p, err := process.StartNode(t.Opts.Bin, valnet.NodeHome(t.Opts.Dir, i), t.Opts.NodeArgs...)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.Provider[i] = p
	t.mu.Unlock()
	return nil
}

// StartConsumerNode starts validator i's node on consumer c again.
func (t *CCVTestnet) StartConsumerNode(c *ConsumerChain, i int) error {
	n := c.Node(i)
	if n == nil {
		return fmt.Errorf("validator %d runs no node on %s", i, c.ChainID)
	}
	return c.Start(n)
}

// Processes returns every child process: relayers, consumer nodes, then
// provider nodes.
func (t *CCVTestnet) Processes() []*process.Process {
	relayers, nodes, prov := t.processGroups()
	return append(append(relayers, nodes...), prov...)
}

// processGroups returns the relayers, the consumer nodes and the provider
// nodes that were started.
func (t *CCVTestnet) processGroups() (relayers, nodes, prov []*process.Process) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.Consumers {
		if c.Relayer != nil {
			relayers = append(relayers, c.Relayer)
		}
		nodes = append(nodes, c.Processes()...)
	}
	return relayers, nodes, slices.Clone(t.Provider)
}

// Stop stops every child: the relayers first, then the consumer nodes,
// then the provider nodes.
func (t *CCVTestnet) Stop() {
	relayers, nodes, prov := t.processGroups()
	for _, group := range [][]*process.Process{relayers, nodes, prov} {
		var wg sync.WaitGroup
		for _, p := range group {
			wg.Add(1)
			go func() { defer wg.Done(); p.Stop(10 * time.Second) }()
		}
		wg.Wait()
	}
}

// waitHeight waits until the node at rpc has committed height h.
func waitHeight(ctx context.Context, rpc string, h int64, timeout time.Duration) (int64, error) {
	c, err := client.NewClient(rpc)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(timeout)
	for {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := c.RPC().Status(qctx)
		cancel()
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return st.SyncInfo.LatestBlockHeight, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s did not reach height %d in %s", rpc, h, timeout)
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return 0, err
		}
	}
}
