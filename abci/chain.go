package abci

import (
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
)

// Block is what a chain's hooks and message handlers learn of the block.
type Block struct {
	ChainID string
	Height  int64
	Time    time.Time
	// LastCommit says which validators signed the previous block.
	LastCommit abcitypes.CommitInfo
	// Misbehavior is the evidence CometBFT decided on in this block.
	Misbehavior []abcitypes.Misbehavior
	// AppHash is the app hash in the block's header (that of the previous
	// block) and NextValidatorsHash the header's hash of the next set.
	AppHash            []byte
	NextValidatorsHash []byte
}

// Msg is one message of a transaction: its type URL and its encoding.
type Msg struct {
	TypeURL string
	Value   []byte
}

// Tx is a decoded transaction, in the chain's own format.
type Tx interface {
	// Signer is the address the messages run for.
	Signer() []byte
	// Msgs are the messages, run in order.
	Msgs() []Msg
}

// Chain is one chain's application, assembled for its chain id: its
// transaction format, its modules and their routes, hooks and queries.
// App drives it through the ABCI methods and holds no protocol logic of
// its own. Every method takes the store it works on; effects are returned
// as values.
type Chain interface {
	// ChainID is the chain's id. A chain opened from committed state reads
	// it from there (CometBFT tells it only at InitChain).
	ChainID() string
	// DecodeTx decodes a transaction and checks what needs neither state
	// nor signatures (format, sizes). PrepareProposal drops, and
	// ProcessProposal rejects, what it refuses.
	DecodeTx(raw []byte) (Tx, error)
	// VerifyTxs checks what the decoded transactions claim without reading
	// state (the chain id they were signed for, their signatures) and sets
	// errs[i] for txs[i]. App calls it on parallel chunks of a block.
	VerifyTxs(txs []Tx, errs []error)
	// Handles reports whether messages of typeURL have a handler.
	Handles(typeURL string) bool
	// Ante checks and charges a transaction of size bytes against s (nonce,
	// fee). What it writes is kept even when the messages then fail.
	Ante(s state.Store, tx Tx, size int) ([]abcitypes.Event, error)
	// HandleMsg runs one message for signer; App runs a transaction's
	// messages on one cache that it keeps only when all succeed.
	HandleMsg(s state.Store, b Block, signer []byte, m Msg) ([]abcitypes.Event, error)
	// BeginBlock runs before the block's transactions.
	BeginBlock(s state.Store, b Block) ([]abcitypes.Event, error)
	// EndBlock runs after them and returns the block's validator updates.
	EndBlock(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error)
	// Query answers a query path from s, a committed version, with JSON;
	// now is the time of the last finalized block. It returns an error
	// wrapping ErrUnknownQuery for a path it does not know.
	Query(s state.Store, path string, now time.Time) ([]byte, error)
}

// Factory assembles a chain's application. A chain is assembled once its
// chain id and genesis are known: at InitChain, or when a node opens state
// it committed before.
type Factory interface {
	// Stores names the stores of a new chain's state, the ones its genesis
	// is written into. A chain's stores may change later, at a height, by a
	// Transition; the state records them, and a chain opened again is given
	// the stores it has.
	Stores() []string
	// Open assembles the chain whose committed state is s, with the
	// stores it has (sorted).
	Open(s state.Store, stores []string) (Chain, error)
	// InitChain assembles the chain from its genesis (appState, CometBFT's
	// app_state bytes) and writes the genesis into s. It returns the
	// initial validator set. Errors wrap ErrInvalidGenesis.
	InitChain(s state.Store, chainID string, appState []byte, height int64, now time.Time) (Chain, []abcitypes.ValidatorUpdate, error)
}
