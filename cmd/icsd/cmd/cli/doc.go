// Package cli holds what every icsd command shares: the --home, --node,
// --timeout, --fee and -o flags, the client a command makes of --node, the
// output in text or JSON, and the way a transaction command signs, sends
// and reports its transaction. The command packages import it; it imports
// none of them.
package cli
