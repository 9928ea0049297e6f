package abci

import "errors"

// Codespace is the default name of an App's codes in ABCI responses.
const Codespace = "icsd"

// Errors of the pipeline itself.
var (
	ErrUnknownMessage = errors.New("unknown message type")
	ErrUnknownQuery   = errors.New("unknown query path")
	ErrNotStarted     = errors.New("chain has not committed a block yet")
	ErrInvalidGenesis = errors.New("invalid genesis")
	ErrInvalidQuery   = errors.New("invalid query")
	// ErrNotFound is a query for state that does not exist (a gRPC
	// query's NotFound).
	ErrNotFound = errors.New("not found")
)

// CodeInternal is the code of an error that is not in the table.
const CodeInternal uint32 = 1

// Codes maps the pipeline's errors to their ABCI codes. A chain's code
// table (Options.Code) starts from these: they never change.
var Codes = []ErrorCode{
	{Err: ErrUnknownMessage, Code: 14},
	{Err: ErrUnknownQuery, Code: 15},
	{Err: ErrNotStarted, Code: 16},
	{Err: ErrInvalidQuery, Code: 17},
	{Err: ErrInvalidGenesis, Code: 18},
	{Err: ErrNotFound, Code: 19},
}

// ErrorCode is one entry of a code table: errors matching Err (errors.Is)
// get Code.
type ErrorCode struct {
	Err  error
	Code uint32
}

// CodeOf returns the code of err in table: 0 for nil, the first matching
// entry's code, CodeInternal when none matches.
func CodeOf(table []ErrorCode, err error) uint32 {
	if err == nil {
		return 0
	}
	for _, c := range table {
		if errors.Is(err, c.Err) {
			return c.Code
		}
	}
	return CodeInternal
}

// Code returns the code of err among the pipeline's own errors.
func Code(err error) uint32 { return CodeOf(Codes, err) }

// ForeignCoded is an error that names its own codespace and code, those
// another implementation gives it and that clients branch on (the SDK's
// wrong-sequence error, which relayers recover from). CheckTx and
// FinalizeBlock answer with them instead of the code table's.
type ForeignCoded interface {
	error
	ABCICode() (codespace string, code uint32)
}

// codeAndSpace returns err's code and codespace: a ForeignCoded error's
// own, otherwise code(err) in codespace.
func codeAndSpace(err error, code func(error) uint32, codespace string) (uint32, string) {
	var fc ForeignCoded
	if errors.As(err, &fc) {
		space, c := fc.ABCICode()
		return c, space
	}
	return code(err), codespace
}
