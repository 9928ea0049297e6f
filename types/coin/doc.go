// Package coin holds the amount of one denomination (Coin), the rules for
// denominations, and the parsing and formatting of coin lists such as
// "10stake,5atom". It is a value type shared by the chain modules, the IBC
// transfer application and the CCV packages; it keeps no state.
package coin
