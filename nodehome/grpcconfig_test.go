package nodehome

import (
	"strings"
	"testing"

	"github.com/abci-ics/ics/app"
)

// TestGRPCConfig: the [grpc] section is read, written back and checked;
// a home without it has the server off at the default address.
func TestGRPCConfig(t *testing.T) {
	if g := DefaultAppConfig(app.RoleProvider).GRPC; g.Enable || g.Address != DefaultGRPCAddress {
		t.Fatalf("default %+v", g)
	}
	c, err := ReadAppConfig(writeAppToml(t, "[grpc]\nenable = true\n"))
	if err != nil || !c.GRPC.Enable || c.GRPC.Address != DefaultGRPCAddress {
		t.Fatalf("enable only: %+v, %v", c.GRPC, err)
	}
	c.GRPC.Address = "0.0.0.0:9191"
	home := t.TempDir()
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadAppConfig(home); err != nil || got != c {
		t.Fatalf("wrote %+v, read %+v, %v", c, got, err)
	}
	for _, tc := range []struct{ text, err string }{
		{"[grpc]\nenable = \"yes\"\n", "grpc.enable must be true or false"},
		{"[grpc]\naddress = 9090\n", "grpc.address must be a string"},
		{"[grpc]\nenable = true\naddress = \"localhost\"\n", `grpc: address "localhost"`},
		{"[grpc]\nport = 9090\n", `unknown setting "grpc.port"`},
		{"grpc = true\n", "grpc must be a section"},
	} {
		home := writeAppToml(t, tc.text)
		if _, err := ReadAppConfig(home); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.err)
		}
	}
}
