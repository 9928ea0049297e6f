package ibcquery_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/ibcquery"
)

// TestTransferDenomTraces asks the two ICS-20 trace methods the Go relayer
// calls (rly q balance, rly tx transfer) with the requests it sends: the
// trace list is empty with a page response, a trace is NotFound, and
// malformed or incomplete requests are refused.
func TestTransferDenomTraces(t *testing.T) {
	r := grpcquery.NewRouter()
	(&ibcquery.Service{Revision: 1}).Register(r)
	ctx := context.Background()

	// rly's DefaultPageRequest: limit 1000.
	page, err := (&query.PageRequest{Key: []byte(""), Limit: 1000}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := (&ibcquery.DenomTracesRequest{}).Marshal()
	req = append(append(req, 0x0a, byte(len(page))), page...)
	out, err := r.Handle(ctx, "/"+ibcquery.TransferService+"/DenomTraces", req)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, []byte{0x12, 0x00}) {
		t.Fatalf("DenomTraces answered %x, want an empty list and an empty page response (1200)", out)
	}
	var res ibcquery.DenomTracesResponse
	if err := res.Unmarshal(out); err != nil || len(res.DenomTraces) != 0 {
		t.Fatalf("DenomTraces response %+v, %v", res, err)
	}
	var pr query.PageResponse
	if err := pr.Unmarshal(out[2:]); err != nil || len(pr.NextKey) != 0 {
		t.Fatalf("page response %+v, %v", pr, err)
	}

	req, _ = (&ibcquery.DenomTraceRequest{Hash: "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"}).Marshal()
	if _, err := r.Handle(ctx, "/"+ibcquery.TransferService+"/DenomTrace", req); status.Code(err) != codes.NotFound {
		t.Fatalf("DenomTrace: %v, want NotFound", err)
	}
	if _, err := r.Handle(ctx, "/"+ibcquery.TransferService+"/DenomTrace", nil); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("DenomTrace without a hash: %v, want InvalidArgument", err)
	}
	for name, bad := range map[string][]byte{
		"DenomTraces": {0x08, 0x01}, // field 1 as a varint
		"DenomTrace":  {0x0a, 0x05}, // a string longer than the message
	} {
		if _, err := r.Handle(ctx, "/"+ibcquery.TransferService+"/"+name, bad); !errors.Is(err, grpcquery.ErrMalformedRequest) {
			t.Fatalf("%s of %x: %v, want a malformed request", name, bad, err)
		}
	}
}

// TestDenomTraceRoundTrip encodes a trace response as ibc-go v8 does (path
// field 1, base denomination field 2, inside field 1) and decodes it back.
func TestDenomTraceRoundTrip(t *testing.T) {
	in := ibcquery.DenomTraceResponse{DenomTrace: &ibcquery.DenomTrace{Path: "transfer/channel-0", BaseDenom: "stake"}}
	bz, err := in.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x0a, 27, 0x0a, 18}, "transfer/channel-0"...)
	want = append(append(want, 0x12, 5), "stake"...)
	if !bytes.Equal(bz, want) {
		t.Fatalf("encoded %x, want %x", bz, want)
	}
	var out ibcquery.DenomTraceResponse
	if err := out.Unmarshal(bz); err != nil || *out.DenomTrace != *in.DenomTrace {
		t.Fatalf("decoded %+v, %v", out.DenomTrace, err)
	}
	list := ibcquery.DenomTracesResponse{DenomTraces: []ibcquery.DenomTrace{*in.DenomTrace, {BaseDenom: "uatom"}}}
	bz, _ = list.Marshal()
	var back ibcquery.DenomTracesResponse
	if err := back.Unmarshal(bz); err != nil || len(back.DenomTraces) != 2 || back.DenomTraces[1].BaseDenom != "uatom" || back.DenomTraces[0] != list.DenomTraces[0] {
		t.Fatalf("list decoded %+v, %v", back, err)
	}
}
