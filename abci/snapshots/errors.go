package snapshots

import "errors"

var (
	// ErrFormat is returned by Restore for a snapshot of an unknown format.
	ErrFormat = errors.New("snapshots: unknown format")
	// ErrInvalid is returned (wrapped) by Restore for a snapshot whose
	// description does not hold together (no chunks, metadata that is not
	// one hash per chunk or does not hash to the snapshot hash).
	ErrInvalid = errors.New("snapshots: invalid snapshot")
	// ErrChunkHash is returned (wrapped) by Restore.Apply for a chunk
	// whose hash is not the one in the metadata.
	ErrChunkHash = errors.New("snapshots: chunk hash mismatch")
	// ErrClosed is returned by a Store's methods after Close.
	ErrClosed = errors.New("snapshots: store closed")
)
