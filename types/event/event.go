// Package event builds the ABCI events the modules return: a type and
// key/value attributes, every attribute indexed so that relayers and
// clients can search by it.
package event

import abci "github.com/cometbft/cometbft/abci/types"

// New returns an event of type typ with the attributes kvs, given as key,
// value, key, value, ...; a trailing key without a value is ignored.
func New(typ string, kvs ...string) abci.Event {
	ev := abci.Event{Type: typ, Attributes: make([]abci.EventAttribute, 0, len(kvs)/2)}
	for i := 0; i+1 < len(kvs); i += 2 {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: kvs[i], Value: kvs[i+1], Index: true})
	}
	return ev
}
