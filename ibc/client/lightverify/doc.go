// Package lightverify verifies CometBFT headers for a light client with
// the results of CometBFT's light package (light.VerifyAdjacent and
// light.VerifyNonAdjacent, over ValidatorSet.VerifyCommitLight and
// VerifyCommitLightTrusting) and less wall time: it verifies commit
// signatures on several cores and does not verify a signature twice.
//
// # What is checked
//
// A header at the height right after a trusted one (adjacent) is accepted
// when the trusted header is within the trusting period, the new header is
// well formed, later than the trusted one and not too far in the future,
// its validators hash to the header's validators hash, which must be the
// trusted header's next validators hash, and validators of more than 2/3
// of that set's power signed its commit. A later header (skipping) needs
// the same except the last two: instead, validators of more than the trust
// level (1/3 by default) of the trusted validator set's power, found by
// address, must have signed its commit, and then more than 2/3 of its own
// set's power.
//
// # Which signatures are verified
//
// As in CometBFT, a commit check walks the commit's signatures in order,
// skips those that are not for the block (absent or nil votes) and, when
// it finds signers by address, those of validators outside the set; it
// adds each signer's power to a tally and stops at the first signature
// that brings the tally above the power needed. Only the signatures up to
// that point are verified: a bad signature after it does not make the
// check fail, exactly as with CometBFT. Walking checks everything that
// needs no cryptography first (validator address at the index, a
// validator signing twice, key type and signature size) and fails on the
// first problem in commit order; if the tally stays at or below the power
// needed, the check fails without verifying anything.
//
// # How they are verified
//
// The selected signatures are verified with CometBFT's ed25519 batch
// verifier (the same ZIP-215 rules and the same cache of expanded public
// keys CometBFT uses). When there are enough of them they are cut into
// contiguous runs, each batch-verified as a whole, which one goroutine per
// core (up to GOMAXPROCS, the calling goroutine among them) take in turn
// until none is left; fewer than 2*minPerWorker signatures stay on the
// calling goroutine. Whatever the split and whoever verifies which run,
// the error for bad signatures names the lowest commit index among the
// selected signatures that fails, which is the one CometBFT names, so
// results do not depend on scheduling.
//
// A Commit remembers which signatures it verified and with which key, so
// the skipping check, which verifies the trusted set's signatures and then
// the new set's, verifies a signature of a validator in both sets once.
//
// Commits that CometBFT would not batch-verify (fewer than two signatures,
// keys that are not all ed25519) are passed to CometBFT's own functions,
// which return their own results.
//
// Every function returns the same error values, with the same text, as
// the CometBFT function it stands for, for the same input; a panic in
// CometBFT code on malformed input panics here too, on the calling
// goroutine.
package lightverify
