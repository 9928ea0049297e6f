// Package auth holds accounts and the transaction envelopes: decoding,
// signatures, nonces and fees.
//
// A transaction is a Tx envelope around the encoded TxBody, which names the
// chain id. The signer signs the body bytes; the envelope carries the
// signer's ed25519 public key, and the signer's address is derived from it
// (package address). Every
// account has a nonce: a transaction must carry exactly the account's nonce,
// which then increases by one, so a transaction can never be replayed.
//
// An account record (one leaf under the account's address) also holds the
// account's balance of the native denomination, the fee denomination of the
// genesis parameters, recorded at genesis and never changed; the keeper
// serves it to the bank keeper as a bank.Accounts. An address gets a record
// when it receives native coins or sends its first transaction, and keeps it.
//
// Checking a transaction has two halves. DecodeTx and VerifySignature are
// stateless and may run in parallel over a whole block. Ante is stateful:
// it checks the nonce and the fee against the account and the parameters,
// takes the fee to the fee collector and increases the nonce. The
// application keeps what Ante wrote even when the transaction's messages
// then fail, so a failed transaction still costs its fee and its nonce.
//
// A second envelope, the Cosmos SDK's TxRaw signed with secp256k1 in
// SIGN_MODE_DIRECT (package sdktx), carries the same messages for stock
// relayers and wallets. DecodeTx tells the two apart (the native Tx is
// recognised by its 32-byte key and 64-byte signature, anything else is
// read as a TxRaw) and gives a DecodedTx of either kind: the SDK
// sequence is the nonce, its one fee coin the fee, and Verify checks its
// signature over the SignDoc with account number 0. Its address is the
// SDK's, ripemd160(sha256(key)). The account record stores the key's
// type beside the key (key_type, whose zero value is ed25519, so native
// records keep their encoding), and an account keeps the type of its
// first transaction. A wrong SDK sequence is a *SequenceError, which the
// application answers with the SDK's own code for relayers to recover.
package auth
