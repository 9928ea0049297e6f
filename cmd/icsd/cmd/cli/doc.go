// Package cli holds what every icsd command shares: the --home, --node,
// --timeout, --fee and -o flags, the client a command makes of --node, the
// output in text or JSON, and the way a transaction command signs, sends
// and reports its transaction. keyring.go opens the keyring of --home with
// its passphrase (--keyring-passphrase-file, $ICSD_KEYRING_PASSPHRASE or
// a prompt on a terminal) and picks a transaction's signing key from
// --from or the positional KEY. The command packages import it; it imports
// none of them.
package cli
