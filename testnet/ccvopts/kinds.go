package ccvopts

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ConsumerKind says how a consumer of a CCV testnet is created and which
// provider validators validate it.
//
// A top-N consumer (TopN > 0) is created by a ConsumerAdditionProposal with
// PowerShaping.TopN = TopN: every validator in the top TopN% of the power
// must validate it, and the testnet runs a node for each validator in its
// consumer genesis (all of them with 100).
//
// An opt-in consumer (TopN 0) is created with MsgCreateConsumer by the
// testnet's owner account, an ordinary funded account that is not a
// validator, with its spawn time set; the validators listed in OptIn opt
// in (MsgOptIn, with their assigned consumer key when the consumer uses
// assigned keys) before the launch, and only they run a node on it. Any
// other validator runs nothing for it until it opts in while the testnet
// runs (testnet.CCVTestnet.OptIn).
type ConsumerKind struct {
	TopN  uint32
	OptIn []int // provider validator indices, with TopN 0
}

// TopN returns the kind of a top-N consumer.
func TopN(n uint32) ConsumerKind { return ConsumerKind{TopN: n} }

// OptIn returns the kind of an opt-in consumer that validators opt in to
// before its launch.
func OptIn(validators ...int) ConsumerKind { return ConsumerKind{OptIn: validators} }

// IsOptIn says whether the consumer is an opt-in one.
func (k ConsumerKind) IsOptIn() bool { return k.TopN == 0 }

// String returns the kind as --consumer-kinds spells it: "top-n:100",
// "opt-in:0+1".
func (k ConsumerKind) String() string {
	if !k.IsOptIn() {
		return fmt.Sprintf("top-n:%d", k.TopN)
	}
	parts := make([]string, len(k.OptIn))
	for i, v := range k.OptIn {
		parts[i] = strconv.Itoa(v)
	}
	return "opt-in:" + strings.Join(parts, "+")
}

// Describe names the kind in progress output: "top-N 100", "opt-in".
func (k ConsumerKind) Describe() string {
	if k.IsOptIn() {
		return "opt-in"
	}
	return fmt.Sprintf("top-N %d", k.TopN)
}

// ParseConsumerKinds reads a --consumer-kinds list, for example
// "top-n:100,opt-in:0+1": the j-th entry is consumer j's kind, "top-n:N"
// with N from 50 to 100, or "opt-in:" followed by the indices of the
// validators that opt in before the launch, joined with "+" (at least
// one, no repeats). The empty string is the empty list.
func ParseConsumerKinds(s string) ([]ConsumerKind, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []ConsumerKind
	for j, entry := range strings.Split(s, ",") {
		k, err := parseConsumerKind(strings.TrimSpace(entry))
		if err != nil {
			return nil, fmt.Errorf("consumer kind %d %q: %w (want top-n:N or opt-in:I+J+...)", j+1, entry, err)
		}
		out = append(out, k)
	}
	return out, nil
}

func parseConsumerKind(s string) (ConsumerKind, error) {
	name, arg, ok := strings.Cut(s, ":")
	if !ok {
		return ConsumerKind{}, errors.New("no colon")
	}
	switch strings.ToLower(name) {
	case "top-n":
		n, err := strconv.ParseUint(arg, 10, 32)
		if err != nil || n < 50 || n > 100 {
			return ConsumerKind{}, fmt.Errorf("N must be 50 to 100, got %q", arg)
		}
		return TopN(uint32(n)), nil
	case "opt-in":
		if arg == "" {
			return ConsumerKind{}, errors.New("no validator opts in, so the consumer would never launch")
		}
		var vals []int
		for _, v := range strings.Split(arg, "+") {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 {
				return ConsumerKind{}, fmt.Errorf("validator %q is not an index from 0", v)
			}
			vals = append(vals, i)
		}
		return OptIn(vals...), nil
	}
	return ConsumerKind{}, fmt.Errorf("unknown kind %q", name)
}

// validate checks consumer j's kind against the number of validators.
func (k ConsumerKind) validate(j, validators int) error {
	if !k.IsOptIn() {
		if k.TopN < 50 || k.TopN > 100 {
			return fmt.Errorf("%s (%s): N must be 50 to 100", ConsumerChainID(j), k)
		}
		if len(k.OptIn) > 0 {
			return fmt.Errorf("%s (%s): a top-N consumer lists no opt-in validators", ConsumerChainID(j), k)
		}
		return nil
	}
	if len(k.OptIn) == 0 {
		return fmt.Errorf("%s (opt-in): no validator opts in, so it would never launch", ConsumerChainID(j))
	}
	for n, i := range k.OptIn {
		if i < 0 || i >= validators {
			return fmt.Errorf("%s (%s): there is no validator %d (validators are 0 to %d)", ConsumerChainID(j), k, i, validators-1)
		}
		if slices.Contains(k.OptIn[:n], i) {
			return fmt.Errorf("%s (%s): validator %d listed twice", ConsumerChainID(j), k, i)
		}
	}
	return nil
}
