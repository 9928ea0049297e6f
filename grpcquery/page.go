package grpcquery

import (
	"bytes"
	"sort"

	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultLimit is the page size when a request sets none, as the SDK's.
const DefaultLimit = 100

// MaxLimit bounds the page size a request may ask for.
const MaxLimit = 1000

// Page returns the page req asks for of items, which are sorted by key
// (keys distinct, ascending), and the page response. It honours the SDK's
// PageRequest: key (start at the first item whose key is at least it) or
// offset (not both), limit (DefaultLimit when 0, at most MaxLimit),
// count_total (total is set only with offset paging, as the SDK does) and
// reverse (descending order; key then starts at the last item whose key
// is at most it). next_key is the key of the first item after the page,
// nil on the last page. A nil req is the first page of DefaultLimit items.
// It returns an InvalidArgument status error for a request with both key
// and offset.
func Page[T any](items []T, key func(T) []byte, req *query.PageRequest) ([]T, *query.PageResponse, error) {
	if req == nil {
		req = &query.PageRequest{}
	}
	if len(req.Key) > 0 && req.Offset > 0 {
		return nil, nil, status.Error(codes.InvalidArgument, "pagination: key and offset are exclusive")
	}
	limit := req.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	ordered := items
	if req.Reverse {
		ordered = make([]T, len(items))
		for i, it := range items {
			ordered[len(items)-1-i] = it
		}
	}
	start := 0
	switch {
	case len(req.Key) > 0:
		start = sort.Search(len(ordered), func(i int) bool {
			c := bytes.Compare(key(ordered[i]), req.Key)
			if req.Reverse {
				return c <= 0
			}
			return c >= 0
		})
	case req.Offset > 0:
		start = int(min(req.Offset, uint64(len(ordered))))
	}
	end := start + int(min(limit, uint64(len(ordered)-start)))
	resp := &query.PageResponse{}
	if end < len(ordered) {
		resp.NextKey = key(ordered[end])
	}
	if req.CountTotal && len(req.Key) == 0 {
		resp.Total = uint64(len(items))
	}
	return ordered[start:end], resp, nil
}

// PageRequest and PageResponse are the SDK's pagination messages.
type (
	PageRequest  = query.PageRequest
	PageResponse = query.PageResponse
)
