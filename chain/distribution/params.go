package distribution

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// DefaultParams returns the parameters of a new chain: a community tax of
// 0.02, no inflation, bond denomination "stake".
func DefaultParams() Params {
	return Params{
		CommunityTax: fraction.New(2, 100),
		BondDenom:    "stake",
	}
}

// Validate checks the parameters and returns ErrInvalidParams on failure.
func (p Params) Validate() error {
	if err := p.CommunityTax.Validate(); err != nil {
		return fmt.Errorf("%w: community_tax: %v", ErrInvalidParams, err)
	}
	if err := coin.ValidateDenom(p.BondDenom); err != nil {
		return fmt.Errorf("%w: bond_denom: %v", ErrInvalidParams, err)
	}
	return nil
}

// SetParamJSON sets one distribution parameter from its JSON value;
// register it with gov's RegisterParamSpace("distribution", ...). Keys:
// community_tax ("0.02" or "1/50"), inflation_per_block (a JSON number)
// and bond_denom (a string). It returns ErrUnknownParam for another key
// and ErrInvalidParams for a value that does not decode or makes the
// parameters invalid.
func (k Keeper) SetParamJSON(s state.Store, key, valueJSON string) error {
	p := k.Params(s)
	var err error
	switch key {
	case "community_tax":
		var v string
		if err = decodeJSON(valueJSON, &v); err == nil {
			p.CommunityTax, err = fraction.Parse(v)
		}
	case "inflation_per_block":
		err = decodeJSON(valueJSON, &p.InflationPerBlock)
	case "bond_denom":
		err = decodeJSON(valueJSON, &p.BondDenom)
	default:
		return fmt.Errorf("%w: distribution has no parameter %q", ErrUnknownParam, key)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidParams, key, err)
	}
	return k.SetParams(s, p)
}

// decodeJSON decodes exactly one JSON value of v's type.
func decodeJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
