// Package nodehome holds what an icsd node is on disk and how it becomes a
// process: a home directory written by Init (CometBFT's config and keys, a
// funded key in the keyring, a genesis, and HOME/config/app.toml, the
// AppConfig with the chain's role and its pruning), the genesis edits made
// before a chain starts (EditGenesis, AddBalance, and ImportConsumerGenesis
// of the consumer genesis a provider computed), the consensus keys a home
// holds (ParseConsensusKey), NewNode, which builds the in-process
// CometBFT node around an abci.App in the role and with the pruning
// recorded in its home, and Rollback, which takes a stopped node's
// application and CometBFT state back one height together.
//
// A chain's state must always be opened with the same role, so the role is
// read from the home, never from a flag; a home without app.toml (written
// before roles existed) is a provider. A provider home is a standalone
// chain that may change over to a consumer (SPEC 9): its node is given the
// changeover genesis by the same import (ChangeoverFile, ChangeoverPlan),
// and once the chain changed over its state, not app.toml, makes it a
// consumer (app/changeover).
package nodehome
