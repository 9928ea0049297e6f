package sovnet

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/fraction"
)

// Options say which consumer of which testnet turns sovereign, and how.
type Options struct {
	// Dir is the testnet's directory (icsd testnet start --dir).
	Dir string
	// ChainID names the consumer: consumer-<j>.
	ChainID string
	// ViaProvider stops the consumer on the provider instead of planning
	// the transition with the consumer's governance.
	ViaProvider bool
	// Margin is how many blocks past the expected end of the vote the
	// transition is planned; 0 means 10.
	Margin int64
	// SelfBond is what every CCV validator bonds at the transition; 0
	// means one unit of power (the staking's power reduction).
	SelfBond uint64
	// Out receives the progress lines; nil prints nothing.
	Out io.Writer
}

// ErrNoOwnStaking is returned for a consumer whose genesis has no
// staking of its own: it cannot turn sovereign.
var ErrNoOwnStaking = errors.New("the consumer has no staking of its own")

// Node is a provider validator's node on the consumer.
type Node struct {
	Validator int    // the provider validator's index
	Home      string // DIR/<chain id>/node<Validator>
	RPC       string
	// Operator is the provider validator's operator key, which the node's
	// home holds; PubKey is the node's consensus key.
	Operator client.Key
	PubKey   []byte
}

// Transition is one consumer's way to sovereignty: its nodes and the
// provider's.
type Transition struct {
	Opts     Options
	Nodes    []Node   // in validator order
	Provider []string // RPC addresses of the provider nodes, in order
	// ProviderKeys are the provider validators' operator keys.
	ProviderKeys []client.Key
}

// Load finds the consumer's nodes and the provider's under o.Dir.
func Load(o Options) (*Transition, error) {
	if o.Margin <= 0 {
		o.Margin = 10
	}
	t := &Transition{Opts: o}
	prov, err := valnet.Load(o.Dir)
	if err != nil {
		return nil, err
	}
	for _, h := range prov.Homes {
		cfg, err := nodehome.LoadConfig(h, nil)
		if err != nil {
			return nil, err
		}
		k, err := client.LoadKey(h, "validator")
		if err != nil {
			return nil, err
		}
		t.Provider, t.ProviderKeys = append(t.Provider, cfg.RPC.ListenAddress), append(t.ProviderKeys, k)
	}
	cons, err := valnet.Load(filepath.Join(o.Dir, o.ChainID))
	if err != nil {
		return nil, fmt.Errorf("%s: no consumer %s (its nodes are written at its launch): %w", o.Dir, o.ChainID, err)
	}
	for _, h := range cons.Homes {
		cfg, err := nodehome.LoadConfig(h, nil)
		if err != nil {
			return nil, err
		}
		op, err := client.LoadKey(h, "validator")
		if err != nil {
			return nil, fmt.Errorf("%s: %w (a kvconsumer chain cannot turn sovereign)", h, err)
		}
		pub, err := nodehome.ParseConsensusKey(cfg.PrivValidatorKeyFile())
		if err != nil {
			return nil, err
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(h), "node"))
		t.Nodes = append(t.Nodes, Node{Validator: i, Home: h, RPC: cfg.RPC.ListenAddress, Operator: op, PubKey: pub})
	}
	return t, nil
}

func (t *Transition) logf(format string, args ...any) {
	if t.Opts.Out != nil {
		fmt.Fprintf(t.Opts.Out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// Run turns the consumer sovereign as o says (see the package doc) and
// returns the transition's height once the provider stopped the consumer.
func Run(ctx context.Context, o Options) (int64, error) {
	t, err := Load(o)
	if err != nil {
		return 0, err
	}
	if err := t.Check(ctx); err != nil {
		return 0, err
	}
	var h int64
	if o.ViaProvider {
		h, err = t.StopOnProvider(ctx)
	} else {
		if err = t.CreateValidators(ctx); err == nil {
			h, err = t.Propose(ctx)
		}
	}
	if err != nil {
		return 0, err
	}
	_, err = t.Follow(ctx, h)
	return h, err
}

// live returns a client of the first of rpcs that answers.
func live(ctx context.Context, rpcs []string) (*client.Client, error) {
	var errs []error
	for _, rpc := range rpcs {
		c, err := client.NewClient(rpc)
		if err == nil {
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err = c.RPC().Status(qctx)
			cancel()
			if err == nil {
				return c, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", rpc, err))
	}
	return nil, fmt.Errorf("no node answers: %w", errors.Join(errs...))
}

// consumer returns a client of a consumer node that answers.
func (t *Transition) consumer(ctx context.Context) (*client.Client, error) {
	rpcs := make([]string, len(t.Nodes))
	for i, n := range t.Nodes {
		rpcs[i] = n.RPC
	}
	return live(ctx, rpcs)
}

// Stores returns the consumer's /app/stores answer.
func (t *Transition) Stores(ctx context.Context) (abci.StoresJSON, error) {
	var st abci.StoresJSON
	c, err := t.consumer(ctx)
	if err != nil {
		return st, err
	}
	return st, c.QueryJSON(ctx, abci.PathStores, &st)
}

// Check fails when the chain turned sovereign already, is not a
// consumer, or is a consumer without its own staking (ErrNoOwnStaking).
func (t *Transition) Check(ctx context.Context) error {
	st, err := t.Stores(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Opts.ChainID, err)
	}
	if h, ok := SovereignSince(st); ok {
		return fmt.Errorf("%s is sovereign since height %d", t.Opts.ChainID, h)
	}
	if !slices.Contains(st.Stores, consumer.StoreName) {
		return fmt.Errorf("%s is not a consumer: stores %s", t.Opts.ChainID, strings.Join(st.Stores, ", "))
	}
	if !slices.Contains(st.Stores, staking.StoreName) {
		return fmt.Errorf("%s: %w (its genesis was written without it: start the testnet over)", t.Opts.ChainID, ErrNoOwnStaking)
	}
	return nil
}

// SovereignSince returns the height at which a chain whose /app/stores
// answer is st turned sovereign, if it did.
func SovereignSince(st abci.StoresJSON) (int64, bool) {
	for _, u := range st.Upgrades {
		if slices.Contains(u.Added, provider.StoreName) && slices.Contains(u.Retired, consumer.StoreName) {
			return u.Height, true
		}
	}
	return 0, false
}

// Since returns the height at which the chain c talks to turned
// sovereign, if it did and c answers.
func Since(ctx context.Context, c *client.Client) (int64, bool) {
	var st abci.StoresJSON
	if err := c.QueryJSON(ctx, abci.PathStores, &st); err != nil {
		return 0, false
	}
	return SovereignSince(st)
}

// parallel runs f for each node and joins the errors.
func (t *Transition) parallel(nodes []Node, f func(n Node) error) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for k, n := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[k] = f(n) }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ownValidators returns the validators of the consumer's own staking.
func ownValidators(ctx context.Context, c *client.Client) ([]pos.ValidatorJSON, error) {
	var vals []pos.ValidatorJSON
	return vals, c.QueryJSON(ctx, pos.PathValidators, &vals)
}

// ownValidator returns the validator of the consumer's own staking with
// consensus key pub.
func ownValidator(vals []pos.ValidatorJSON, pub []byte) (pos.ValidatorJSON, bool) {
	for _, v := range vals {
		if bytes.Equal(v.PubKey, pub) {
			return v, true
		}
	}
	return pos.ValidatorJSON{}, false
}

// CreateValidators has every node's validator create a validator of the
// consumer's own staking with the node's consensus key, unless one has
// that key, bonding a thousandth of its CCV power's worth (at least one
// unit of power), and waits until they are all bonded.
func (t *Transition) CreateValidators(ctx context.Context) error {
	c, err := t.consumer(ctx)
	if err != nil {
		return err
	}
	var params staking.Params
	if err := c.QueryJSON(ctx, pos.PathStakingParams, &params); err != nil {
		return err
	}
	var ccvSet []interchain.ConsumerValidatorJSON
	if err := c.QueryJSON(ctx, interchain.PathConsumerValidator, &ccvSet); err != nil {
		return err
	}
	power := map[string]int64{}
	for _, v := range ccvSet {
		power[v.ConsumerKey] = v.Power
	}
	vals, err := ownValidators(ctx, c)
	if err != nil {
		return err
	}
	var todo []Node
	for _, n := range t.Nodes {
		if v, ok := ownValidator(vals, n.PubKey); ok {
			t.logf("%s: validator %d has an own validator already (%s, %s, power %d)", t.Opts.ChainID, n.Validator, v.Operator, v.Status, v.Power)
		} else {
			todo = append(todo, n)
		}
	}
	err = t.parallel(todo, func(n Node) error {
		bond := max(uint64(power[hex.EncodeToString(n.PubKey)])*params.PowerReduction/1000, params.PowerReduction)
		m := &staking.MsgCreateValidator{Operator: n.Operator.Address(), PubKey: n.PubKey, Moniker: fmt.Sprintf("validator-%d", n.Validator),
			CommissionRate: fraction.New(5, 100), CommissionMaxRate: fraction.New(20, 100), SelfDelegation: bond, MinSelfDelegation: 1}
		_, err := client.Submitter{Client: c, Key: n.Operator}.SubmitOK(ctx, fmt.Sprintf("validator %d", n.Validator), m)
		if err == nil {
			t.logf("%s: validator %d created its own validator with its consumer key %X…, self-bond %d%s", t.Opts.ChainID, n.Validator,
				n.PubKey[:4], bond, params.BondDenom)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create own validators on %s: %w", t.Opts.ChainID, err)
	}
	return t.waitFor(ctx, "own validators bonded", time.Minute, func() (bool, error) {
		vals, err := ownValidators(ctx, c)
		if err != nil {
			return false, err
		}
		for _, n := range t.Nodes {
			if v, ok := ownValidator(vals, n.PubKey); !ok || v.Status != staking.BOND_STATUS_BONDED.String() {
				return false, nil
			}
		}
		return true, nil
	})
}
