package prune

import (
	"slices"
	"testing"

	"github.com/abci-ics/ics/state/internal/record"
)

func TestTargets(t *testing.T) {
	h := record.History{
		Genesis: []string{"auth", "bank", "gov"},
		Upgrades: []record.Upgrade{
			{Version: 5, Added: []string{"ibc"}, Removed: []string{"gov"}}, // gov lives up to 4
			{Version: 9, Added: []string{"late"}},
		},
	}
	cases := []struct {
		to   int64
		want []Target
	}{
		{1, []Target{{"auth", 1}, {"bank", 1}, {"gov", 1}}},
		{3, []Target{{"auth", 3}, {"bank", 3}, {"gov", 3}}},
		// gov keeps its last version, 4; ibc starts at 5.
		{4, []Target{{"auth", 4}, {"bank", 4}, {"gov", 3}}},
		{7, []Target{{"auth", 7}, {"bank", 7}, {"gov", 3}, {"ibc", 7}}},
		{9, []Target{{"auth", 9}, {"bank", 9}, {"gov", 3}, {"ibc", 9}, {"late", 9}}},
	}
	for _, tc := range cases {
		if got := Targets(h, tc.to); !slices.Equal(got, tc.want) {
			t.Errorf("Targets(%d) = %v, want %v", tc.to, got, tc.want)
		}
	}
}
