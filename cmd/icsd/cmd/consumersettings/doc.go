// Package consumersettings turns the settings a user gives for a consumer
// chain into the provider message that sets them, checked before anything
// is sent. It serves the commands create-consumer, update-consumer and
// submit-consumer-update of `icsd tx` and knows nothing of keys, nodes or
// transactions: the caller passes in whatever must be read from a node.
//
// A consumer's settings (metadata, initialization, power shaping and
// infraction parameters) come from the flags AddFlags adds or from a JSON
// file whose shape FileHelp describes; the two do not mix. CreateMsg
// builds a MsgCreateConsumer and UpdateMsg a MsgUpdateConsumer; each is
// checked with the provider's own ValidateBasic. An update sets whole
// sections, so when a flag changes one field UpdateMsg asks its caller
// for the consumer as it is (FromDetail reads the consumer query's answer)
// and keeps the section's other fields.
//
// AddParamFlags and ParamsFromFlags are the consumer parameter flags
// alone, for submit-consumer-addition; ParseWhen reads the time flags;
// CheckConsumerID applies the provider's rule for a consumer id.
package consumersettings
