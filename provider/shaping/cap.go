package shaping

import (
	"math/big"
	"slices"
)

// CapPowers returns a copy of cs, sorted by ConsAddr ascending, with powers
// such that none exceeds capPercent of the total, the excess spread over the
// others in proportion to their powers. A capPercent of 0 or >= 100 leaves
// the powers unchanged.
//
// With T the total power and n the number of validators, the cap is
// C = floor(T*capPercent/100), or ceil(T/n) if n*C < T (then no set of n
// powers could stay under floor(T*capPercent/100)). Validators whose share
// would exceed C get exactly C; the rest of the power is shared by the others
// in proportion to their original powers, rounded down, and the leftover
// units go one each by largest remainder, ties by ConsAddr ascending. This
// repeats until nobody exceeds C.
//
// The total is preserved exactly, nobody ends above C, a validator below C
// never loses power and no positive power becomes 0. Validators with power
// <= 0 are left unchanged and count neither in T nor in n. The arithmetic is
// exact and cannot overflow.
func CapPowers(cs []Candidate, capPercent uint32) []Candidate {
	out := sortedCopy(cs)
	if capPercent == 0 || capPercent >= 100 {
		return out
	}
	var idx []int // positions in out of the validators with positive power
	total := new(big.Int)
	for i, c := range out {
		if c.Power > 0 {
			idx = append(idx, i)
			total.Add(total, big.NewInt(c.Power))
		}
	}
	if len(idx) == 0 {
		return out
	}
	limit := capLimit(total, len(idx), capPercent)

	// Water-fill in exact rationals: a free validator's share is p*rest/weight,
	// where rest is the power left to the free validators and weight is their
	// total original power. Cap everyone whose share exceeds limit, until
	// nobody does. Every share then lies in [p, limit].
	capped := make([]bool, len(idx))
	rest, weight := new(big.Int).Set(total), new(big.Int).Set(total)
	lhs, rhs := new(big.Int), new(big.Int)
	for {
		rhs.Mul(limit, weight)
		var newly []int
		for j, i := range idx {
			if !capped[j] && lhs.Mul(big.NewInt(out[i].Power), rest).Cmp(rhs) > 0 {
				newly = append(newly, j)
			}
		}
		if len(newly) == 0 {
			break
		}
		for _, j := range newly {
			capped[j] = true
			rest.Sub(rest, limit)
			weight.Sub(weight, big.NewInt(out[idx[j]].Power))
		}
	}

	// Round the free shares down, then hand out the leftover units.
	type share struct {
		pos      int // position in out
		quo, rem *big.Int
	}
	var free []share
	given := new(big.Int)
	for j, i := range idx {
		if capped[j] {
			given.Add(given, limit)
			continue
		}
		q, m := new(big.Int).QuoRem(lhs.Mul(big.NewInt(out[i].Power), rest), weight, new(big.Int))
		free = append(free, share{i, q, m})
		given.Add(given, q)
	}
	// free is in ConsAddr order, so a stable sort breaks ties by ConsAddr.
	slices.SortStableFunc(free, func(a, b share) int { return b.rem.Cmp(a.rem) })
	left := int(new(big.Int).Sub(total, given).Int64()) // < len(free)
	for k, s := range free {
		p := s.quo.Int64()
		if k < left {
			p++
		}
		out[s.pos].Power = p
	}
	for j, i := range idx {
		if capped[j] {
			out[i].Power = limit.Int64()
		}
	}
	return out
}

// capLimit returns the per-validator cap for n validators of total power
// total: floor(total*capPercent/100), or ceil(total/n) when that is too small
// for n validators to hold total.
func capLimit(total *big.Int, n int, capPercent uint32) *big.Int {
	bn := big.NewInt(int64(n))
	limit := new(big.Int).Mul(total, big.NewInt(int64(capPercent)))
	limit.Quo(limit, big.NewInt(100))
	if new(big.Int).Mul(limit, bn).Cmp(total) < 0 {
		limit.Add(total, bn)
		limit.Sub(limit, big.NewInt(1))
		limit.Quo(limit, bn)
	}
	return limit
}
