// Package icsgenesis converts a consumer genesis between our form,
// ccv.ConsumerGenesis as proto JSON, and the reference implementation's,
// interchain_security.ccv.v1.ConsumerGenesisState as proto JSON (original
// field names, defaults written out), so that the genesis tooling of the
// reference's users can read what our provider publishes and our consumer
// can start from what theirs publishes (SPEC 11).
//
// The reference's form looks like this (durations as proto JSON
// durations, 64-bit integers as strings, the provider's client and
// consensus states as ibc-go 07-tendermint ClientState and ConsensusState
// in proto JSON, validators as CometBFT abci ValidatorUpdates):
//
//	{
//	  "params": {"enabled": true, "blocks_per_distribution_transmission": "1000",
//	    "distribution_transmission_channel": "", "provider_fee_pool_addr_str": "",
//	    "ccv_timeout_period": "2419200s", "transfer_timeout_period": "3600s",
//	    "consumer_redistribution_fraction": "0.75", "historical_entries": "10000",
//	    "unbonding_period": "1728000s", "soft_opt_out_threshold": "0",
//	    "reward_denoms": [], "provider_reward_denoms": [],
//	    "retry_delay_period": "3600s", "consumer_id": "0"},
//	  "provider": {"client_state": {...}, "consensus_state": {...},
//	    "initial_val_set": [{"pub_key": {"ed25519": "<base64>"}, "power": "10"}]},
//	  "new_chain": true, "preCCV": false, "connection_id": ""
//	}
//
// # The mapping
//
// Both ways, field for field:
//
//	ours                                     reference
//	provider_client_state (binary)           provider.client_state (proto JSON)
//	provider_consensus_state (binary)        provider.consensus_state (proto JSON)
//	initial_validators                       provider.initial_val_set (ed25519 keys)
//	consumer_id                              params.consumer_id
//	params.unbonding_period (ns)             params.unbonding_period ("Ns")
//	params.ccv_timeout_period                params.ccv_timeout_period
//	params.transfer_timeout_period           params.transfer_timeout_period
//	params.retry_delay_period                params.retry_delay_period
//	params.blocks_per_distribution_transmission  the same
//	params.historical_entries                params.historical_entries
//	params.distribution_transmission_channel params.distribution_transmission_channel
//	params.consumer_redistribution_fraction  params.consumer_redistribution_fraction (decimal)
//	changeover == nil                        new_chain true, preCCV false, connection_id ""
//
// What only one side has, and what becomes of it:
//
//   - Our fraction is a ratio, the reference's a decimal string. A decimal
//     is read as the ratio in lowest terms ("0.75" is 3/4), so a ratio is
//     written only if it is in lowest terms and has a finite decimal of at
//     most 18 digits (the reference's precision); 75/100 or 1/3 are
//     refused, as writing them would read back as another ratio and so
//     another consumer state.
//   - signed_blocks_window and min_signed_per_window are ours (the
//     reference keeps them in the consumer's slashing genesis): read as
//     the defaults (100 and 1/2), so written only when they are the
//     defaults.
//   - consumer_redistribution_address is ours: read as empty, so written
//     only when empty.
//   - A changeover (ours) needs the standalone chain's id and height, which
//     the reference's genesis has no place for; its preCCV/connection_id
//     form lacks them too. Neither is converted: use our form.
//   - enabled is written true and must be true: our consumer cannot be
//     disabled. new_chain must be true, as the reference's own Validate
//     requires.
//   - reward_denoms and provider_reward_denoms are written empty, as the
//     reference's provider writes them, and must be empty: our consumer
//     sends a share of every denomination.
//   - provider_fee_pool_addr_str is written empty, as the reference's
//     provider writes it, and ignored when read: the channel handshake
//     carries it. soft_opt_out_threshold is deprecated in the reference:
//     written "0", ignored when read.
//
// A conversion that cannot keep everything the consumer needs to start
// the same chain fails with an error wrapping ErrNotConvertible; input
// that does not parse or does not validate fails with an error wrapping
// ccv.ErrInvalidGenesis. Read tells the two forms apart by their
// top-level fields.
package icsgenesis
