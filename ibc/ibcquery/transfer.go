package ibcquery

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protowire"
)

// TransferService is the name of ibc-go's ICS-20 query service. The two
// methods here are those of ibc-go v8 (DenomTraces, DenomTrace), which the
// Go relayer v2.6 calls before it shows a balance or sends a transfer;
// ibc-go v10, whose generated types this module uses, replaced them by
// Denoms and Denom, so the messages are written out here.
const TransferService = "ibc.applications.transfer.v1.Query"

// DenomTrace is ibc-go v8's ibc.applications.transfer.v1.DenomTrace.
type DenomTrace struct {
	// Path is the "port/channel" hops, joined by '/'.
	Path string
	// BaseDenom is the denomination on the chain it came from.
	BaseDenom string
}

// DenomTracesRequest is ibc-go v8's QueryDenomTracesRequest. Its only
// field, the page request, is read and ignored (the answer is empty).
type DenomTracesRequest struct{}

// DenomTracesResponse is ibc-go v8's QueryDenomTracesResponse. Its
// pagination (field 2) is always written, as an empty PageResponse.
type DenomTracesResponse struct {
	DenomTraces []DenomTrace
}

// DenomTraceRequest is ibc-go v8's QueryDenomTraceRequest.
type DenomTraceRequest struct {
	// Hash is the trace hash, with or without the "ibc/" prefix.
	Hash string
}

// DenomTraceResponse is ibc-go v8's QueryDenomTraceResponse.
type DenomTraceResponse struct {
	DenomTrace *DenomTrace
}

// transferQueryServer is the handler type of the transfer service.
type transferQueryServer interface {
	DenomTraces(context.Context, *DenomTracesRequest) (*DenomTracesResponse, error)
	DenomTrace(context.Context, *DenomTraceRequest) (*DenomTraceResponse, error)
}

// transferQuery answers the ICS-20 denomination trace queries. icsd keeps
// a voucher under its full trace denomination ("transfer/channel-0/stake",
// package transfer), never under an "ibc/HASH" denomination, so it has no
// trace to resolve: DenomTraces is empty (a relayer then shows and sends
// the path denominations as they are) and DenomTrace is NotFound.
type transferQuery struct{}

// DenomTraces answers an empty list.
func (transferQuery) DenomTraces(context.Context, *DenomTracesRequest) (*DenomTracesResponse, error) {
	return &DenomTracesResponse{}, nil
}

// DenomTrace answers NotFound: no denomination on icsd is a trace hash.
func (transferQuery) DenomTrace(_ context.Context, req *DenomTraceRequest) (*DenomTraceResponse, error) {
	if err := required("hash", req.Hash); err != nil {
		return nil, err
	}
	return nil, notFound("denomination trace %s not found: icsd keeps vouchers under their full trace denomination (port/channel/base), not ibc/HASH", req.Hash)
}

var transferServiceDesc = grpc.ServiceDesc{
	ServiceName: TransferService,
	HandlerType: (*transferQueryServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "DenomTraces", Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			req := new(DenomTracesRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			return srv.(transferQueryServer).DenomTraces(ctx, req)
		}},
		{MethodName: "DenomTrace", Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			req := new(DenomTraceRequest)
			if err := dec(req); err != nil {
				return nil, err
			}
			return srv.(transferQueryServer).DenomTrace(ctx, req)
		}},
	},
	Metadata: "ibc/applications/transfer/v1/query.proto",
}

var errWireType = errors.New("wrong wire type")

// fields calls f with the number, type and value of each field of the
// encoded message b; a varint value is in v, a bytes value in bz.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, bz []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var bz []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			bz, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, typ, v, bz); err != nil {
			return fmt.Errorf("field %d: %w", num, err)
		}
	}
	return nil
}

// Marshal encodes t.
func (t *DenomTrace) Marshal() ([]byte, error) {
	var b []byte
	if t.Path != "" {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, t.Path)
	}
	if t.BaseDenom != "" {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, t.BaseDenom)
	}
	return b, nil
}

// Unmarshal decodes b into t.
func (t *DenomTrace) Unmarshal(b []byte) error {
	*t = DenomTrace{}
	return fields(b, func(num protowire.Number, typ protowire.Type, _ uint64, bz []byte) error {
		if num != 1 && num != 2 {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		if num == 1 {
			t.Path = string(bz)
		} else {
			t.BaseDenom = string(bz)
		}
		return nil
	})
}

// Marshal encodes m: nothing (no page request).
func (m *DenomTracesRequest) Marshal() ([]byte, error) { return nil, nil }

// Unmarshal checks that b is a well-formed message whose field 1, when
// present, is a message.
func (m *DenomTracesRequest) Unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, _ uint64, _ []byte) error {
		if num == 1 && typ != protowire.BytesType {
			return errWireType
		}
		return nil
	})
}

// Marshal encodes m, with an empty page response.
func (m *DenomTracesResponse) Marshal() ([]byte, error) {
	var b []byte
	for i := range m.DenomTraces {
		bz, _ := m.DenomTraces[i].Marshal()
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, bz)
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, nil), nil
}

// Unmarshal decodes b into m (the page response is dropped).
func (m *DenomTracesResponse) Unmarshal(b []byte) error {
	*m = DenomTracesResponse{}
	return fields(b, func(num protowire.Number, typ protowire.Type, _ uint64, bz []byte) error {
		if num != 1 {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		var t DenomTrace
		if err := t.Unmarshal(bz); err != nil {
			return err
		}
		m.DenomTraces = append(m.DenomTraces, t)
		return nil
	})
}

// Marshal encodes m.
func (m *DenomTraceRequest) Marshal() ([]byte, error) {
	var b []byte
	if m.Hash != "" {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, m.Hash)
	}
	return b, nil
}

// Unmarshal decodes b into m.
func (m *DenomTraceRequest) Unmarshal(b []byte) error {
	*m = DenomTraceRequest{}
	return fields(b, func(num protowire.Number, typ protowire.Type, _ uint64, bz []byte) error {
		if num != 1 {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		m.Hash = string(bz)
		return nil
	})
}

// Marshal encodes m.
func (m *DenomTraceResponse) Marshal() ([]byte, error) {
	if m.DenomTrace == nil {
		return nil, nil
	}
	bz, _ := m.DenomTrace.Marshal()
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(b, bz), nil
}

// Unmarshal decodes b into m.
func (m *DenomTraceResponse) Unmarshal(b []byte) error {
	*m = DenomTraceResponse{}
	return fields(b, func(num protowire.Number, typ protowire.Type, _ uint64, bz []byte) error {
		if num != 1 {
			return nil
		}
		if typ != protowire.BytesType {
			return errWireType
		}
		m.DenomTrace = new(DenomTrace)
		return m.DenomTrace.Unmarshal(bz)
	})
}
