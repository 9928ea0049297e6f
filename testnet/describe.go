package testnet

import (
	"fmt"
	"strconv"
	"strings"
)

// describeValidators lists validator indices for progress output:
// "validators 0, 1", "validator 2", "no validator".
func describeValidators(vals []int) string {
	switch len(vals) {
	case 0:
		return "no validator"
	case 1:
		return fmt.Sprintf("validator %d", vals[0])
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strconv.Itoa(v)
	}
	return "validators " + strings.Join(parts, ", ")
}
