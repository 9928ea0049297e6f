package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/abci-ics/ics/interchain"
)

// KVTx is the chain's own transaction: JSON {"key": K, "value": V}.
type KVTx struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// decodeTx decodes a relay transaction (the interchain layer's format,
// told apart by its prefix) or a key-value write.
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
