package shaping_test

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/abci-ics/ics/provider/shaping"
)

// addr returns a 20-byte consensus address whose order follows i.
func addr(i int) []byte {
	a := make([]byte, 20)
	binary.BigEndian.PutUint32(a[16:], uint32(i))
	return a
}

// vals returns active candidates addr(0), addr(1), ... with the given powers
// and 1000 tokens each.
func vals(powers ...int64) []shaping.Candidate {
	cs := make([]shaping.Candidate, len(powers))
	for i, p := range powers {
		cs[i] = shaping.Candidate{ConsAddr: addr(i), Power: p, Tokens: 1000, Active: true}
	}
	return cs
}

func powersOf(cs []shaping.Candidate) []int64 {
	ps := make([]int64, len(cs))
	for i, c := range cs {
		ps[i] = c.Power
	}
	return ps
}

func deepCopy(cs []shaping.Candidate) []shaping.Candidate {
	out := slices.Clone(cs)
	for i := range out {
		out[i].ConsAddr = bytes.Clone(out[i].ConsAddr)
	}
	return out
}

func TestCapPowers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		powers []int64
		cap    uint32
		want   []int64
	}{
		{"cap 34 over 50/30/20", []int64{50, 30, 20}, 34, []int64{34, 34, 32}},
		{"input order does not matter", []int64{20, 50, 30}, 34, []int64{32, 34, 34}},
		{"largest remainder ties by address", []int64{70, 10, 10, 10}, 50, []int64{50, 17, 17, 16}},
		{"infeasible cap becomes ceil(T/n)", []int64{90, 10}, 30, []int64{50, 50}},
		{"infeasible cap with rounding", []int64{98, 1, 1}, 10, []int64{34, 33, 33}},
		{"nobody above cap", []int64{25, 25, 25, 25}, 30, []int64{25, 25, 25, 25}},
		{"single validator", []int64{7}, 1, []int64{7}},
		{"cap 0 leaves powers", []int64{90, 10}, 0, []int64{90, 10}},
		{"cap 100 leaves powers", []int64{90, 10}, 100, []int64{90, 10}},
		{"zero power ignored", []int64{100, 0, 0}, 34, []int64{100, 0, 0}},
		{"zero power stays zero", []int64{60, 0, 40, 0}, 50, []int64{50, 0, 50, 0}},
		{"second round caps a smaller validator", []int64{60, 20, 10, 10}, 25, []int64{25, 25, 25, 25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := vals(tc.powers...)
			orig := deepCopy(in)
			out := shaping.CapPowers(in, tc.cap)
			if got := powersOf(out); !slices.Equal(got, tc.want) {
				t.Fatalf("powers = %v, want %v", got, tc.want)
			}
			if !reflect.DeepEqual(in, orig) {
				t.Fatal("input modified")
			}
			checkCapInvariants(t, in, out, tc.cap)
		})
	}
}

func TestCapPowersUnsortedInput(t *testing.T) {
	in := []shaping.Candidate{
		{ConsAddr: addr(2), Power: 20},
		{ConsAddr: addr(0), Power: 50},
		{ConsAddr: addr(1), Power: 30},
	}
	out := shaping.CapPowers(in, 34)
	want := []shaping.Candidate{
		{ConsAddr: addr(0), Power: 34},
		{ConsAddr: addr(1), Power: 34},
		{ConsAddr: addr(2), Power: 32},
	}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("got %v, want %v", out, want)
	}
	out[0].ConsAddr[19] = 0xff
	if in[1].ConsAddr[19] != 0 {
		t.Fatal("result shares memory with the input")
	}
}

func TestMinPowerInTopN(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cs     []shaping.Candidate
		topN   uint32
		want   int64
		wantOK bool
	}{
		{"67 over 40/30/20/10", vals(40, 30, 20, 10), 67, 30, true},
		{"70 exactly reached", vals(40, 30, 20, 10), 70, 30, true},
		{"71 needs the next", vals(40, 30, 20, 10), 71, 20, true},
		{"50 over 40/30/20/10", vals(40, 30, 20, 10), 50, 30, true},
		{"100 includes everyone", vals(40, 30, 20, 10), 100, 10, true},
		{"ties included", vals(40, 20, 20, 20), 50, 20, true},
		{"input order does not matter", vals(10, 20, 40, 30), 67, 30, true},
		{"topN 0", vals(40, 30), 0, 0, false},
		{"no candidate", nil, 67, 0, false},
		{"topN above 100 counts as 100", vals(40, 30, 20, 10), 150, 10, true},
		{"inactive ignored", append(vals(40, 30, 20, 10),
			shaping.Candidate{ConsAddr: addr(9), Power: 1000}), 67, 30, true},
		{"no active candidate", []shaping.Candidate{{ConsAddr: addr(0), Power: 10}}, 67, 0, false},
		{"non-positive power ignored", vals(40, 30, 20, 10, 0, -5), 100, 10, true},
		{"huge powers", vals(1<<62, 1<<62, 1<<62, 1), 67, 1 << 62, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := shaping.MinPowerInTopN(tc.cs, tc.topN)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("got (%d, %v), want (%d, %v)", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestEligible(t *testing.T) {
	c := shaping.Candidate{ConsAddr: addr(1), Power: 10, Tokens: 100, Active: true}
	inactive := c
	inactive.Active = false
	zero := c
	zero.Power = 0
	for _, tc := range []struct {
		name string
		c    shaping.Candidate
		r    shaping.Rules
		want bool
	}{
		{"no rules", c, shaping.Rules{}, true},
		{"zero power", zero, shaping.Rules{}, false},
		{"inactive", inactive, shaping.Rules{}, false},
		{"inactive allowed", inactive, shaping.Rules{AllowInactive: true}, true},
		{"in allowlist", c, shaping.Rules{Allowlist: [][]byte{addr(2), addr(1)}}, true},
		{"not in allowlist", c, shaping.Rules{Allowlist: [][]byte{addr(2)}}, false},
		{"in denylist", c, shaping.Rules{Denylist: [][]byte{addr(1)}}, false},
		{"not in denylist", c, shaping.Rules{Denylist: [][]byte{addr(2)}}, true},
		{"min stake met", c, shaping.Rules{MinStake: 100}, true},
		{"min stake missed", c, shaping.Rules{MinStake: 101}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shaping.Eligible(tc.c, tc.r); got != tc.want {
				t.Fatalf("Eligible = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	all := func([]byte) bool { return true }
	base := vals(50, 30, 20, 10) // addr(0)..addr(3)
	for _, tc := range []struct {
		name    string
		cs      []shaping.Candidate
		optedIn func([]byte) bool
		r       shaping.Rules
		want    []shaping.Candidate
	}{
		{"everyone", base, all, shaping.Rules{}, base},
		{"nil optedIn means everyone", base, nil, shaping.Rules{}, base},
		{"opt-in only", base, func(a []byte) bool { return a[19]%2 == 1 }, shaping.Rules{},
			[]shaping.Candidate{base[1], base[3]}},
		{"set cap keeps the highest", base, all, shaping.Rules{ValidatorSetCap: 2},
			[]shaping.Candidate{base[0], base[1]}},
		{"set cap with prioritylist", base, all,
			shaping.Rules{ValidatorSetCap: 2, Prioritylist: [][]byte{addr(3)}},
			[]shaping.Candidate{base[0], base[3]}},
		{"prioritylist order", base, all,
			shaping.Rules{ValidatorSetCap: 2, Prioritylist: [][]byte{addr(9), addr(3), addr(2), addr(1)}},
			[]shaping.Candidate{base[2], base[3]}},
		{"set cap ties by address", vals(10, 20, 20, 20), all, shaping.Rules{ValidatorSetCap: 2},
			vals(10, 20, 20, 20)[1:3]},
		{"set cap above size", base, all, shaping.Rules{ValidatorSetCap: 10}, base},
		{"allowlist", base, all, shaping.Rules{Allowlist: [][]byte{addr(0), addr(2), addr(3)}},
			[]shaping.Candidate{base[0], base[2], base[3]}},
		{"denylist", base, all, shaping.Rules{Denylist: [][]byte{addr(1)}},
			[]shaping.Candidate{base[0], base[2], base[3]}},
		{"min stake", append(vals(50, 30, 20), shaping.Candidate{ConsAddr: addr(3), Power: 10, Tokens: 999, Active: true}),
			all, shaping.Rules{MinStake: 1000}, vals(50, 30, 20)},
		{"inactive excluded", append(vals(50, 30, 20), shaping.Candidate{ConsAddr: addr(3), Power: 10, Tokens: 1000}),
			all, shaping.Rules{}, vals(50, 30, 20)},
		{"inactive allowed", append(vals(50, 30, 20), shaping.Candidate{ConsAddr: addr(3), Power: 10, Tokens: 1000}),
			all, shaping.Rules{AllowInactive: true},
			append(vals(50, 30, 20), shaping.Candidate{ConsAddr: addr(3), Power: 10, Tokens: 1000})},
		{"power cap", vals(50, 30, 20), all, shaping.Rules{ValidatorsPowerCap: 34}, vals(34, 34, 32)},
		{"power cap after set cap", base, all, shaping.Rules{ValidatorSetCap: 3, ValidatorsPowerCap: 34},
			vals(34, 34, 32)},
		{"nobody", base, func([]byte) bool { return false }, shaping.Rules{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := deepCopy(tc.cs)
			slices.Reverse(in)
			got := shaping.Select(in, tc.optedIn, tc.r)
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	a, b := addr(1), addr(2)
	for _, tc := range []struct {
		name  string
		r     shaping.Rules
		field string // "" if valid
	}{
		{"zero", shaping.Rules{}, ""},
		{"full", shaping.Rules{TopN: 100, ValidatorSetCap: 5, ValidatorsPowerCap: 100,
			Allowlist: [][]byte{a}, Denylist: [][]byte{b}, Prioritylist: [][]byte{a, b}, MinStake: 7}, ""},
		{"top 50", shaping.Rules{TopN: 50}, ""},
		{"power cap 1", shaping.Rules{ValidatorsPowerCap: 1}, ""},
		{"top 1", shaping.Rules{TopN: 1}, "TopN"},
		{"top 49", shaping.Rules{TopN: 49}, "TopN"},
		{"top 101", shaping.Rules{TopN: 101}, "TopN"},
		{"power cap 101", shaping.Rules{ValidatorsPowerCap: 101}, "ValidatorsPowerCap"},
		{"duplicate allow", shaping.Rules{Allowlist: [][]byte{a, b, a}}, "Allowlist[2]"},
		{"duplicate deny", shaping.Rules{Denylist: [][]byte{b, b}}, "Denylist[1]"},
		{"duplicate priority", shaping.Rules{Prioritylist: [][]byte{a, a}}, "Prioritylist[1]"},
		{"short address", shaping.Rules{Allowlist: [][]byte{a[:19]}}, "Allowlist[0]"},
		{"long address", shaping.Rules{Denylist: [][]byte{append(bytes.Clone(a), 0)}}, "Denylist[0]"},
		{"empty address", shaping.Rules{Prioritylist: [][]byte{a, {}}}, "Prioritylist[1]"},
		{"allow and deny", shaping.Rules{Allowlist: [][]byte{b, a}, Denylist: [][]byte{a}}, "Allowlist[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.field != "" && err == nil:
				t.Fatalf("no error, want one naming %s", tc.field)
			case tc.field != "" && !strings.Contains(err.Error(), tc.field):
				t.Fatalf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

// capLimit computes the cap that CapPowers must respect, independently.
func capLimit(in []shaping.Candidate, capPercent uint32) (total *big.Int, limit *big.Int) {
	total = new(big.Int)
	n := int64(0)
	for _, c := range in {
		if c.Power > 0 {
			total.Add(total, big.NewInt(c.Power))
			n++
		}
	}
	limit = new(big.Int).Mul(total, big.NewInt(int64(capPercent)))
	limit.Div(limit, big.NewInt(100))
	if n > 0 && new(big.Int).Mul(limit, big.NewInt(n)).Cmp(total) < 0 {
		limit.Add(total, big.NewInt(n-1))
		limit.Div(limit, big.NewInt(n))
	}
	return total, limit
}

// checkCapInvariants checks out = CapPowers(in, capPercent).
func checkCapInvariants(t testing.TB, in, out []shaping.Candidate, capPercent uint32) {
	t.Helper()
	if len(out) != len(in) {
		t.Fatalf("len %d, want %d", len(out), len(in))
	}
	for i := 1; i < len(out); i++ {
		if bytes.Compare(out[i-1].ConsAddr, out[i].ConsAddr) > 0 {
			t.Fatalf("not sorted at %d", i)
		}
	}
	// Match each output to its input by address (addresses are unique here).
	byAddr := make(map[string]int64, len(in))
	for _, c := range in {
		byAddr[string(c.ConsAddr)] = c.Power
	}
	total, limit := capLimit(in, capPercent)
	noCap := capPercent == 0 || capPercent >= 100
	sum := new(big.Int)
	for _, c := range out {
		p, ok := byAddr[string(c.ConsAddr)]
		if !ok {
			t.Fatalf("unknown address %X", c.ConsAddr)
		}
		if p <= 0 || noCap {
			if c.Power != p {
				t.Fatalf("%X: power %d changed to %d", c.ConsAddr, p, c.Power)
			}
			continue
		}
		sum.Add(sum, big.NewInt(c.Power))
		if c.Power <= 0 {
			t.Fatalf("%X: positive power %d became %d", c.ConsAddr, p, c.Power)
		}
		if big.NewInt(c.Power).Cmp(limit) > 0 {
			t.Fatalf("%X: power %d above cap %v", c.ConsAddr, c.Power, limit)
		}
		if big.NewInt(p).Cmp(limit) <= 0 && c.Power < p {
			t.Fatalf("%X: uncapped power %d lowered to %d (cap %v)", c.ConsAddr, p, c.Power, limit)
		}
	}
	if !noCap && sum.Cmp(total) != 0 {
		t.Fatalf("total %v, want %v", sum, total)
	}
}

// randomPower draws powers over many orders of magnitude, with frequent ties.
func randomPower(rng *rand.Rand) int64 {
	if rng.IntN(4) == 0 {
		return []int64{1, 2, 10, 1000}[rng.IntN(4)]
	}
	exp := rng.IntN(13)
	max := int64(1)
	for range exp {
		max *= 10
	}
	return 1 + rng.Int64N(max)
}

func shuffled(rng *rand.Rand, cs []shaping.Candidate) []shaping.Candidate {
	out := deepCopy(cs)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestCapPowersProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(60)
		in := make([]shaping.Candidate, n)
		for i := range in {
			in[i] = shaping.Candidate{ConsAddr: addr(rng.IntN(1 << 30)), Power: randomPower(rng)}
		}
		in = uniqueAddrs(in)
		capPercent := uint32(1 + rng.IntN(100))
		orig := deepCopy(in)
		out := shaping.CapPowers(in, capPercent)
		if !reflect.DeepEqual(in, orig) {
			t.Fatal("input modified")
		}
		checkCapInvariants(t, in, out, capPercent)
		if again := shaping.CapPowers(shuffled(rng, in), capPercent); !reflect.DeepEqual(again, out) {
			t.Fatalf("result depends on input order:\n%v\n%v", powersOf(out), powersOf(again))
		}
	}
}

func uniqueAddrs(cs []shaping.Candidate) []shaping.Candidate {
	seen := map[string]bool{}
	return slices.DeleteFunc(cs, func(c shaping.Candidate) bool {
		dup := seen[string(c.ConsAddr)]
		seen[string(c.ConsAddr)] = true
		return dup
	})
}

func TestSelectProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(cs []shaping.Candidate, prob int) [][]byte {
		var l [][]byte
		for _, c := range cs {
			if rng.IntN(100) < prob {
				l = append(l, c.ConsAddr)
			}
		}
		rng.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		return l
	}
	for range 2000 {
		n := 1 + rng.IntN(60)
		cs := make([]shaping.Candidate, n)
		for i := range cs {
			power := randomPower(rng)
			if rng.IntN(10) == 0 {
				power = 0
			}
			cs[i] = shaping.Candidate{ConsAddr: addr(i * 7), Power: power,
				Tokens: uint64(rng.IntN(1000)), Active: rng.IntN(4) != 0}
		}
		r := shaping.Rules{
			ValidatorSetCap:    uint32(rng.IntN(n + 5)),
			ValidatorsPowerCap: uint32(rng.IntN(101)),
			Denylist:           pick(cs, 10),
			Prioritylist:       pick(cs, 15),
			MinStake:           uint64(rng.IntN(200)),
			AllowInactive:      rng.IntN(2) == 0,
		}
		if rng.IntN(2) == 0 {
			r.Allowlist = slices.DeleteFunc(pick(cs, 80), func(a []byte) bool {
				return slices.ContainsFunc(r.Denylist, func(d []byte) bool { return bytes.Equal(a, d) })
			})
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("random rules invalid: %v", err)
		}
		opted := map[string]bool{}
		for _, c := range cs {
			opted[string(c.ConsAddr)] = rng.IntN(5) != 0
		}
		optedIn := func(a []byte) bool { return opted[string(a)] }

		orig := deepCopy(cs)
		out := shaping.Select(cs, optedIn, r)
		if !reflect.DeepEqual(cs, orig) {
			t.Fatal("input modified")
		}
		byAddr := map[string]shaping.Candidate{}
		var want []shaping.Candidate // opted-in eligible
		for _, c := range cs {
			byAddr[string(c.ConsAddr)] = c
			if opted[string(c.ConsAddr)] && shaping.Eligible(c, r) {
				want = append(want, c)
			}
		}
		wantLen := len(want)
		if r.ValidatorSetCap > 0 {
			wantLen = min(wantLen, int(r.ValidatorSetCap))
		}
		if len(out) != wantLen {
			t.Fatalf("len %d, want %d", len(out), wantLen)
		}
		var kept []shaping.Candidate
		for i, c := range out {
			if i > 0 && bytes.Compare(out[i-1].ConsAddr, c.ConsAddr) >= 0 {
				t.Fatalf("not strictly sorted at %d", i)
			}
			o, ok := byAddr[string(c.ConsAddr)]
			if !ok || !opted[string(c.ConsAddr)] || !shaping.Eligible(o, r) {
				t.Fatalf("%X selected but not opted in and eligible", c.ConsAddr)
			}
			if c.Tokens != o.Tokens || c.Active != o.Active {
				t.Fatalf("%X: fields changed", c.ConsAddr)
			}
			kept = append(kept, o)
		}
		checkCapInvariants(t, kept, out, r.ValidatorsPowerCap)
		// Prioritylist members are kept before anyone else.
		if len(out) < len(want) {
			inOut := map[string]bool{}
			for _, c := range out {
				inOut[string(c.ConsAddr)] = true
			}
			for _, c := range want {
				if inOut[string(c.ConsAddr)] {
					continue
				}
				if slices.ContainsFunc(r.Prioritylist, func(a []byte) bool { return bytes.Equal(a, c.ConsAddr) }) {
					// Dropped priority member: everyone kept must be prioritised too.
					for _, k := range kept {
						if !slices.ContainsFunc(r.Prioritylist, func(a []byte) bool { return bytes.Equal(a, k.ConsAddr) }) {
							t.Fatalf("priority %X dropped while %X kept", c.ConsAddr, k.ConsAddr)
						}
					}
				}
			}
		}
		if again := shaping.Select(shuffled(rng, cs), optedIn, r); !reflect.DeepEqual(again, out) {
			t.Fatal("result depends on input order")
		}
	}
}

func FuzzCapPowers(f *testing.F) {
	f.Add([]byte{34, 0, 50, 30, 20})
	f.Add([]byte{50, 0, 70, 10, 10, 10})
	f.Add([]byte{10, 7, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 1, 0, 0, 5, 0, 9, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		capPercent := uint32(data[0]) % 101
		size := 1 + int(data[1])%8 // bytes per power
		data = data[2:]
		var in []shaping.Candidate
		for i := 0; len(data) > 0 && i < 100; i++ {
			k := min(size, len(data))
			var buf [8]byte
			copy(buf[8-k:], data[:k])
			data = data[k:]
			p := int64(binary.BigEndian.Uint64(buf[:]) & (1<<63 - 1))
			in = append(in, shaping.Candidate{ConsAddr: addr(i), Power: p})
		}
		out := shaping.CapPowers(in, capPercent)
		checkCapInvariants(t, in, out, capPercent)
		rev := deepCopy(in)
		slices.Reverse(rev)
		if again := shaping.CapPowers(rev, capPercent); !reflect.DeepEqual(again, out) {
			t.Fatal("result depends on input order")
		}
	})
}

func BenchmarkSelect(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	cs := make([]shaping.Candidate, 200)
	for i := range cs {
		cs[i] = shaping.Candidate{ConsAddr: addr(i), Power: 1 + rng.Int64N(1e9), Tokens: 1000, Active: i < 180}
	}
	r := shaping.Rules{
		ValidatorSetCap:    150,
		ValidatorsPowerCap: 5,
		Denylist:           [][]byte{addr(3), addr(30), addr(60)},
		Prioritylist:       [][]byte{addr(199), addr(100), addr(50), addr(10), addr(1)},
		MinStake:           500,
		AllowInactive:      true,
	}
	optedIn := func(a []byte) bool { return a[19]%10 != 0 }
	b.ReportAllocs()
	for b.Loop() {
		shaping.Select(cs, optedIn, r)
	}
}
