// Package sdktx decodes and verifies the Cosmos SDK transaction envelope,
// the one stock relayers (the Go relayer, Hermes) and SDK wallets sign, so
// that icsd accepts it beside its own.
//
// The envelope is cosmos.tx.v1beta1.TxRaw: body_bytes (an encoded TxBody:
// the messages as Any, a memo, a timeout height, extension options),
// auth_info_bytes (an encoded AuthInfo: one SignerInfo per signer with its
// public key, sign mode and sequence, and the fee) and the signatures. In
// SIGN_MODE_DIRECT a signature covers the encoded SignDoc {body_bytes,
// auth_info_bytes, chain_id, account_number}.
//
// icsd accepts the subset a relayer needs, and refuses the rest with an
// error that names it (all wrap ErrInvalid):
//
//   - exactly one signer and one signature; its public key a
//     /cosmos.crypto.secp256k1.PubKey (33 bytes, compressed); its sign mode
//     SIGN_MODE_DIRECT (Decode; DecodeUnsigned, for simulation, also lets
//     the mode be unspecified and the signature be empty or a dummy);
//   - a signature of 64 bytes, r||s with s in the lower half of the order,
//     over sha256 of the SignDoc (Verify);
//   - the account number in the SignDoc is always 0: icsd has no account
//     numbers, and the Cosmos auth query answers 0 for every account;
//   - at most one fee coin, no fee granter, a fee payer only if it is the
//     signer (checked by the caller, who knows the prefix); the gas limit
//     is not metered (icsd charges no gas) and only bounded by
//     MaxGasLimit, the largest value CometBFT's int64 gas fields hold;
//   - no timeout_height (icsd's ante handler does not see the block height,
//     so a timeout could not be honoured and is refused rather than
//     ignored), no timeout_timestamp, no unordered transactions, no
//     extension options (non-critical ones are ignored, as the SDK does);
//     the memo is kept and bounded by the chain's MaxMemoBytes;
//   - a TxRaw in its canonical encoding (fields 1, 2, 3 in order, each
//     present once per value, no unknown fields), so that one transaction
//     has one hash.
//
// Telling the two envelopes apart: both are protobuf messages whose fields
// 1, 2 and 3 are length-delimited, so wire types do not separate them.
// The native Tx has a 32-byte ed25519 key in field 2 and a 64-byte
// signature in field 3. An SDK TxRaw's field 2 is an AuthInfo that holds a
// SignerInfo with an Any-wrapped secp256k1 key (its type URL alone is 31
// bytes), so it is never 32 bytes long in a transaction this package
// accepts. The rule (auth.DecodeTx) is therefore: a transaction that
// decodes as the native Tx with a 32-byte field 2 and a 64-byte field 3 is
// native; anything else is decoded as an SDK TxRaw. No transaction valid in
// one envelope is read as the other.
package sdktx
