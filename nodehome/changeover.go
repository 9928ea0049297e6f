package nodehome

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app/changeover"
	"github.com/abci-ics/ics/ccv"
)

// A standalone chain (a provider home) changes over to a consumer (SPEC 9;
// app/changeover) at the height of the changeover genesis the provider
// computed for it. The operator gives it to the node with icsd genesis
// import-consumer, as for a new consumer, while the node runs: it is kept
// in HOME/config/changeover.json, which the node reads at every block
// (ChangeoverPlan). Every validator of the chain must import it before the
// height: a node without it makes no changeover, computes another app
// hash and stops at the next height, as with any upgrade.

// ChangeoverFile is where a provider home keeps its changeover genesis.
func ChangeoverFile(home string) string { return filepath.Join(home, "config", "changeover.json") }

// importChangeover checks cg, a changeover genesis, against the provider
// home and writes it to ChangeoverFile: it must name the chain id of the
// home's genesis and a height the node's validator has not signed yet.
// Nothing is written on error.
func importChangeover(home string, cg *ccv.ConsumerGenesis) error {
	cfg := Config(home)
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return err
	}
	if cg.Changeover == nil {
		return fmt.Errorf("%s is a provider home and the consumer genesis is for a new chain: a standalone chain imports a changeover genesis (create the consumer with --changeover), a new consumer needs a home written by icsd init --role consumer", home)
	}
	if err := changeover.Check(cg, doc.ChainID); err != nil {
		return err
	}
	if last, ok := lastSignedHeight(cfg.PrivValidatorStateFile()); ok && int64(cg.Changeover.Height) <= last {
		return fmt.Errorf("the changeover height %d has passed: the node signed height %d", cg.Changeover.Height, last)
	}
	bz, err := (&jsonpb.Marshaler{Indent: "  "}).MarshalToString(cg)
	if err != nil {
		return err
	}
	// Written whole, then renamed: the running node never reads half a file.
	file := ChangeoverFile(home)
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(bz+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// lastSignedHeight returns the last height the home's validator key
// signed; false when the home has no such record.
func lastSignedHeight(file string) (int64, bool) {
	if _, err := os.Stat(file); err != nil {
		return 0, false
	}
	var st privval.FilePVLastSignState
	bz, err := os.ReadFile(file)
	if err != nil {
		return 0, false
	}
	if err := cmtjson.Unmarshal(bz, &st); err != nil {
		return 0, false
	}
	return st.Height, true
}

// ChangeoverPlan returns the plan of the home's node: the genesis in
// ChangeoverFile, read again when the file changes. A file that cannot be
// read or does not validate is an error (the node stops at its next block
// rather than miss the changeover).
func ChangeoverPlan(home string) changeover.Plan {
	file := ChangeoverFile(home)
	var (
		mu    sync.Mutex
		mod   time.Time
		size  int64
		plan  *ccv.ConsumerGenesis
		known bool
	)
	return func() (*ccv.ConsumerGenesis, bool, error) {
		fi, err := os.Stat(file)
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		mu.Lock()
		defer mu.Unlock()
		if known && fi.ModTime().Equal(mod) && fi.Size() == size {
			return plan, true, nil
		}
		bz, err := os.ReadFile(file)
		if err != nil {
			return nil, false, err
		}
		cg, err := ReadConsumerGenesis(bz)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", file, err)
		}
		plan, mod, size, known = cg, fi.ModTime(), fi.Size(), true
		return plan, true, nil
	}
}

// MatchProvider returns an error unless cg is the genesis the provider
// holds for its consumer (provider's, from its consumer-genesis query):
// the same consumer, changeover, parameters, provider client and initial
// validator set, so that a node never adopts a set the provider's client
// of the chain would not trust.
func MatchProvider(cg, provider *ccv.ConsumerGenesis) error {
	switch {
	case cg.ConsumerId != provider.ConsumerId:
		return fmt.Errorf("the genesis is for consumer %q, the provider's for %q", cg.ConsumerId, provider.ConsumerId)
	case !gogoproto.Equal(cg.Changeover, provider.Changeover):
		return fmt.Errorf("the changeover %v does not match the provider's %v", cg.Changeover, provider.Changeover)
	case len(cg.InitialValidators) != len(provider.InitialValidators):
		return fmt.Errorf("the genesis has %d initial validators, the provider's %d", len(cg.InitialValidators), len(provider.InitialValidators))
	}
	for i, v := range cg.InitialValidators {
		if w := provider.InitialValidators[i]; !bytes.Equal(v.PubKey, w.PubKey) || v.Power != w.Power {
			return fmt.Errorf("initial validator %d is %X with power %d, the provider's %X with power %d", i, v.PubKey, v.Power, w.PubKey, w.Power)
		}
	}
	if !gogoproto.Equal(cg, provider) {
		return fmt.Errorf("the genesis does not match the provider's (parameters or provider client)")
	}
	return nil
}
