// Package tx holds `icsd tx`: the commands that sign a message with a key
// of the keyring, send it to a node over CometBFT RPC and wait for its
// block, one group per module (bank, staking, gov, distribution,
// ibc-transfer, provider). Building a message from arguments is most of
// what they do; signing and sending is the client package's. Every
// command signs with its first argument, KEY, or with --from (a key name,
// or the bech32 address of a key of the keyring), and KEY may then be left
// out; given both, they must be the same key (cli.KeyArgs and
// cli.SigningKey, used by txCommand and the few commands built by hand).
//
// The provider group runs a consumer chain's life: create-consumer,
// update-consumer, remove-consumer and change-reward-denoms for its owner;
// opt-in, opt-out, set-consumer-commission-rate and assign-consumer-key
// for a validator's operator; submit-double-voting for anyone. The gov
// group proposes consumers (submit-consumer-addition), changes to
// consumers governance owns, top N included (submit-consumer-update,
// submit-change-reward-denoms), and removals (submit-consumer-removal).
// Consumers are named by their consumer id. On a consumer with its own
// staking, the gov group proposes that it turn sovereign
// (submit-sovereign-transition, its height absolute or +N blocks).
//
// A consumer's settings (metadata, initialization, power shaping and
// infraction parameters) come from flags or from a JSON file whose shape
// is in create-consumer's help; package consumersettings reads both and
// builds the message, checked with the provider's own ValidateBasic
// before anything is sent. An update sets whole sections, so when a flag
// changes one field the command first reads the consumer from the node
// and keeps its other fields. create-consumer reads the new consumer's
// id from the create_consumer event in its block's results and prints it.
package tx
