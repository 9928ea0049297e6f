package valnet

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Testnet is a set of node homes under one directory, one per validator,
// written by `icsd testnet init`.
type Testnet struct {
	Dir   string
	Homes []string // sorted: node0, node1, ...
}

// Load finds the node homes under dir.
func Load(dir string) (*Testnet, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "node*", "config", "genesis.json"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no node homes under %s: run icsd testnet init first", dir)
	}
	t := &Testnet{Dir: dir}
	for _, m := range matches {
		t.Homes = append(t.Homes, filepath.Dir(filepath.Dir(m)))
	}
	sort.Slice(t.Homes, func(i, j int) bool { return nodeIndex(t.Homes[i]) < nodeIndex(t.Homes[j]) })
	return t, nil
}

func nodeIndex(home string) int {
	var i int
	fmt.Sscanf(strings.TrimPrefix(filepath.Base(home), "node"), "%d", &i)
	return i
}
