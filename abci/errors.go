package abci

import (
	"errors"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// Codespace names this application's codes in ABCI responses.
const Codespace = "icsd"

// Errors of the application itself.
var (
	ErrUnknownMessage = errors.New("unknown message type")
	ErrUnknownQuery   = errors.New("unknown query path")
	ErrNotStarted     = errors.New("chain has not committed a block yet")
	ErrInvalidGenesis = errors.New("invalid genesis")
	ErrInvalidQuery   = errors.New("invalid query")
)

// CodeInternal is the code of an error that is not in the table.
const CodeInternal uint32 = 1

// codes maps errors to ABCI codes. The codes are part of the interface and
// never change; new errors get new numbers.
var codes = []struct {
	err  error
	code uint32
}{
	{auth.ErrTxDecode, 2},
	{auth.ErrTxTooLarge, 3},
	{auth.ErrInvalidSignature, 4},
	{auth.ErrWrongChainID, 5},
	{auth.ErrBadNonce, 6},
	{auth.ErrUnknownAccount, 7},
	{auth.ErrInsufficientFee, 8},
	{bank.ErrInsufficientFunds, 9},
	{bank.ErrInvalidAmount, 10},
	{bank.ErrInvalidDenom, 11},
	{bank.ErrInvalidAddress, 12},
	{address.ErrInvalid, 12},
	{bank.ErrOverflow, 13},
	{ErrUnknownMessage, 14},
	{ErrUnknownQuery, 15},
	{ErrNotStarted, 16},
	{ErrInvalidQuery, 17},
	{ErrInvalidGenesis, 18},
	// Staking: 100+, gov: 200+, distribution: 300+, in declaration order.
	{staking.ErrInvalidParams, 100},
	{staking.ErrInvalidGenesis, 101},
	{fraction.ErrInvalid, 102}, // shared by staking, gov and distribution
	{staking.ErrInvalidAddress, 103},
	{staking.ErrUnauthorized, 104},
	{staking.ErrZeroAmount, 105},
	{staking.ErrOverflow, 106},
	{staking.ErrInsufficientFunds, 107},
	{staking.ErrValidatorNotFound, 108},
	{staking.ErrValidatorExists, 109},
	{staking.ErrInvalidPubKey, 110},
	{staking.ErrDuplicateConsKey, 111},
	{staking.ErrConsKeyReserved, 112},
	{staking.ErrInvalidMoniker, 113},
	{staking.ErrInvalidCommission, 114},
	{staking.ErrSelfDelegationTooLow, 115},
	{staking.ErrDelegationNotFound, 116},
	{staking.ErrInsufficientDelegation, 117},
	{staking.ErrDelegationTooSmall, 118},
	{staking.ErrInvalidExchangeRate, 119},
	{staking.ErrTooManyEntries, 120},
	{staking.ErrSelfRedelegation, 121},
	{staking.ErrTransitiveRedelegation, 122},
	{staking.ErrNotJailed, 123},
	{staking.ErrJailPeriodNotOver, 124},
	{staking.ErrTombstoned, 125},
	{staking.ErrUnbondingNotFound, 126},
	{staking.ErrInvalidHolder, 127},
	{staking.ErrInvalidSlash, 128},
	{gov.ErrInvalidAddress, 200},
	{gov.ErrUnauthorized, 201},
	{gov.ErrUnknownProposal, 202},
	{gov.ErrInactiveProposal, 203},
	{gov.ErrNoDeposit, 204},
	{gov.ErrInvalidDeposit, 205},
	{gov.ErrInvalidVote, 206},
	{gov.ErrInvalidProposal, 207},
	{gov.ErrUnknownContent, 208},
	{gov.ErrInvalidContent, 209},
	{gov.ErrUnknownParamSpace, 210},
	{gov.ErrUnknownParam, 211},
	{gov.ErrInvalidParams, 212},
	{gov.ErrInvalidGenesis, 213},
	{gov.ErrOverflow, 214},
	{distribution.ErrInvalidAddress, 300},
	{distribution.ErrUnauthorized, 301},
	{distribution.ErrNoDelegation, 302},
	{distribution.ErrInvalidValidator, 303},
	{distribution.ErrInsufficientPool, 304},
	{distribution.ErrUnknownParam, 305},
	{distribution.ErrInvalidParams, 306},
	{distribution.ErrInvalidGenesis, 307},
	{distribution.ErrOverflow, 308},
	{distribution.ErrBrokenInvariant, 309},
	// IBC: client 400+, channel 500+, transfer 600+, in declaration order.
	{client.ErrClientNotFound, 400},
	{client.ErrClientNotActive, 401},
	{client.ErrClientFrozen, 402},
	{client.ErrClientExpired, 403},
	{client.ErrInvalidClientState, 404},
	{client.ErrInvalidConsensusState, 405},
	{client.ErrConsensusStateNotFound, 406},
	{client.ErrInvalidHeader, 407},
	{client.ErrChainIDMismatch, 408},
	{client.ErrInvalidHeaderHeight, 409},
	{client.ErrInvalidTrustedValidators, 410},
	{client.ErrTrustingPeriodExpired, 411},
	{client.ErrHeaderInFuture, 412},
	{client.ErrInsufficientTrust, 413},
	{client.ErrInvalidMisbehaviour, 414},
	{client.ErrInvalidProofHeight, 415},
	{client.ErrUnauthorized, 416},
	{channel.ErrUnauthorized, 500},
	{channel.ErrInvalidMessage, 501},
	{channel.ErrInvalidIdentifier, 502},
	{channel.ErrInvalidHeight, 503},
	{channel.ErrClientNotActive, 504},
	{channel.ErrConsensusStateNotFound, 505},
	{channel.ErrInvalidProof, 506},
	{channel.ErrConnectionNotFound, 507},
	{channel.ErrInvalidConnectionState, 508},
	{channel.ErrInvalidCounterparty, 509},
	{channel.ErrInvalidVersion, 510},
	{channel.ErrPortNotBound, 511},
	{channel.ErrInvalidConnectionHops, 512},
	{channel.ErrInvalidChannelOrdering, 513},
	{channel.ErrChannelNotFound, 514},
	{channel.ErrChannelClosed, 515},
	{channel.ErrInvalidChannelState, 516},
	{channel.ErrCloseRefused, 517},
	{channel.ErrAppRejected, 518},
	{channel.ErrInvalidPacket, 519},
	{channel.ErrInvalidTimeout, 520},
	{channel.ErrTimeoutElapsed, 521},
	{channel.ErrTimeoutNotReached, 522},
	{channel.ErrPacketAlreadyReceived, 523},
	{channel.ErrPacketOutOfOrder, 524},
	{channel.ErrPacketCommitmentNotFound, 525},
	{channel.ErrInvalidAcknowledgement, 526},
	{transfer.ErrInvalidPort, 600},
	{transfer.ErrInvalidChannel, 601},
	{transfer.ErrInvalidOrder, 602},
	{transfer.ErrInvalidVersion, 603},
	{transfer.ErrChannelNotFound, 604},
	{transfer.ErrUnauthorized, 605},
	{transfer.ErrInvalidAddress, 606},
	{transfer.ErrInvalidDenom, 607},
	{transfer.ErrInvalidAmount, 608},
	{transfer.ErrInvalidMemo, 609},
	{transfer.ErrInvalidTimeout, 610},
	{transfer.ErrSendDisabled, 611},
	{transfer.ErrReceiveDisabled, 612},
	{transfer.ErrInvalidPacketData, 613},
	{transfer.ErrInsufficientEscrow, 614},
	{transfer.ErrOverflow, 615},
	{transfer.ErrInvalidGenesis, 616},
	// Interchain Security: provider 700+, consumer 800+, in declaration order.
	{provider.ErrInvalidParams, 700},
	{provider.ErrInvalidProposal, 701},
	{provider.ErrConsumerExists, 702},
	{provider.ErrConsumerNotFound, 703},
	{provider.ErrInvalidConsumerKey, 704},
	{provider.ErrKeyInUse, 705},
	{provider.ErrValidatorNotFound, 706},
	{provider.ErrInvalidEvidence, 707},
	{provider.ErrAlreadyTombstoned, 708},
	{provider.ErrUnauthorized, 709},
	{provider.ErrInvalidHandshake, 710},
	{provider.ErrInvalidPacket, 711},
	{provider.ErrStaleEvidence, 712},
	{consumer.ErrAlreadyInitialized, 800},
	{consumer.ErrInvalidOrder, 801},
	{consumer.ErrInvalidPort, 802},
	{consumer.ErrInvalidVersion, 803},
	{consumer.ErrInvalidConnectionHops, 804},
	{consumer.ErrInvalidClient, 805},
	{consumer.ErrDuplicateChannel, 806},
	{consumer.ErrInvalidChannelFlow, 807},
	{consumer.ErrInvalidHandshakeMetadata, 808},
	{consumer.ErrInvalidPacketData, 809},
	{consumer.ErrInvalidVSCID, 810},
	{ccv.ErrInvalidGenesis, 811},
}

// Code returns the ABCI code of err: 0 for nil, the table's code for a
// known error (the first match wins), CodeInternal otherwise.
func Code(err error) uint32 {
	if err == nil {
		return 0
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}
