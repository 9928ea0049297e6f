package transfer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/abci-ics/ics/types/coin"
)

// tracePrefix is the prefix a hop over (portID, channelID) puts in front of
// a denomination.
func tracePrefix(portID, channelID string) string { return portID + "/" + channelID + "/" }

// VoucherDenom returns the denomination this chain mints for a packet
// denomination received on (portID, channelID), the receiving end.
func VoucherDenom(portID, channelID, packetDenom string) string {
	return tracePrefix(portID, channelID) + packetDenom
}

// isChannelID reports whether id is a channel identifier "channel-N" with N
// a decimal number without leading zeros that fits 64 bits.
func isChannelID(id string) bool {
	n, ok := strings.CutPrefix(id, "channel-")
	if !ok || n == "" || len(n) > 1 && n[0] == '0' {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseUint(n, 10, 64)
	return err == nil
}

// SplitDenom splits a denomination into its path, the leading
// "port/channel-N" hops joined by '/', and its base denomination, the rest.
// A hop is taken only when at least one segment follows it, so the base is
// never empty for a denomination without empty segments. A native
// denomination has an empty path and is its own base.
func SplitDenom(denom string) (path, base string) {
	segs := strings.Split(denom, "/")
	i := 0
	for i+2 < len(segs) && segs[i] != "" && isChannelID(segs[i+1]) {
		i += 2
	}
	return strings.Join(segs[:i], "/"), strings.Join(segs[i:], "/")
}

// checkDenom checks a denomination a packet carries or a transfer sends: a
// valid bank denomination without empty '/'-separated segments.
func checkDenom(d string) error {
	if err := coin.ValidateDenom(d); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidDenom, err)
	}
	if strings.Contains(d, "//") || strings.HasSuffix(d, "/") {
		return fmt.Errorf("%w: %q has an empty path segment", ErrInvalidDenom, d)
	}
	return nil
}

// parseAmount parses a packet amount: a positive decimal integer without
// sign or leading zeros that fits 64 bits.
func parseAmount(s string) (uint64, error) {
	if s == "" || len(s) > 20 || s[0] == '0' {
		return 0, fmt.Errorf("%w: %q is not a positive integer", ErrInvalidAmount, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: %q is not a positive integer", ErrInvalidAmount, s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q does not fit 64 bits", ErrInvalidAmount, s)
	}
	return v, nil
}
