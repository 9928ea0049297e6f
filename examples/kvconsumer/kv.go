package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/state"
)

// The chain's own key-value logic: its transactions, their execution and
// the /kv/KEY query. Everything else in this command is the glue between
// CometBFT, the state and the interchain layer.

// kvStore holds the chain's own data: "d/"+key -> value (and, under "m/",
// the chain id).
const kvStore = "kv"

// KVTx is the chain's own transaction: JSON {"key": K, "value": V}.
type KVTx struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// decodeTx decodes a relay transaction (the interchain layer's format,
// told apart by its prefix) or a key-value write: exactly one object with
// a key of 1 to 256 bytes, a value of at most 4096 and no other field.
func decodeTx(raw []byte) (*interchain.RelayTx, *KVTx, error) {
	tx, ok, err := interchain.DecodeRelayTx(raw)
	if ok {
		if err != nil {
			return nil, nil, err
		}
		return &tx, nil, nil
	}
	var kv KVTx
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	err = d.Decode(&kv)
	if _, end := d.Token(); err == nil && end != io.EOF {
		err = errors.New("data after the object")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("not a relay transaction nor {\"key\",\"value\"}: %w", err)
	}
	if kv.Key == "" || len(kv.Key) > 256 || len(kv.Value) > 4096 {
		return nil, nil, fmt.Errorf("key must be 1 to 256 bytes and value at most 4096")
	}
	return nil, &kv, nil
}

// setKV executes a key-value write.
func setKV(s state.Store, kv *KVTx) *abci.ExecTxResult {
	s.KV(kvStore).Set([]byte("d/"+kv.Key), []byte(kv.Value))
	return &abci.ExecTxResult{Events: []abci.Event{{Type: "kv_set", Attributes: []abci.EventAttribute{{Key: "key", Value: kv.Key, Index: true}}}}}
}

// queryKV answers /kv/KEY: the value, empty when the key was never set.
func queryKV(v *state.View, key string) *abci.ResponseQuery {
	return &abci.ResponseQuery{Key: []byte(key), Value: v.KV(kvStore).Get([]byte("d/" + key))}
}
