package grpcquery

import (
	"context"
	"time"

	"github.com/abci-ics/ics/state"
)

// State is what a query handler reads: a committed version of the
// multistore and what the caller knows of it.
type State struct {
	// View is the committed version the query is answered from.
	View *state.View
	// Now is the time of the last finalized block (client status and
	// expiry are judged at it).
	Now time.Time
	// Prove asks the handlers whose responses carry a proof field to fill
	// it: an ICS-23 proof of the answer against the app hash of the block
	// after View's version.
	Prove bool
}

type stateKey struct{}

// WithState returns ctx carrying st for the handlers.
func WithState(ctx context.Context, st State) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// StateFrom returns the state WithState put in ctx.
func StateFrom(ctx context.Context) (State, bool) {
	st, ok := ctx.Value(stateKey{}).(State)
	return st, ok && st.View != nil
}
