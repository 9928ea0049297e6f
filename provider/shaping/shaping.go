package shaping

import (
	"bytes"
	"cmp"
	"fmt"
	"math/big"
	"slices"
)

// addrLen is the length of a consensus address.
const addrLen = 20

// Candidate is one provider validator as power shaping sees it.
type Candidate struct {
	ConsAddr []byte // provider consensus address (20 bytes), unique
	Power    int64  // consensus power on the provider, > 0 for anything eligible
	Tokens   uint64 // bonded tokens, compared with Rules.MinStake
	Active   bool   // in the provider's own active (CometBFT) set
}

// Rules are a consumer's power-shaping parameters.
type Rules struct {
	TopN               uint32   // 0: opt-in consumer; 50..100: top-N
	ValidatorSetCap    uint32   // 0: none; else at most that many validators
	ValidatorsPowerCap uint32   // 0: none; else 1..100, percent of the consumer's total power
	Allowlist          [][]byte // consensus addresses; empty: everyone allowed
	Denylist           [][]byte
	Prioritylist       [][]byte
	MinStake           uint64
	AllowInactive      bool
}

// Validate checks the rules statelessly: TopN is 0 or 50..100,
// ValidatorsPowerCap <= 100, list entries are 20 bytes, no duplicate within a
// list, an address may not be in both Allowlist and Denylist. The error
// names the offending field.
func (r Rules) Validate() error {
	if r.TopN != 0 && (r.TopN < 50 || r.TopN > 100) {
		return fmt.Errorf("TopN must be 0 or between 50 and 100, got %d", r.TopN)
	}
	if r.ValidatorsPowerCap > 100 {
		return fmt.Errorf("ValidatorsPowerCap must be at most 100, got %d", r.ValidatorsPowerCap)
	}
	lists := []struct {
		name string
		list [][]byte
	}{{"Allowlist", r.Allowlist}, {"Denylist", r.Denylist}, {"Prioritylist", r.Prioritylist}}
	for _, l := range lists {
		seen := make(map[string]int, len(l.list))
		for i, a := range l.list {
			if len(a) != addrLen {
				return fmt.Errorf("%s[%d]: address must be %d bytes, got %d", l.name, i, addrLen, len(a))
			}
			if j, ok := seen[string(a)]; ok {
				return fmt.Errorf("%s[%d]: %X duplicates %s[%d]", l.name, i, a, l.name, j)
			}
			seen[string(a)] = i
		}
	}
	for i, a := range r.Allowlist {
		if j := index(r.Denylist, a); j >= 0 {
			return fmt.Errorf("Allowlist[%d]: %X is also Denylist[%d]", i, a, j)
		}
	}
	return nil
}

// MinPowerInTopN returns the power of the smallest validator in the top
// topN percent of the active power: the largest power p such that the active
// candidates with power >= p hold at least topN percent of the total power
// of the active candidates (exactly: sum*100 >= total*topN). Every validator
// tied at p is therefore included. Only Active candidates with positive power
// count; topN above 100 counts as 100. It returns (0, false) when there is no
// such candidate or topN is 0.
func MinPowerInTopN(candidates []Candidate, topN uint32) (int64, bool) {
	if topN == 0 {
		return 0, false
	}
	topN = min(topN, 100)
	var powers []int64
	total := new(big.Int)
	for _, c := range candidates {
		if c.Active && c.Power > 0 {
			powers = append(powers, c.Power)
			total.Add(total, big.NewInt(c.Power))
		}
	}
	if len(powers) == 0 {
		return 0, false
	}
	slices.SortFunc(powers, func(a, b int64) int { return cmp.Compare(b, a) })
	threshold := total.Mul(total, big.NewInt(int64(topN)))
	sum, scaled, hundred := new(big.Int), new(big.Int), big.NewInt(100)
	for _, p := range powers {
		sum.Add(sum, big.NewInt(p))
		if scaled.Mul(sum, hundred).Cmp(threshold) >= 0 {
			return p, true
		}
	}
	return powers[len(powers)-1], true // not reached: the full sum always suffices
}

// Eligible reports whether c may validate a consumer with rules r regardless
// of opt-in: power > 0, Active or r.AllowInactive, in Allowlist when it is
// non-empty, not in Denylist, Tokens >= MinStake.
func Eligible(c Candidate, r Rules) bool {
	return c.Power > 0 &&
		(c.Active || r.AllowInactive) &&
		(len(r.Allowlist) == 0 || index(r.Allowlist, c.ConsAddr) >= 0) &&
		index(r.Denylist, c.ConsAddr) < 0 &&
		c.Tokens >= r.MinStake
}

// Select returns the consumer's next set: the candidates that are opted in
// (optedIn reports it for a consensus address; nil means everyone is) and
// Eligible, then limited to ValidatorSetCap, then with powers capped by
// ValidatorsPowerCap (CapPowers).
//
// Under the set cap, the selected Prioritylist members come first, in
// Prioritylist order, then the others by power descending, ties by ConsAddr
// ascending; the first ValidatorSetCap are kept (all when it is 0). The
// power cap applies to the total power of the kept validators.
//
// The result holds the shaped powers, is sorted by ConsAddr ascending and
// does not depend on the order of candidates.
func Select(candidates []Candidate, optedIn func(consAddr []byte) bool, r Rules) []Candidate {
	var sel []Candidate
	for _, c := range candidates {
		if Eligible(c, r) && (optedIn == nil || optedIn(c.ConsAddr)) {
			sel = append(sel, c)
		}
	}
	if r.ValidatorSetCap > 0 && len(sel) > int(r.ValidatorSetCap) {
		prio := make(map[string]int, len(r.Prioritylist))
		for i, a := range r.Prioritylist {
			if _, ok := prio[string(a)]; !ok {
				prio[string(a)] = i
			}
		}
		slices.SortFunc(sel, func(a, b Candidate) int {
			pa, aok := prio[string(a.ConsAddr)]
			pb, bok := prio[string(b.ConsAddr)]
			switch {
			case aok && bok && pa != pb:
				return cmp.Compare(pa, pb)
			case aok && !bok:
				return -1
			case bok && !aok:
				return 1
			}
			if c := cmp.Compare(b.Power, a.Power); c != 0 {
				return c
			}
			return compareCandidates(a, b)
		})
		sel = sel[:r.ValidatorSetCap]
	}
	return CapPowers(sel, r.ValidatorsPowerCap)
}

// index returns the position of addr in list, or -1.
func index(list [][]byte, addr []byte) int {
	return slices.IndexFunc(list, func(a []byte) bool { return bytes.Equal(a, addr) })
}

// compareCandidates orders candidates by ConsAddr, then by their other
// fields, so that sorting never depends on the input order.
func compareCandidates(a, b Candidate) int {
	if c := bytes.Compare(a.ConsAddr, b.ConsAddr); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Power, b.Power); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Tokens, b.Tokens); c != 0 {
		return c
	}
	if a.Active == b.Active {
		return 0
	}
	if b.Active {
		return -1
	}
	return 1
}

// sortedCopy returns a deep copy of cs sorted by compareCandidates.
func sortedCopy(cs []Candidate) []Candidate {
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		c.ConsAddr = bytes.Clone(c.ConsAddr)
		out[i] = c
	}
	slices.SortFunc(out, compareCandidates)
	return out
}
