package valuecache

// Cache keeps recently read and written values of one working tree, so
// that reads of hot keys (accounts and balances touched block after block)
// skip the IAVL traversal, which costs a node-cache lookup per level. It is
// write-through: every Set and Delete on the working tree updates it, so it
// always agrees with the tree. Absent keys are cached too.
//
// The cache is bounded by an approximate byte budget. When an insertion
// would exceed it, about an eighth of the entries, picked by Go's map
// iteration order, are dropped: which entries go changes only speed, never
// a result.
type Cache struct {
	entries map[string][]byte // nil value: the key is absent
	bytes   int
	limit   int
}

// entryOverhead approximates the bytes a map entry costs beyond its
// key and value.
const entryOverhead = 64

// New returns an empty cache with a budget of limit bytes.
func New(limit int) *Cache {
	return &Cache{entries: make(map[string][]byte), limit: limit}
}

// Get returns the cached value of key (nil when the key is absent) and
// whether the key is cached at all.
func (c *Cache) Get(key []byte) ([]byte, bool) {
	v, ok := c.entries[string(key)]
	return v, ok
}

// Put records value (nil for absent) as key's current value. Neither slice
// may be modified afterwards.
func (c *Cache) Put(key, value []byte) {
	size := len(key) + len(value) + entryOverhead
	if size > c.limit/16 {
		// Too large to be worth keeping; make sure no stale copy stays.
		c.remove(key)
		return
	}
	if old, ok := c.entries[string(key)]; ok {
		c.bytes += len(value) - len(old)
		c.entries[string(key)] = value
		return
	}
	if c.bytes+size > c.limit {
		c.shrink()
	}
	c.entries[string(key)] = value
	c.bytes += size
}

func (c *Cache) remove(key []byte) {
	if old, ok := c.entries[string(key)]; ok {
		c.bytes -= len(key) + len(old) + entryOverhead
		delete(c.entries, string(key))
	}
}

// shrink drops about an eighth of the entries.
func (c *Cache) shrink() {
	drop := len(c.entries)/8 + 1
	for k, v := range c.entries {
		if drop == 0 {
			break
		}
		c.bytes -= len(k) + len(v) + entryOverhead
		delete(c.entries, k)
		drop--
	}
}

// Clear empties the cache.
func (c *Cache) Clear() {
	clear(c.entries)
	c.bytes = 0
}
