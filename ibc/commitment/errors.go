package commitment

import "errors"

// Errors returned by the commitment package. Callers branch on them with
// errors.Is.
var (
	// ErrInvalidProof is wrapped by every verification failure: malformed
	// proof bytes, a proof of another path, value or root.
	ErrInvalidProof = errors.New("invalid commitment proof")
	// ErrInvalidPath is returned for an empty path.
	ErrInvalidPath = errors.New("invalid commitment path")
	// ErrUnprovable is returned by Prove when the state cannot be proven
	// (see state.View.Prove).
	ErrUnprovable = errors.New("state cannot be proven")
)
