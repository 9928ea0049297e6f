package state

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"
)

const (
	benchKeys      = 100_000
	benchBlockSize = 2_000
)

// BenchmarkBlocks measures block execution plus commit on goleveldb: a state
// of 100k keys spread over six stores, and per block (one benchmark
// iteration) 2,000 random keys that are read, written and read again,
// followed by Commit. It compares iavl fast storage on/off and concurrent
// versus serial tree saving; the writes/s metric counts leaf writes.
func BenchmarkBlocks(b *testing.B) {
	for _, fast := range []bool{false, true} {
		for _, serial := range []bool{false, true} {
			name := fmt.Sprintf("faststorage=%v/save=%s", fast, map[bool]string{false: "concurrent", true: "serial"}[serial])
			b.Run(name, func(b *testing.B) {
				benchBlocks(b, Options{fastStorage: fast, serialSave: serial})
			})
		}
	}
}

func benchBlocks(b *testing.B, opts Options) {
	db, err := dbm.NewGoLevelDB("bench", b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m, err := Open(db, testNames, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	keys := make([][]byte, benchKeys)
	stores := make([]KVStore, benchKeys)
	for i := range keys {
		h := sha256.Sum256(k("%d", i))
		keys[i] = h[:20]
		stores[i] = m.Working().KV(testNames[i%len(testNames)])
	}
	value := func(rng *rand.Rand) []byte {
		v := make([]byte, 32)
		for j := range v {
			v[j] = byte(rng.Uint32())
		}
		return v
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range keys {
		stores[i].Set(keys[i], value(rng))
		if (i+1)%20_000 == 0 {
			mustCommit(b, m)
		}
	}
	batch := make([]int, benchBlockSize)
	var commitTime time.Duration
	b.ResetTimer()
	for range b.N {
		for j := range batch {
			batch[j] = rng.IntN(benchKeys)
			i := batch[j]
			if stores[i].Get(keys[i]) == nil {
				b.Fatal("missing key")
			}
			stores[i].Set(keys[i], value(rng))
		}
		for _, i := range batch {
			if stores[i].Get(keys[i]) == nil {
				b.Fatal("missing key")
			}
		}
		start := time.Now()
		mustCommit(b, m)
		commitTime += time.Since(start)
	}
	b.ReportMetric(float64(b.N*benchBlockSize)/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(commitTime.Milliseconds())/float64(b.N), "commit-ms/op")
}

// BenchmarkCacheSetGet measures the Cache hot path: a Set and a Get of a
// key buffered in the Cache, and a Get that falls through to the parent.
func BenchmarkCacheSetGet(b *testing.B) {
	m, _ := openMem(b, Options{})
	for i := range 1000 {
		m.Working().KV("bank").Set(k("p%04d", i), []byte("value"))
	}
	mustCommit(b, m)
	c := NewCache(m.Working())
	keys := make([][]byte, 1000)
	for i := range keys {
		keys[i] = k("c%04d", i)
	}
	val := []byte("value")
	b.ResetTimer()
	for i := range b.N {
		kv := c.KV("bank")
		key := keys[i%len(keys)]
		kv.Set(key, val)
		_ = kv.Get(key)
	}
}
