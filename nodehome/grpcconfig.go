package nodehome

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
)

// GRPC is the [grpc] section of app.toml: the gRPC server that answers
// the Cosmos query services (grpcquery/server) beside CometBFT's RPC.
type GRPC struct {
	// Enable starts the server with the node.
	Enable bool
	// Address is the host:port it listens on.
	Address string
}

// DefaultGRPCAddress is the Cosmos SDK's default gRPC address, on
// loopback.
const DefaultGRPCAddress = "127.0.0.1:9090"

// DefaultGRPC is the gRPC setting of a home without a [grpc] section: off
// (several nodes of a local testnet share the machine, and the port), at
// DefaultGRPCAddress once enabled.
func DefaultGRPC() GRPC { return GRPC{Address: DefaultGRPCAddress} }

// Validate checks the address of an enabled server.
func (g GRPC) Validate() error {
	if !g.Enable {
		return nil
	}
	if _, _, err := net.SplitHostPort(g.Address); err != nil {
		return fmt.Errorf("grpc: address %q: want host:port: %w", g.Address, err)
	}
	return nil
}

// set sets g from the [grpc] section of app.toml.
func (g *GRPC) set(section map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(section)) {
		switch v := section[key]; key {
		case "enable":
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("grpc.enable must be true or false, not %v", v)
			}
			g.Enable = b
		case "address":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("grpc.address must be a string, not %v", v)
			}
			g.Address = s
		default:
			return fmt.Errorf("unknown setting \"grpc.%s\"", key)
		}
	}
	return nil
}

// write appends the [grpc] section, with comments, to b.
func (g GRPC) write(b *strings.Builder) {
	fmt.Fprintf(b, `
# The gRPC server answers the Cosmos query services (IBC core, auth, bank,
# staking) that relayers, wallets and explorers use, from the committed
# state; the same methods are answered by CometBFT's abci_query with the
# method's path. A request's x-cosmos-block-height header picks the height.
[grpc]
# enable starts the server with the node.
enable = %t
# address is the host:port it listens on.
address = %q
`, g.Enable, g.Address)
}
