package testnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cometbft/cometbft/privval"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

// The opt-in consumers of a CCV testnet: the owner account creates them
// with MsgCreateConsumer (spawn time set, top_n 0), the validators their
// kind lists opt in with MsgOptIn before the spawn time, and OptIn adds a
// validator while the testnet runs.

// ownerSubmitter returns the submitter of the owner account.
func (t *CCVTestnet) ownerSubmitter() (client.Submitter, error) {
	key, err := client.LoadKey(t.OwnerHome(), OwnerKey)
	if err != nil {
		return client.Submitter{}, err
	}
	c, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return client.Submitter{}, err
	}
	return client.Submitter{Client: c, Key: key}, nil
}

// createConsumers creates, from the owner account, each opt-in consumer
// the provider does not know, spawning at spawn, and gives a new spawn
// time to those that went back to registered (nobody had opted in by
// their spawn time).
func (t *CCVTestnet) createConsumers(ctx context.Context, spawn time.Time) error {
	known, err := t.providerConsumers(ctx)
	if err != nil {
		return err
	}
	var msgs []gogoproto.Message
	var created, respawned []*ConsumerChain
	var owner client.Submitter
	init := &registry.ConsumerInitializationParameters{SpawnTime: spawn.UnixNano(), InitialHeight: 1, Params: t.Opts.ConsumerParams()}
	for _, c := range t.Consumers {
		if !c.Kind.IsOptIn() {
			continue
		}
		k, ok := known[c.ChainID]
		if ok && k.Phase != "registered" {
			continue
		}
		if owner.Client == nil {
			if owner, err = t.ownerSubmitter(); err != nil {
				return err
			}
		}
		if !ok {
			msgs = append(msgs, &registry.MsgCreateConsumer{Submitter: owner.Key.Address(), ChainId: c.ChainID,
				Metadata:                 registry.ConsumerMetadata{Name: c.ChainID, Description: "opt-in consumer chain of the testnet"},
				InitializationParameters: init, PowerShapingParameters: &registry.PowerShapingParameters{}})
			created = append(created, c)
			continue
		}
		if a, err := address.Decode("", k.Owner); err != nil || !bytes.Equal(a, owner.Key.Address()) {
			return fmt.Errorf("%s is registered on the provider and owned by %s, not by the testnet's owner account: delete the testnet directory", c.ChainID, k.Owner)
		}
		msgs = append(msgs, &registry.MsgUpdateConsumer{Owner: owner.Key.Address(), ConsumerId: k.ConsumerID, InitializationParameters: init})
		respawned = append(respawned, c)
	}
	if len(msgs) == 0 {
		return nil
	}
	if _, err := owner.SubmitOK(ctx, "the owner account", msgs...); err != nil {
		return fmt.Errorf("create the opt-in consumers: %w", err)
	}
	if _, err := t.providerConsumers(ctx); err != nil {
		return err
	}
	for _, c := range created {
		t.logf("created %s with MsgCreateConsumer from the owner account (not a validator), spawn at %s", c.describe(), spawn.Format("15:04:05"))
	}
	for _, c := range respawned {
		t.logf("%s had not launched: new spawn time %s", c.describe(), spawn.Format("15:04:05"))
	}
	return nil
}

// providerConsAddr returns provider validator i's consensus address.
func (t *CCVTestnet) providerConsAddr(i int) []byte {
	cfg := nodehome.Config(valnet.NodeHome(t.Opts.Dir, i))
	return privval.LoadFilePVEmptyState(cfg.PrivValidatorKeyFile(), "").Key.Address
}

// optedIn returns the provider consensus addresses opted in to consumer c.
func (t *CCVTestnet) optedIn(ctx context.Context, c *ConsumerChain) ([][]byte, error) {
	cl, err := client.NewClient(t.LiveProviderRPC())
	if err != nil {
		return nil, err
	}
	var d interchain.ConsumerDetailJSON
	if err := cl.QueryJSON(ctx, interchain.PathConsumer+c.ConsumerID, &d); err != nil {
		return nil, err
	}
	var out [][]byte
	for _, s := range d.OptedIn {
		a, err := address.Decode("", s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// optInBeforeLaunch has the validators each opt-in consumer lists opt in
// to it, with their fresh consumer key when it uses assigned keys, unless
// they are opted in already; each validator sends one transaction.
func (t *CCVTestnet) optInBeforeLaunch(ctx context.Context) error {
	known, err := t.providerConsumers(ctx)
	if err != nil {
		return err
	}
	msgs := make([][]gogoproto.Message, t.Opts.Validators)
	var done []string
	for _, c := range t.Consumers {
		if !c.Kind.IsOptIn() || known[c.ChainID].Phase != "initialized" {
			continue
		}
		have, err := t.optedIn(ctx, c)
		if err != nil {
			return err
		}
		var joining []int
		for _, i := range c.Kind.OptIn {
			if containsAddr(have, t.providerConsAddr(i)) {
				continue
			}
			m, err := t.optInMsg(c, i)
			if err != nil {
				return err
			}
			msgs[i] = append(msgs[i], m)
			joining = append(joining, i)
		}
		if len(joining) > 0 {
			done = append(done, fmt.Sprintf("%s to %s", describeValidators(joining), c.describe()))
		}
	}
	errs := make([]error, t.Opts.Validators)
	var wg sync.WaitGroup
	for i, ms := range msgs {
		if len(ms) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = t.submit(ctx, i, ms...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("opt in: %w", err)
	}
	for _, d := range done {
		t.logf("opted in before the launch: %s", d)
	}
	return nil
}

// optInMsg returns validator i's MsgOptIn to consumer c, with its fresh
// consumer key (made now if missing) when c uses assigned keys.
func (t *CCVTestnet) optInMsg(c *ConsumerChain, i int) (*registry.MsgOptIn, error) {
	op, err := client.LoadKey(valnet.NodeHome(t.Opts.Dir, i), "validator")
	if err != nil {
		return nil, err
	}
	m := &registry.MsgOptIn{Operator: op.Address(), ConsumerId: c.ConsumerID}
	if c.AssignedKeys {
		pv, err := c.PrivValidator(i)
		if err != nil {
			return nil, err
		}
		m.ConsumerKey = pv.Key.PubKey.Bytes()
	}
	return m, nil
}

func containsAddr(list [][]byte, a []byte) bool {
	for _, b := range list {
		if bytes.Equal(a, b) {
			return true
		}
	}
	return false
}

// OptIn has provider validator i opt in to consumer j (from 1) while the
// testnet runs, and run a node there. It writes validator i's home on the
// consumer with the genesis file the consumer's nodes run (and a fresh
// consumer key when the consumer uses assigned keys), starts the node
// with the running nodes as peers and waits until it has caught up by
// block sync; then it submits MsgOptIn from validator i's operator (with
// the consumer key, when assigned) and waits until the key is in the
// consumer's CometBFT validator set: the provider's next epoch sends the
// change and the relayer delivers it. The node runs before the validator
// joins the set, so that it signs from its first block as a validator.
func (t *CCVTestnet) OptIn(ctx context.Context, j, i int) error {
	if j < 1 || j > len(t.Consumers) {
		return fmt.Errorf("no consumer %d: consumers are 1 to %d", j, len(t.Consumers))
	}
	if i < 0 || i >= t.Opts.Validators {
		return fmt.Errorf("no validator %d: validators are 0 to %d", i, t.Opts.Validators-1)
	}
	c := t.Consumers[j-1]
	if c.Node(i) != nil {
		return fmt.Errorf("validator %d runs a node on %s already", i, c.ChainID)
	}
	if c.ConsumerID == "" || len(c.Nodes()) == 0 {
		return fmt.Errorf("%s has not launched", c.ChainID)
	}
	_, h, err := c.Join(ctx, i, c.LiveRPC())
	if err != nil {
		return err
	}
	t.logf("started validator %d's node on %s (rpc %s): caught up at height %d", i, c.describe(), c.RPC(i), h)
	m, err := t.optInMsg(c, i)
	if err != nil {
		return err
	}
	if _, err := t.submit(ctx, i, m); err != nil {
		return fmt.Errorf("%s: validator %d's opt-in: %w", c.ChainID, i, err)
	}
	t.logf("validator %d opted in to %s; it joins the validator set after the next epoch", i, c.describe())
	pub, _, err := c.Key(i)
	if err != nil {
		return err
	}
	power, err := waitInCometSet(ctx, c.RPC(i), pub, 3*time.Minute)
	if err != nil {
		return fmt.Errorf("%s: validator %d: %w", c.ChainID, i, err)
	}
	t.logf("validator %d joined %s's CometBFT validator set with power %d: %s", i, c.describe(), power, describeValidators(c.Validators()))
	return nil
}

// waitInCometSet waits until pub is in the CometBFT validator set of the
// node at rpc, and returns its power there.
func waitInCometSet(ctx context.Context, rpc string, pub []byte, timeout time.Duration) (int64, error) {
	c, err := client.NewClient(rpc)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(timeout)
	for {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		perPage := 100
		res, err := c.RPC().Validators(qctx, nil, nil, &perPage)
		cancel()
		if err == nil {
			for _, v := range res.Validators {
				if bytes.Equal(v.PubKey.Bytes(), pub) {
					return v.VotingPower, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("key %X not in the CometBFT validator set after %s", pub, timeout)
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return 0, err
		}
	}
}
