package relay

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// start runs `icsd relay start` with args and returns its output and
// error.
func start(args ...string) (string, error) {
	c := Cmd()
	var out bytes.Buffer
	c.SetOut(&out)
	c.SetErr(&out)
	c.SetArgs(append([]string{"start"}, args...))
	err := c.Execute()
	return out.String(), err
}

// TestStartMetricsAddress: a --metrics address that is not host:port, or
// whose port is in use, stops start at once with an error that names the
// flag and the address, before the link file is read; a good one is
// served, and freed when start returns (here because the link file is
// missing).
func TestStartMetricsAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	missing := filepath.Join(t.TempDir(), "link.json")
	for _, addr := range []string{"localhost", "127.0.0.1:port", busy.Addr().String()} {
		_, err := start("--link", missing, "--metrics", addr)
		if err == nil || !strings.Contains(err.Error(), "--metrics") || !strings.Contains(err.Error(), addr) {
			t.Errorf("--metrics %s: %v", addr, err)
		}
	}
	free := busy.Addr().String()
	busy.Close()
	out, err := start("--link", missing, "--metrics", free)
	if err == nil || strings.Contains(err.Error(), "--metrics") {
		t.Fatalf("missing link file: %v", err)
	}
	if !strings.Contains(out, "serving relayer metrics on http://"+free+"/metrics") {
		t.Fatalf("output %q", out)
	}
	ln, err := net.Listen("tcp", free)
	if err != nil {
		t.Fatalf("the metrics server outlived start: %v", err)
	}
	ln.Close()
}
