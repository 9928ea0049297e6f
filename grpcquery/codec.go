package grpcquery

import (
	"fmt"

	protov2 "google.golang.org/protobuf/proto"
)

// gogoMessage is a gogoproto message (ibc-go's, the SDK's and ours).
type gogoMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// Marshal encodes a gogoproto or a google.golang.org/protobuf message.
func Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case gogoMessage:
		return m.Marshal()
	case protov2.Message:
		return protov2.Marshal(m)
	default:
		return nil, fmt.Errorf("grpcquery: cannot encode %T", v)
	}
}

// Unmarshal decodes bz into a gogoproto or a google.golang.org/protobuf
// message.
func Unmarshal(bz []byte, v any) error {
	switch m := v.(type) {
	case gogoMessage:
		return m.Unmarshal(bz)
	case protov2.Message:
		return protov2.Unmarshal(bz, m)
	default:
		return fmt.Errorf("grpcquery: cannot decode into %T", v)
	}
}
