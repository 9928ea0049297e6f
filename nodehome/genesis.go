package nodehome

import (
	"encoding/json"
	"fmt"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/coin"
)

// EditGenesis loads HOME's genesis, lets edit change its app state, checks
// the result by parsing it again, and saves it.
func EditGenesis(home string, edit func(g *app.Genesis) error) error {
	file := Config(home).GenesisFile()
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		return err
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		return err
	}
	if err := edit(g); err != nil {
		return err
	}
	bz, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	if _, err := app.ParseGenesis(bz); err != nil {
		return err
	}
	doc.AppState = json.RawMessage(bz)
	return doc.SaveAs(file)
}

// ImportConsumerGenesis puts cg, the consumer genesis the provider
// computed at launch, into the genesis of the consumer home: app_state's
// consumer part becomes cg and the file's validators are cleared (the
// application returns cg's initial validators from InitChain). On a
// provider home, a standalone chain, cg must be a changeover genesis for
// its chain at a height still to come: it becomes the node's changeover
// plan (ChangeoverFile), and the genesis is left as it is. It fails on a
// genesis that does not validate.
func ImportConsumerGenesis(home string, cg *ccv.ConsumerGenesis) error {
	role, err := ReadRole(home)
	if err != nil {
		return err
	}
	if err := cg.Validate(); err != nil {
		return err
	}
	if role != app.RoleConsumer {
		return importChangeover(home, cg)
	}
	if cg.Changeover != nil {
		return fmt.Errorf("%s is a consumer home: a changeover genesis (for the running chain %s) is imported on that chain's nodes", home, cg.Changeover.ChainId)
	}
	file := Config(home).GenesisFile()
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		return err
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		return err
	}
	if g.Role() != app.RoleConsumer {
		return fmt.Errorf("%s is not a consumer genesis", file)
	}
	g.Consumer = cg
	bz, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	if _, err := app.ParseGenesis(bz); err != nil {
		return err
	}
	doc.AppState = json.RawMessage(bz)
	doc.Validators = nil
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	return doc.SaveAs(file)
}

// ReadConsumerGenesis decodes and validates a consumer genesis in either
// form (icsgenesis.Read tells which): ours, the proto3 JSON that
// /provider/consumer-genesis/CONSUMER_ID answers, or the reference's
// ConsumerGenesisState in proto JSON (what `icsd query provider
// consumer-genesis --format ics` and the reference's providers write). A
// reference genesis that our consumer cannot start as the same chain is
// refused (icsgenesis.ErrNotConvertible).
func ReadConsumerGenesis(bz []byte) (*ccv.ConsumerGenesis, error) {
	cg, _, err := icsgenesis.Read(bz)
	return cg, err
}

// AddBalance credits coins to addr in the genesis, creating the account.
func AddBalance(g *app.Genesis, addr string, pub []byte, coins []coin.Coin) {
	found := false
	for _, a := range g.Auth.Accounts {
		found = found || a.Address == addr
	}
	if !found {
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: addr, PubKey: pub})
	}
	for i := range g.Bank.Balances {
		if g.Bank.Balances[i].Address == addr {
			for _, c := range coins {
				merged := false
				for j := range g.Bank.Balances[i].Coins {
					if g.Bank.Balances[i].Coins[j].Denom == c.Denom {
						g.Bank.Balances[i].Coins[j].Amount += c.Amount
						merged = true
					}
				}
				if !merged {
					g.Bank.Balances[i].Coins = append(g.Bank.Balances[i].Coins, c)
				}
			}
			return
		}
	}
	g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: addr, Coins: coins})
}
