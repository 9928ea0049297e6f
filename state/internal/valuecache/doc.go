// Package valuecache is the bounded cache of values that package state
// puts in front of each working IAVL tree. The multistore keeps it
// write-through, so it never changes what a read returns, only how fast:
// a hit skips the walk from the tree's root, one node-cache lookup per
// level, which was the largest cost of executing transfers. It holds
// absent keys too, and sheds entries in arbitrary order when over its byte
// budget.
package valuecache
