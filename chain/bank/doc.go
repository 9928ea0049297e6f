// Package bank holds balances and the total supply of every denomination,
// and executes MsgSend.
//
// A balance is one leaf per (address, denomination) in the "bank" store,
// except the native denomination's when Keeper.Accounts is set: those live
// in the account records of the auth store, next to the nonce, so that a
// transfer of the native denomination with its fee rewrites one leaf per
// account instead of three leaves (the sender's nonce, the sender's and the
// recipient's balances). The total supply of a denomination is one leaf in
// the bank store. Every change of a balance
// goes through the keeper, which keeps the supply equal to the sum of all
// balances: Send moves coins, Mint and Burn change the supply with them.
//
// Amounts are unsigned 64-bit integers. Every addition is checked for
// overflow and every subtraction for insufficient funds; an operation that
// fails leaves the store unchanged only when the caller runs it on a cache
// that it discards, which is what the application does for every message.
package bank
