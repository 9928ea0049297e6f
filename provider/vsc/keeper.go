package vsc

import (
	"errors"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/state"
)

// Errors of key assignment; package provider returns the same values
// under the same names.
var (
	ErrInvalidConsumerKey = errors.New("invalid consumer key")
	ErrKeyInUse           = errors.New("consumer key in use")
)

// Validator is what the provider sees of one of its validators.
type Validator struct {
	ConsAddr   []byte // consensus address, 20 bytes
	PubKey     []byte // ed25519 consensus key, 32 bytes
	Power      int64
	Tokens     uint64 // bonded tokens (min_stake compares them)
	Bonded     bool
	Jailed     bool
	Tombstoned bool
}

// Staking is what key assignment needs of the chain's proof of stake: the
// validator, if any, whose provider consensus address is consAddr.
type Staking interface {
	ValidatorByConsAddr(s state.Store, consAddr []byte) (Validator, bool)
}

// Unbonding is what the provider needs of the chain's unbonding queue.
//
// UnbondingPeriod is the provider's own unbonding period. EntryValidator
// returns the consensus address of the validator an unbonding entry
// leaves (the source of a redelegation). PutOnHold and ReleaseHold keep an
// entry from completing, as chain/staking's methods do.
type Unbonding interface {
	UnbondingPeriod(s state.Store) time.Duration
	EntryValidator(s state.Store, id uint64) ([]byte, bool)
	PutOnHold(s state.Store, id uint64, holder string) error
	ReleaseHold(s state.Store, id uint64, holder string) error
}

// Channels sends VSC packets: ibc/packet's SendPacket, which returns the
// packet's sequence and its send_packet event.
type Channels interface {
	SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error)
}

// Logger is what the keeper logs through.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Keeper keeps the consumers' validator sets, key assignments, VSC queues
// and maturity holds in the provider store. It holds no state of its own:
// every method takes the store it works on. Package provider builds one
// from its own dependencies (provider.Keeper.VSC); the consumers it is
// asked about are the provider's, and it is told which are launched.
//
// Prefix is the provider's bech32 prefix (slash acknowledgements and
// events name consensus addresses with Prefix+"valcons").
type Keeper struct {
	Staking   Staking
	Unbonding Unbonding
	Channels  Channels
	Logger    Logger
	Prefix    string
}

func (k *Keeper) log() Logger {
	if k.Logger == nil {
		return nopLogger{}
	}
	return k.Logger
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func unixNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }
