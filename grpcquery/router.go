package grpcquery

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/grpc"
)

// Router maps full gRPC method names ("/package.Service/Method") to the
// unary handlers of registered services. Register every service before the
// first Handle; Handle is then safe for concurrent use.
type Router struct {
	methods map[string]method
}

type method struct {
	impl    any
	handler grpc.MethodHandler
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{methods: map[string]method{}} }

// RegisterService adds the unary methods of sd, served by impl (which must
// implement sd.HandlerType). It is the method the generated
// RegisterQueryServer functions call. It panics when a method is
// registered twice or impl does not implement the service: both are
// wiring bugs.
func (r *Router) RegisterService(sd *grpc.ServiceDesc, impl any) {
	if impl == nil {
		panic(fmt.Sprintf("grpcquery: nil implementation of %s", sd.ServiceName))
	}
	for _, m := range sd.Methods {
		name := "/" + sd.ServiceName + "/" + m.MethodName
		if _, dup := r.methods[name]; dup {
			panic(fmt.Sprintf("grpcquery: method %s registered twice", name))
		}
		r.methods[name] = method{impl: impl, handler: m.Handler}
	}
}

// Methods returns the registered method names, sorted.
func (r *Router) Methods() []string {
	out := make([]string, 0, len(r.methods))
	for name := range r.methods {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Has reports whether a service registered the method.
func (r *Router) Has(name string) bool {
	_, ok := r.methods[name]
	return ok
}

// IsMethodPath reports whether path has the shape of a full gRPC method
// name: "/", a dotted service name, "/", a method name. The JSON query
// paths of icsd never do (their first segment has no dot).
func IsMethodPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return false
	}
	svc, m, ok := strings.Cut(rest, "/")
	return ok && strings.Contains(svc, ".") && m != "" && !strings.Contains(m, "/")
}

// Handle calls method name with the encoded request req and returns the
// encoded response. ctx must carry the state (WithState). Errors:
// ErrUnknownMethod, ErrMalformedRequest, or the handler's (gRPC status
// errors).
func (r *Router) Handle(ctx context.Context, name string, req []byte) ([]byte, error) {
	m, ok := r.methods[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownMethod, name)
	}
	dec := func(v any) error {
		if err := Unmarshal(req, v); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrMalformedRequest, name, err)
		}
		return nil
	}
	resp, err := m.handler(m.impl, ctx, dec, nil)
	if err != nil {
		return nil, err
	}
	return Marshal(resp)
}
