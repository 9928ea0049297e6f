package state

import (
	"errors"

	"github.com/abci-ics/ics/state/internal/record"
	"github.com/abci-ics/ics/state/proof"
)

var (
	// ErrVersionNotFound is returned by MultiStore.View for a version that
	// was never committed: zero or negative after normalisation, newer than
	// the last commit, or older than the first commit; and by Rollback when
	// there is no version to go back to.
	ErrVersionNotFound = record.ErrVersionNotFound

	// ErrVersionPruned is returned by MultiStore.View for a version that was
	// committed but has since been pruned (see Options.KeepRecent). Reads
	// through a View whose version gets pruned while the View is in use
	// panic with an error wrapping ErrVersionPruned. Rollback returns it
	// when the version to go back to was pruned.
	ErrVersionPruned = record.ErrVersionPruned

	// ErrInvalidProof is proof.ErrInvalid, wrapped by every error that
	// VerifyMembership, VerifyNonMembership and ProofsFromOps return for a
	// proof that does not verify or cannot be decoded.
	ErrInvalidProof = proof.ErrInvalid

	// ErrUnknownStore is returned (wrapped) by functions that take a store
	// name as a run-time argument, such as View.Prove, when the name is not
	// one of the multistore's stores (for View.Prove: not live at the
	// View's version).
	ErrUnknownStore = errors.New("state: unknown store")

	// ErrUnprovable is returned (wrapped) by View.Prove when ICS-23 cannot
	// express a proof for the key: the store has no keys at that version
	// (an absence proof needs a neighbouring key), the key's value is empty,
	// or the key is absent and a neighbouring key has an empty value (ICS-23
	// leaf operations reject empty values).
	ErrUnprovable = errors.New("state: key cannot be proven with ICS-23")

	// ErrCorrupt is returned (wrapped) by Open when the data on disk is
	// inconsistent with the records: a store is behind the commit, an
	// upgrade record is invalid, or the recomputed app hash differs from
	// the recorded one (for example because the genesis names changed).
	ErrCorrupt = record.ErrCorrupt

	// ErrPrune is returned (wrapped) by MultiStore.Commit when the commit
	// itself succeeded and is durable but the background removal of old
	// versions failed since the last Commit (and by WaitPrune). The
	// returned CommitInfo is valid in that case; pruning is retried at the
	// next pruning interval.
	ErrPrune = errors.New("state: pruning old versions failed")

	// ErrInvalidUpgrade is returned (wrapped) by MultiStore.Upgrade for an
	// upgrade it refuses; the multistore is then unchanged.
	ErrInvalidUpgrade = errors.New("state: invalid store upgrade")

	// ErrClosed is returned by methods of a MultiStore that has been closed.
	ErrClosed = errors.New("state: multistore closed")
)
