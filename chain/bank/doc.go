// Package bank holds balances and the total supply of every denomination,
// and executes MsgSend.
//
// A balance is one leaf per (address, denomination) in the "bank" store; the
// total supply of a denomination is one leaf too. Every change of a balance
// goes through the keeper, which keeps the supply equal to the sum of all
// balances: Send moves coins, Mint and Burn change the supply with them.
//
// Amounts are unsigned 64-bit integers. Every addition is checked for
// overflow and every subtraction for insufficient funds; an operation that
// fails leaves the store unchanged only when the caller runs it on a cache
// that it discards, which is what the application does for every message.
package bank
