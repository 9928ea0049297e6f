// Package auth holds accounts and the transaction envelope: decoding,
// ed25519 signatures, nonces and fees.
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
package auth
