// Package ibctest drives icsd applications in one process, through ABCI,
// as real chains: every block is finalized and committed, and every header
// is signed by the chain's validators, so light clients and proofs are
// checked exactly as between real nodes. Time is a controllable clock.
//
// NewAppChain hosts an application that is not icsd's (a chain embedding
// the interchain layer, with its own transactions), so that icsd chains
// and such chains run and relay together.
//
// It lives beside abci because it builds whole applications; the protocol
// packages it exercises (ibc/...) never import it.
package ibctest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
	dbm "github.com/cosmos/cosmos-db"
	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// BlockInterval is how far the shared clock moves for every block of any
// chain.
const BlockInterval = 5 * time.Second

// Clock is the time all chains of a test share. Every block of any chain
// advances it, so a header is never ahead of the chain that receives it.
type Clock struct{ Now time.Time }

// Advance moves the clock forward by d (a test waiting for a timeout).
func (c *Clock) Advance(d time.Duration) { c.Now = c.Now.Add(d) }

// AdvanceClock moves c's clock (shared with the chains linked to it)
// forward by d.
func AdvanceClock(c *Chain, d time.Duration) { c.clock.Advance(d) }

// Clock returns the clock the chain runs on.
func (c *Chain) Clock() *Clock { return c.clock }

// Chain is one application with a simulated validator set.
type Chain struct {
	T  testing.TB
	ID string
	// App is the icsd application; nil on a chain of another application
	// (NewAppChain).
	App *abci.App

	app    abcitypes.Application // the application every block and query goes to
	encode TxEncoder             // nil: icsd's signed transactions
	db     dbm.DB                // App's database
	open   func(dbm.DB, abci.Options) (*abci.App, error)

	// Accounts are funded at genesis; account 0 is the relayer's.
	Accounts []ed25519.PrivKey
	nonces   map[string]uint64

	signers map[string]cmttypes.PrivValidator // by consensus address
	vals    map[int64]*cmttypes.ValidatorSet  // validator set of each height
	headers map[int64]*cmttypes.SignedHeader  // header h carries the app hash of block h-1
	appHash []byte                            // app hash of the last committed block
	lastID  cmttypes.BlockID

	Height int64 // last committed height
	Time   time.Time
	clock  *Clock

	// ValidatorKeys are the consensus keys of the genesis validators.
	ValidatorKeys []ed25519.PrivKey
	// Absent holds the consensus addresses of validators that miss blocks:
	// they neither vote in DecidedLastCommit nor sign headers.
	Absent map[string]bool
	// Outbox holds the packets the chain sent that no relay has taken yet.
	Outbox []channeltypes.Packet
	// Log holds the response of every block, by height (Log[h-1] is block h).
	Log []*abcitypes.ResponseFinalizeBlock
	// LastFinalize is how long the last FinalizeBlock took (benchmarks).
	LastFinalize time.Duration

	relayer *relayer.Chain // the chain as the relayer sees it (Relayer)

	// Mirror, when set, runs every block the chain runs, and NextBlock
	// fails the test unless it gives the same results (see Regenesis).
	Mirror *abci.App
}

// NewChain starts a chain on clock with nvals validators of equal power
// and naccounts funded accounts (at least nvals: account i operates
// validator i), and commits its first block.
func NewChain(t testing.TB, clock *Clock, id string, nvals, naccounts int) *Chain {
	return NewChainWith(t, clock, id, nvals, naccounts, nil)
}

func newChain(t testing.TB, clock *Clock, id string) *Chain {
	return &Chain{T: t, ID: id, nonces: map[string]uint64{}, signers: map[string]cmttypes.PrivValidator{},
		vals: map[int64]*cmttypes.ValidatorSet{}, headers: map[int64]*cmttypes.SignedHeader{}, Time: clock.Now, clock: clock,
		Absent: map[string]bool{}}
}

// NewChainWith is NewChain with edit applied to the genesis (if not nil).
func NewChainWith(t testing.TB, clock *Clock, id string, nvals, naccounts int, edit func(*app.Genesis)) *Chain {
	c := newChain(t, clock, id)
	g := app.DefaultGenesis()
	g.Staking.Params.UnbondingPeriod = 21 * 24 * time.Hour
	for i := 0; i < naccounts; i++ {
		k := ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("%s/account/%d", id, i)))
		c.Accounts = append(c.Accounts, k)
		a := address.Encode(g.Auth.Params.Bech32Prefix, address.FromPubKey(k.PubKey().Bytes()))
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000_000}}})
	}
	for i := 0; i < nvals; i++ {
		ck := ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("%s/validator/%d", id, i)))
		c.AddSigner(ck)
		c.ValidatorKeys = append(c.ValidatorKeys, ck)
		if i >= naccounts {
			t.Fatalf("ibctest: need an account per validator")
		}
		op := g.Auth.Accounts[i].Address
		g.Staking.Validators = append(g.Staking.Validators, staking.GenesisValidator{
			Operator: op, PubKey: ck.PubKey().Bytes(), Moniker: fmt.Sprintf("val%d", i),
			CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
			SelfDelegation: 100_000_000, MinSelfDelegation: 1,
		})
	}
	if edit != nil {
		edit(g)
	}
	c.start(g, app.RoleProvider)
	return c
}

// AddSigner lets the chain sign with key k when a validator of the chain
// has it (a consumer chain signs with its provider validators' keys).
func (c *Chain) AddSigner(k ed25519.PrivKey) {
	c.signers[string(k.PubKey().Address())] = cmttypes.NewMockPVWithParams(k, false, false)
}

// start runs InitChain with genesis g and commits the first block.
func (c *Chain) start(g *app.Genesis, role app.Role) {
	t := c.T
	appState, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	c.open = providerapp.New
	if role == app.RoleConsumer {
		own := g.OwnStaking()
		c.open = func(db dbm.DB, opts abci.Options) (*abci.App, error) { return consumerapp.New(db, opts, own) }
	}
	c.db = dbm.NewMemDB()
	a, err := c.open(c.db, abci.Options{Pipeline: true})
	if err != nil {
		t.Fatal(err)
	}
	c.App = a
	c.initChain(a, appState)
}

// Restart closes the application and opens it again over its database,
// as a node does after a restart. It fails the test unless the reopened
// application reports the last committed height and app hash.
func (c *Chain) Restart() {
	if c.App == nil {
		c.T.Fatalf("%s: Restart: not an icsd chain", c.ID)
	}
	if err := c.App.Close(); err != nil {
		c.T.Fatal(err)
	}
	a, err := c.open(c.db, abci.Options{Pipeline: true})
	if err != nil {
		c.T.Fatalf("%s: reopen: %v", c.ID, err)
	}
	info, err := a.Info(context.Background(), &abcitypes.RequestInfo{})
	if err != nil {
		c.T.Fatal(err)
	}
	if info.LastBlockHeight != c.Height || !bytes.Equal(info.LastBlockAppHash, c.appHash) {
		c.T.Fatalf("%s: reopened at height %d with app hash %X, committed %d with %X", c.ID, info.LastBlockHeight, info.LastBlockAppHash, c.Height, c.appHash)
	}
	c.App, c.app = a, a
}

// Reopen is Restart with open assembling the application from now on:
// a node restarted with other settings (such as a changeover plan).
func (c *Chain) Reopen(open func(dbm.DB, abci.Options) (*abci.App, error)) {
	c.open = open
	c.Restart()
}

// initChain runs InitChain of a with appState and commits the first block.
func (c *Chain) initChain(a abcitypes.Application, appState []byte) {
	c.app = a
	res, err := a.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: c.ID, InitialHeight: 1, Time: c.Time, AppStateBytes: appState})
	if err != nil {
		c.T.Fatal(err)
	}
	set := c.applyUpdates(cmttypes.NewValidatorSet(nil), res.Validators)
	c.vals[1], c.vals[2] = set, set
	c.appHash = res.AppHash
	c.NextBlock()
}

func (c *Chain) applyUpdates(set *cmttypes.ValidatorSet, ups []abcitypes.ValidatorUpdate) *cmttypes.ValidatorSet {
	changes, err := cmttypes.PB2TM.ValidatorUpdates(ups)
	if err != nil {
		c.T.Fatal(err)
	}
	next := set.Copy()
	if err := next.UpdateWithChangeSet(changes); err != nil {
		c.T.Fatal(err)
	}
	if len(changes) > 0 {
		next.IncrementProposerPriority(1) // the proposer may have left
	}
	return next
}

// Address returns the address of account i.
func (c *Chain) Address(i int) []byte { return address.FromPubKey(c.Accounts[i].PubKey().Bytes()) }

// Tx signs msgs with account i, with a fee of 1stake; on a chain of
// another application, it encodes them with the chain's TxEncoder, from
// account i's address.
func (c *Chain) Tx(i int, msgs ...gogoproto.Message) []byte {
	return c.TxFee(i, coin.Coin{Denom: "stake", Amount: 1}, msgs...)
}

// TxFee is Tx with fee fee (which a chain of another application ignores).
func (c *Chain) TxFee(i int, fee coin.Coin, msgs ...gogoproto.Message) []byte {
	if c.encode != nil {
		tx, err := c.encode(c.Address(i), msgs...)
		if err != nil {
			c.T.Fatalf("%s: encode transaction: %v", c.ID, err)
		}
		return tx
	}
	k := c.Accounts[i]
	body := auth.TxBody{ChainId: c.ID, Nonce: c.nonces[string(c.Address(i))], Fee: fee}
	for _, m := range msgs {
		a, err := auth.NewAny(m)
		if err != nil {
			c.T.Fatal(err)
		}
		body.Msgs = append(body.Msgs, a)
	}
	c.nonces[string(c.Address(i))]++
	tx, err := auth.SignTx(k, &body)
	if err != nil {
		c.T.Fatal(err)
	}
	return tx
}

// NextBlock finalizes and commits a block of txs at the next height, signed
// by every validator, and returns its results.
func (c *Chain) NextBlock(txs ...[]byte) *abcitypes.ResponseFinalizeBlock {
	h := c.Height + 1
	c.clock.Advance(BlockInterval)
	c.Time = c.clock.Now
	vals := c.vals[h]
	header := cmttypes.Header{
		Version:            cmtversion.Consensus{Block: version.BlockProtocol, App: abci.AppVersion},
		ChainID:            c.ID,
		Height:             h,
		Time:               c.Time,
		LastBlockID:        c.lastID,
		AppHash:            c.appHash,
		ValidatorsHash:     vals.Hash(),
		NextValidatorsHash: c.vals[h+1].Hash(),
		ConsensusHash:      make([]byte, 32),
		LastResultsHash:    make([]byte, 32),
		DataHash:           txsHash(txs),
		EvidenceHash:       make([]byte, 32),
		LastCommitHash:     make([]byte, 32),
		ProposerAddress:    vals.GetProposer().Address,
	}
	var votes []abcitypes.VoteInfo
	if prev, ok := c.vals[h-1]; ok && h > 1 {
		for _, v := range prev.Validators {
			flag := cmtproto.BlockIDFlagCommit
			if c.Absent[string(v.Address)] {
				flag = cmtproto.BlockIDFlagAbsent
			}
			votes = append(votes, abcitypes.VoteInfo{Validator: abcitypes.Validator{Address: v.Address, Power: v.VotingPower}, BlockIdFlag: flag})
		}
	}
	began := time.Now()
	req := &abcitypes.RequestFinalizeBlock{
		Txs: txs, Height: h, Time: c.Time, DecidedLastCommit: abcitypes.CommitInfo{Votes: votes},
		Hash: header.Hash(), NextValidatorsHash: header.NextValidatorsHash, ProposerAddress: header.ProposerAddress,
	}
	resp, err := c.app.FinalizeBlock(context.Background(), req)
	if err != nil {
		c.T.Fatalf("%s: finalize block %d: %v", c.ID, h, err)
	}
	c.LastFinalize = time.Since(began)
	if _, err := c.app.Commit(context.Background(), &abcitypes.RequestCommit{}); err != nil {
		c.T.Fatalf("%s: commit %d: %v", c.ID, h, err)
	}
	c.mirror(req, resp)
	c.vals[h+2] = c.applyUpdates(c.vals[h+1], resp.ValidatorUpdates)
	c.Log = append(c.Log, resp)
	sent, _ := PacketsIn(c.T, resp, "send_packet")
	c.Outbox = append(c.Outbox, sent...)
	c.headers[h] = c.sign(&header, vals)
	c.lastID = c.headers[h].Commit.BlockID
	c.appHash = resp.AppHash
	c.Height = h
	return resp
}

// sign makes every validator precommit to header.
func (c *Chain) sign(header *cmttypes.Header, vals *cmttypes.ValidatorSet) *cmttypes.SignedHeader {
	partHash := sha256.Sum256(header.Hash())
	blockID := cmttypes.BlockID{Hash: header.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: partHash[:]}}
	voteSet := cmttypes.NewVoteSet(c.ID, header.Height, 0, cmtproto.PrecommitType, vals)
	var present int64
	for _, v := range vals.Validators {
		if !c.Absent[string(v.Address)] {
			present += v.VotingPower
		}
	}
	for i, v := range vals.Validators {
		if c.Absent[string(v.Address)] && present*3 > vals.TotalVotingPower()*2 {
			continue
		}
		vote := &cmttypes.Vote{Type: cmtproto.PrecommitType, Height: header.Height, BlockID: blockID, Timestamp: header.Time,
			ValidatorAddress: v.Address, ValidatorIndex: int32(i)}
		pb := vote.ToProto()
		signer, ok := c.signers[string(v.Address)]
		if !ok {
			c.T.Fatalf("%s: no key for validator %X at height %d", c.ID, v.Address, header.Height)
		}
		if err := signer.SignVote(c.ID, pb); err != nil {
			c.T.Fatal(err)
		}
		vote.Signature = pb.Signature
		if _, err := voteSet.AddVote(vote); err != nil {
			c.T.Fatal(err)
		}
	}
	commit := voteSet.MakeExtendedCommit(cmttypes.ABCIParams{}).ToCommit()
	return &cmttypes.SignedHeader{Header: header, Commit: commit}
}

// SignedHeader returns the header of height h (whose app hash is that of
// block h-1) with its commit, and the validator set that signed it.
func (c *Chain) SignedHeader(h int64) (*cmttypes.SignedHeader, *cmttypes.ValidatorSet) {
	sh, ok := c.headers[h]
	if !ok {
		c.T.Fatalf("%s: no header at height %d (latest %d)", c.ID, h, c.Height)
	}
	return sh, c.vals[h]
}

// Query runs an ABCI query at height (0: latest) and returns the response.
func (c *Chain) Query(path string, data []byte, height int64, prove bool) *abcitypes.ResponseQuery {
	res, err := c.app.Query(context.Background(), &abcitypes.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
	if err != nil {
		c.T.Fatal(err)
	}
	return res
}

// QueryJSON runs a typed query at the latest height and decodes it.
func (c *Chain) QueryJSON(path string, out any) {
	res := c.Query(path, nil, 0, false)
	if res.Code != 0 {
		c.T.Fatalf("%s: query %s: %s", c.ID, path, res.Log)
	}
	if err := json.Unmarshal(res.Value, out); err != nil {
		c.T.Fatal(err)
	}
}

// Balance returns account addr's balance of denom.
func (c *Chain) Balance(addr []byte, denom string) uint64 {
	var coins []app.CoinJSON
	c.QueryJSON(app.PathBalances+address.Encode("ics", addr), &coins)
	for _, co := range coins {
		if co.Denom == denom {
			return co.Amount
		}
	}
	return 0
}

// Supply returns the total supply of denom.
func (c *Chain) Supply(denom string) uint64 {
	var co app.CoinJSON
	c.QueryJSON(app.PathSupply+"/"+denom, &co)
	return co.Amount
}

// Events returns the events of type typ in a block response, transaction
// events first.
func Events(resp *abcitypes.ResponseFinalizeBlock, typ string) []map[string]string {
	var out []map[string]string
	add := func(evs []abcitypes.Event) {
		for _, e := range evs {
			if e.Type != typ {
				continue
			}
			m := map[string]string{}
			for _, a := range e.Attributes {
				m[a.Key] = a.Value
			}
			out = append(out, m)
		}
	}
	for _, r := range resp.TxResults {
		add(r.Events)
	}
	add(resp.Events)
	return out
}

// MustSucceed fails the test unless every transaction of resp succeeded.
func (c *Chain) MustSucceed(resp *abcitypes.ResponseFinalizeBlock) *abcitypes.ResponseFinalizeBlock {
	for i, r := range resp.TxResults {
		if r.Code != 0 {
			c.T.Fatalf("%s height %d tx %d: code %d: %s", c.ID, c.Height, i, r.Code, r.Log)
		}
	}
	return resp
}

func txsHash(txs [][]byte) []byte {
	ts := make(cmttypes.Txs, len(txs))
	for i, tx := range txs {
		ts[i] = tx
	}
	return ts.Hash()
}
