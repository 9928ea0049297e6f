// Package icsquery serves two queries of the Interchain Security
// reference's gRPC services, with the reference's method paths and
// message shapes (generated here from proto/interchain_security):
//
//	/interchain_security.ccv.consumer.v1.Query/QueryParams          on a consumer
//	/interchain_security.ccv.provider.v1.Query/QueryConsumerChains  on a provider
//
// icsd keeps its own forms of these in state, so the answers are
// converted:
//
//   - consumer parameters: durations and counts as stored; the
//     redistribution fraction as a decimal string; enabled is true while
//     the consumer has not stopped; provider_fee_pool_addr_str and
//     consumer_id come from the consumer genesis; reward_denoms and
//     provider_reward_denoms are empty (icsd sends every denomination).
//   - consumer chains: icsd's phases map to the reference's (running, the
//     CCV channel open, is the reference's launched); allow, deny and
//     priority lists are bech32 consensus addresses (prefix + "valcons");
//     infraction fractions are decimals; min_power_in_top_N is -1 (not
//     computed) and allowlisted_reward_denoms is absent.
//
// Errors are gRPC status errors: NotFound before the consumer has
// parameters.
package icsquery
