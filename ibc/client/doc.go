// Package client implements IBC clients of CometBFT chains with the
// semantics of ibc-go's 07-tendermint light client, on ibc-go's wire types
// (ibctm.ClientState, ConsensusState, Header and Misbehaviour), verifying
// headers exactly as CometBFT's light package does (same decisions, same
// errors) through package lightverify, which verifies commit signatures
// on several cores and each signature once.
//
// # What a client holds
//
// A client tracks one counterparty chain. Its client state names the chain
// id, the trust level (1/3 by default), the trusting period (how long a
// consensus state can be trusted; shorter than the counterparty's
// unbonding period), the maximum clock drift allowed for header times,
// its latest height and, once misbehaviour was seen, a non-zero frozen
// height. For each height the client has verified it holds a consensus
// state: the block time, the commitment root (the header's app hash,
// which commits to the state after the previous block) and the hash of
// the validators of the next block.
//
// Heights are clienttypes.Height{RevisionNumber, RevisionHeight}. The
// revision number is parsed from the chain id ("provider-3" is revision 3,
// a chain id without a "-N" suffix is revision 0); updates never cross a
// revision (upgrades are not supported).
//
// # Creating and updating
//
// CreateClient validates the client state (ValidateClientState) and the
// initial consensus state and stores both; identifiers are
// "07-tendermint-0", "07-tendermint-1", ... UpdateClient takes a header of
// the counterparty together with the height of a consensus state the
// client already trusts and the validator set the header is checked
// against (the trusted consensus state's next validators). If the header
// is for the height right after the trusted one, its validators must be
// those trusted next validators and more than 2/3 of them must have
// signed (light.VerifyAdjacent). Otherwise the trust level of the trusted
// validators must have signed and more than 2/3 of the header's own
// validators (light.VerifyNonAdjacent), which lets a relayer skip many
// heights at once as long as enough of the old validators remain. In both
// cases the trusted consensus state must be within the trusting period at
// the block time `now`, and the header's time must be after the trusted
// time and before now + max clock drift.
//
// # Misbehaviour
//
// Two valid headers that cannot both come from an honest chain prove that
// more than the trust level of some validator set signed conflicting
// blocks. Either of two forms freezes the client: a header whose
// consensus state differs from one already stored at its height, or whose
// time is not strictly between those of the neighbouring consensus states
// (found by UpdateClient, which then freezes instead of failing), and an
// explicit Misbehaviour of two headers at the same height with different
// block ids or with the higher one not later in time (SubmitMisbehaviour).
// A frozen client never updates or verifies proofs again; as in ibc-go its
// frozen height is 0-1.
//
// # Status and proofs
//
// A client is Frozen once frozen, Expired when its latest consensus state
// is past the trusting period, else Active. VerifyMembership and
// VerifyNonMembership check ICS-23 proofs (see package commitment) of the
// counterparty's "ibc" store against the root of the consensus state at
// exactly the proof height; the client must be active. There are no delay
// periods.
//
// # State
//
// The client state and consensus states are stored in the "ibc" store
// under their ICS-24 paths ("clients/{id}/clientState",
// "clients/{id}/consensusStates/{rev}-{height}") as ibc-go stores them:
// google.protobuf.Any of the 07-tendermint messages (EncodeClientState,
// DecodeClientState and their consensus state pair), so that the
// counterparty can prove them and stock relayers decode them. Beside each
// consensus state a ConsensusMetadata records when (block time and
// height) it was added, under a key that orders a client's consensus
// states by height; the client counter is a ClientSequence. These keys
// start with byte 0x00, which no ICS-24 path does. When a consensus state
// is added, expired consensus states are pruned oldest first (at most
// maxPrunePerUpdate per update, never the latest), so a client keeps
// about one consensus state per update within the trusting period.
//
// All methods take the store, and the block time and height where
// relevant, as arguments; none reads a clock. Errors are the sentinels of
// errors.go, wrapped with context; on error nothing has been written.
package client
