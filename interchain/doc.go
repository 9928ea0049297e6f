// Package interchain is the layer an ABCI++ application mounts to take part
// in Interchain Security: the IBC stack (light clients, connections,
// channels, ICS-20 transfers) and the CCV protocol of one role, the provider
// or the consumer, behind one value.
//
// The embedding chain keeps its own transaction format, signatures, fees
// and accounts. It gives the layer what the layer declares it needs:
//
//   - stores: the layer reads and writes the stores named by Stores (the
//     "ibc" store and the role's own), which the chain mounts in its
//     multistore beside its own;
//   - a bank (Bank), for ICS-20 transfers; nil leaves transfers out;
//   - for a provider, its staking as provider.Staking and provider.Unbonding:
//     validators by consensus address, jailing, slashing, tombstoning and
//     holds on unbonding entries; and the account of its governance
//     (ProviderConfig.Authority), which owns the consumers governance
//     creates and alone may make a consumer top-N.
//
// In return the layer
//
//   - handles the IBC and CCV messages given to it (HandleMsg, by proto type
//     URL, with the signer the chain authenticated), each on the store it is
//     given: the chain runs it on a cache that it keeps only on success;
//   - runs at the block boundaries (Consumer.BeginBlock, Consumer.EndBlock,
//     Provider.EndBlock), with the block passed explicitly;
//   - answers the JSON queries the relayer and the CLI use (Query, paths in
//     query.go) over any committed version of the chain's state;
//   - returns every effect as a value: the events of each step (the
//     send_packet events the relayer finds packets by included) and, for a
//     consumer, the validator updates for CometBFT. Nothing is buffered
//     between calls: a step the chain discards leaves no trace.
//
// What to call in which ABCI method:
//
//	InitChain      Consumer.InitGenesis (returns the initial validator set)
//	               or Provider.InitGenesis, after the chain's own modules
//	FinalizeBlock  Consumer.BeginBlock before the transactions;
//	               HandleMsg for each IBC/CCV message of a transaction;
//	               Consumer.EndBlock last (its updates are the block's);
//	               Provider.EndBlock after the chain's staking has chosen
//	               the block's validator set
//	Query          Query for the paths it knows; QueryStore for the raw
//	               reads with proofs that relayers make (/store/NAME/key)
//
// A provider's staking returns the ids of the unbonding operations each
// of its calls started (an undelegation, a redelegation, a validator
// leaving the set at the end of the block); the chain passes each id to
// Provider.AfterUnbondingInitiated right after that call, on the same
// store and before Provider.EndBlock, so that the consumers running the
// entry's validator hold it until they have seen the change mature. An
// error there fails the message, or the block. The chain's staking also
// asks the layer whether a consensus key is reserved as a consumer key
// (Provider.IsKeyReserved) before accepting a new validator.
//
// A provider's governance (or admin) executes the layer's proposal contents
// (Provider.Proposals): consumer addition and removal, and the consumer
// messages MsgCreateConsumer, MsgUpdateConsumer and MsgRemoveConsumer
// carried as content, as the Authority account. Other consumers are created
// by any account with MsgCreateConsumer and named, everywhere on the
// provider, by their consumer id.
package interchain
