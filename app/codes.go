package app

import (
	"slices"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// Codespace names icsd's codes in ABCI responses.
const Codespace = abci.Codespace

// Codes maps icsd's errors to ABCI codes, after the pipeline's own
// (abci.Codes). The codes are part of the interface and never change; new
// errors get new numbers.
var Codes = slices.Concat(accountCodes, abci.Codes, moduleCodes)

// accountCodes come first, as they always have: an error that wraps one
// of them and a later one gets its code.
var accountCodes = []abci.ErrorCode{
	{Err: auth.ErrTxDecode, Code: 2},
	{Err: auth.ErrTxTooLarge, Code: 3},
	{Err: auth.ErrInvalidSignature, Code: 4},
	{Err: auth.ErrWrongChainID, Code: 5},
	{Err: auth.ErrBadNonce, Code: 6},
	{Err: auth.ErrUnknownAccount, Code: 7},
	{Err: auth.ErrInsufficientFee, Code: 8},
	{Err: bank.ErrInsufficientFunds, Code: 9},
	{Err: bank.ErrInvalidAmount, Code: 10},
	{Err: bank.ErrInvalidDenom, Code: 11},
	{Err: bank.ErrInvalidAddress, Code: 12},
	{Err: address.ErrInvalid, Code: 12},
	{Err: bank.ErrOverflow, Code: 13},
}

var moduleCodes = []abci.ErrorCode{
	{Err: interchain.ErrUnknownMsg, Code: 14},
	{Err: interchain.ErrUnknownQuery, Code: 15},
	{Err: interchain.ErrInvalidQuery, Code: 17},
	{Err: interchain.ErrInvalidGenesis, Code: 18},
	{Err: interchain.ErrMsgDecode, Code: 2},
	// Staking: 100+, gov: 200+, distribution: 300+, in declaration order.
	{Err: staking.ErrInvalidParams, Code: 100},
	{Err: staking.ErrInvalidGenesis, Code: 101},
	{Err: fraction.ErrInvalid, Code: 102}, // shared by staking, gov and distribution
	{Err: staking.ErrInvalidAddress, Code: 103},
	{Err: staking.ErrUnauthorized, Code: 104},
	{Err: staking.ErrZeroAmount, Code: 105},
	{Err: shares.ErrOverflow, Code: 106},
	{Err: staking.ErrInsufficientFunds, Code: 107},
	{Err: staking.ErrValidatorNotFound, Code: 108},
	{Err: staking.ErrValidatorExists, Code: 109},
	{Err: staking.ErrInvalidPubKey, Code: 110},
	{Err: staking.ErrDuplicateConsKey, Code: 111},
	{Err: staking.ErrConsKeyReserved, Code: 112},
	{Err: staking.ErrInvalidMoniker, Code: 113},
	{Err: staking.ErrInvalidCommission, Code: 114},
	{Err: staking.ErrSelfDelegationTooLow, Code: 115},
	{Err: staking.ErrDelegationNotFound, Code: 116},
	{Err: shares.ErrInsufficientDelegation, Code: 117},
	{Err: shares.ErrDelegationTooSmall, Code: 118},
	{Err: shares.ErrInvalidExchangeRate, Code: 119},
	{Err: staking.ErrTooManyEntries, Code: 120},
	{Err: staking.ErrSelfRedelegation, Code: 121},
	{Err: staking.ErrTransitiveRedelegation, Code: 122},
	{Err: staking.ErrNotJailed, Code: 123},
	{Err: staking.ErrJailPeriodNotOver, Code: 124},
	{Err: staking.ErrTombstoned, Code: 125},
	{Err: unbonding.ErrNotFound, Code: 126},
	{Err: unbonding.ErrInvalidHolder, Code: 127},
	{Err: staking.ErrInvalidSlash, Code: 128},
	{Err: gov.ErrInvalidAddress, Code: 200},
	{Err: gov.ErrUnauthorized, Code: 201},
	{Err: gov.ErrUnknownProposal, Code: 202},
	{Err: gov.ErrInactiveProposal, Code: 203},
	{Err: gov.ErrNoDeposit, Code: 204},
	{Err: gov.ErrInvalidDeposit, Code: 205},
	{Err: gov.ErrInvalidVote, Code: 206},
	{Err: gov.ErrInvalidProposal, Code: 207},
	{Err: gov.ErrUnknownContent, Code: 208},
	{Err: gov.ErrInvalidContent, Code: 209},
	{Err: gov.ErrUnknownParamSpace, Code: 210},
	{Err: gov.ErrUnknownParam, Code: 211},
	{Err: gov.ErrInvalidParams, Code: 212},
	{Err: gov.ErrInvalidGenesis, Code: 213},
	{Err: gov.ErrOverflow, Code: 214},
	{Err: distribution.ErrInvalidAddress, Code: 300},
	{Err: distribution.ErrUnauthorized, Code: 301},
	{Err: distribution.ErrNoDelegation, Code: 302},
	{Err: distribution.ErrInvalidValidator, Code: 303},
	{Err: distribution.ErrInsufficientPool, Code: 304},
	{Err: distribution.ErrUnknownParam, Code: 305},
	{Err: distribution.ErrInvalidParams, Code: 306},
	{Err: distribution.ErrInvalidGenesis, Code: 307},
	{Err: distribution.ErrOverflow, Code: 308},
	{Err: distribution.ErrBrokenInvariant, Code: 309},
	// IBC: client 400+, connection and channel 500+ (the connection errors
	// were channel's and kept their codes; channel re-exports them),
	// transfer 600+, in declaration order.
	{Err: client.ErrClientNotFound, Code: 400},
	{Err: client.ErrClientNotActive, Code: 401},
	{Err: client.ErrClientFrozen, Code: 402},
	{Err: client.ErrClientExpired, Code: 403},
	{Err: client.ErrInvalidClientState, Code: 404},
	{Err: client.ErrInvalidConsensusState, Code: 405},
	{Err: client.ErrConsensusStateNotFound, Code: 406},
	{Err: client.ErrInvalidHeader, Code: 407},
	{Err: client.ErrChainIDMismatch, Code: 408},
	{Err: client.ErrInvalidHeaderHeight, Code: 409},
	{Err: client.ErrInvalidTrustedValidators, Code: 410},
	{Err: client.ErrTrustingPeriodExpired, Code: 411},
	{Err: client.ErrHeaderInFuture, Code: 412},
	{Err: client.ErrInsufficientTrust, Code: 413},
	{Err: client.ErrInvalidMisbehaviour, Code: 414},
	{Err: client.ErrInvalidProofHeight, Code: 415},
	{Err: client.ErrUnauthorized, Code: 416},
	{Err: connection.ErrUnauthorized, Code: 500},
	{Err: connection.ErrInvalidMessage, Code: 501},
	{Err: connection.ErrInvalidIdentifier, Code: 502},
	{Err: connection.ErrInvalidHeight, Code: 503},
	{Err: connection.ErrClientNotActive, Code: 504},
	{Err: packet.ErrConsensusStateNotFound, Code: 505},
	{Err: connection.ErrInvalidProof, Code: 506},
	{Err: connection.ErrConnectionNotFound, Code: 507},
	{Err: connection.ErrInvalidConnectionState, Code: 508},
	{Err: connection.ErrInvalidCounterparty, Code: 509},
	{Err: connection.ErrInvalidVersion, Code: 510},
	{Err: channel.ErrPortNotBound, Code: 511},
	{Err: channel.ErrInvalidConnectionHops, Code: 512},
	{Err: channel.ErrInvalidChannelOrdering, Code: 513},
	{Err: channel.ErrChannelNotFound, Code: 514},
	{Err: channel.ErrChannelClosed, Code: 515},
	{Err: channel.ErrInvalidChannelState, Code: 516},
	{Err: channel.ErrCloseRefused, Code: 517},
	{Err: channel.ErrAppRejected, Code: 518},
	{Err: packet.ErrInvalidPacket, Code: 519},
	{Err: packet.ErrInvalidTimeout, Code: 520},
	{Err: packet.ErrTimeoutElapsed, Code: 521},
	{Err: packet.ErrTimeoutNotReached, Code: 522},
	{Err: packet.ErrPacketAlreadyReceived, Code: 523},
	{Err: packet.ErrPacketOutOfOrder, Code: 524},
	{Err: packet.ErrPacketCommitmentNotFound, Code: 525},
	{Err: packet.ErrInvalidAcknowledgement, Code: 526},
	{Err: transfer.ErrInvalidPort, Code: 600},
	{Err: transfer.ErrInvalidChannel, Code: 601},
	{Err: transfer.ErrInvalidOrder, Code: 602},
	{Err: transfer.ErrInvalidVersion, Code: 603},
	{Err: transfer.ErrChannelNotFound, Code: 604},
	{Err: transfer.ErrUnauthorized, Code: 605},
	{Err: transfer.ErrInvalidAddress, Code: 606},
	{Err: transfer.ErrInvalidDenom, Code: 607},
	{Err: transfer.ErrInvalidAmount, Code: 608},
	{Err: transfer.ErrInvalidMemo, Code: 609},
	{Err: transfer.ErrInvalidTimeout, Code: 610},
	{Err: transfer.ErrSendDisabled, Code: 611},
	{Err: transfer.ErrReceiveDisabled, Code: 612},
	{Err: transfer.ErrInvalidPacketData, Code: 613},
	{Err: transfer.ErrInsufficientEscrow, Code: 614},
	{Err: transfer.ErrOverflow, Code: 615},
	{Err: transfer.ErrInvalidGenesis, Code: 616},
	// Interchain Security: provider 700+ (704 and 705 are provider/vsc's,
	// re-exported by provider under the same names), consumer 800+, in
	// declaration order.
	{Err: provider.ErrInvalidParams, Code: 700},
	{Err: provider.ErrInvalidProposal, Code: 701},
	{Err: provider.ErrConsumerExists, Code: 702},
	{Err: provider.ErrConsumerNotFound, Code: 703},
	{Err: vsc.ErrInvalidConsumerKey, Code: 704},
	{Err: vsc.ErrKeyInUse, Code: 705},
	{Err: provider.ErrValidatorNotFound, Code: 706},
	{Err: provider.ErrInvalidEvidence, Code: 707},
	{Err: provider.ErrAlreadyTombstoned, Code: 708},
	{Err: provider.ErrUnauthorized, Code: 709},
	{Err: provider.ErrInvalidHandshake, Code: 710},
	{Err: provider.ErrInvalidPacket, Code: 711},
	{Err: provider.ErrStaleEvidence, Code: 712},
	{Err: provider.ErrNotOwner, Code: 713},
	{Err: provider.ErrInvalidConsumer, Code: 714},
	{Err: provider.ErrOptOutRefused, Code: 715},
	{Err: provider.ErrNotOptedIn, Code: 716},
	{Err: provider.ErrEvidenceHandled, Code: 717},
	{Err: consumer.ErrAlreadyInitialized, Code: 800},
	{Err: consumer.ErrInvalidOrder, Code: 801},
	{Err: consumer.ErrInvalidPort, Code: 802},
	{Err: consumer.ErrInvalidVersion, Code: 803},
	{Err: consumer.ErrInvalidConnectionHops, Code: 804},
	{Err: consumer.ErrInvalidClient, Code: 805},
	{Err: consumer.ErrDuplicateChannel, Code: 806},
	{Err: consumer.ErrInvalidChannelFlow, Code: 807},
	{Err: consumer.ErrInvalidHandshakeMetadata, Code: 808},
	{Err: consumer.ErrInvalidPacketData, Code: 809},
	{Err: consumer.ErrInvalidVSCID, Code: 810},
	{Err: ccv.ErrInvalidGenesis, Code: 811},
	// ibc-go messages translated to icsd's (package ibcgo): 900+.
	{Err: ibcgo.ErrInvalidMsg, Code: 900},
	{Err: ibcgo.ErrInvalidSigner, Code: 901},
	{Err: ibcgo.ErrSignerMismatch, Code: 902},
	{Err: ibcgo.ErrUnsupported, Code: 903},
}

// Code returns the ABCI code of err: 0 for nil, the table's code for a
// known error (the first match wins), abci.CodeInternal otherwise.
func Code(err error) uint32 { return abci.CodeOf(Codes, err) }

// Open opens an icsd chain's application over db with f as its chain (see
// abci.New), under icsd's name and code table.
func Open(db dbm.DB, opts abci.Options, f abci.Factory) (*abci.App, error) {
	opts.Chain = f
	opts.Name, opts.Code, opts.Codespace = "icsd", Code, Codespace
	return abci.New(db, opts)
}
