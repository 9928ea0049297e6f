// Package fraction is the exact rational number numerator/denominator in
// [0, 1] that the staking, governance and distribution parameters use:
// commission rates, slash fractions, the liveness threshold, quorum and
// thresholds, the community tax.
//
// Fractions are never reduced and never rounded: 5/10 and 1/2 are
// different values of the message that compare equal. Products and
// comparisons are exact (128-bit or arbitrary-precision arithmetic), so
// every node computes the same result.
//
// The text form is a decimal ("0.05", ".5", "1") with at most MaxDecimals
// digits after the point, or a ratio of two unsigned decimal integers
// ("1/20"). String writes the decimal form when the denominator is a power
// of ten and the ratio otherwise, so that Parse(f.String()) returns f.
package fraction
