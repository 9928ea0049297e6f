package main

import (
	"strings"
	"testing"

	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/interchain"
)

func TestDecodeTx(t *testing.T) {
	relay, err := interchain.NewRelayTx([]byte("relayer"), &client.MsgUpdateClient{ClientId: "07-tendermint-0"})
	if err != nil {
		t.Fatal(err)
	}
	if r, kv, err := decodeTx(relay); err != nil || kv != nil || r == nil || string(r.Relayer) != "relayer" {
		t.Fatalf("relay tx: %v %v %v", r, kv, err)
	}
	if r, kv, err := decodeTx([]byte(`{"key":"a","value":"b"}`)); err != nil || r != nil || kv.Key != "a" || kv.Value != "b" {
		t.Fatalf("kv tx: %v %v %v", r, kv, err)
	}
	for _, bad := range []string{
		``, `{`, `[]`, `"x"`, `null`, `{"value":"b"}`, `{"key":""}`, `{"key":"a","other":1}`,
		`{"key":"a"} {"key":"b"}`, `{"key":"a"}x`, `{"key":"` + strings.Repeat("k", 257) + `"}`,
		`{"key":"a","value":"` + strings.Repeat("v", 4097) + `"}`, string(interchain.RelayTxPrefix) + "\xff",
	} {
		if _, _, err := decodeTx([]byte(bad)); err == nil {
			t.Errorf("decodeTx(%q) accepted", bad)
		}
	}
}
