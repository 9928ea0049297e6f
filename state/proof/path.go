package proof

import "strings"

// A raw store read is the ABCI query path "/store/<name>/key" with the key
// as the query's data; with prove set, the answer carries Ops of the
// value's proof. Relayers make these queries to prove IBC state; a chain
// that mounts the interchain layer answers them.

// StorePath returns the query path of raw reads of store name.
func StorePath(name string) string { return "/store/" + name + "/key" }

// ParseStorePath returns the store a raw-read query path names; ok is
// false for any other path.
func ParseStorePath(path string) (name string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/store/")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(rest, "/key")
	return name, ok && name != "" && !strings.Contains(name, "/")
}
