package linkfile_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/linkfile"
)

// TestTransferChannel: a CCV link saved before transfer_channel existed
// reads with no transfer link; one saved with it reads back the same
// channel ids on the CCV channel's clients and connection; a transfer
// channel missing one side's id is refused.
func TestTransferChannel(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte(`{"a":{"node":"tcp://127.0.0.1:1","chain_id":"consumer-1","client_id":"07-tendermint-0",
"connection_id":"connection-0","port_id":"consumer","channel_id":"channel-0"},"b":{"node":"tcp://127.0.0.1:2","chain_id":"provider-1",
"client_id":"07-tendermint-3","connection_id":"connection-2","port_id":"provider","channel_id":"channel-4"},"consumer_id":"0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	lf, err := linkfile.Read(old)
	if err != nil {
		t.Fatal(err)
	}
	a, b := &relayer.Chain{ID: "consumer-1"}, &relayer.Chain{ID: "provider-1"}
	if lf.Transfer != nil || lf.TransferLink(lf.Link(a, b)) != nil {
		t.Fatalf("old link file: transfer %+v", lf.Transfer)
	}

	lf.RecordTransfer(&relayer.Link{A: &relayer.End{Channel: "channel-1"}, B: &relayer.End{Channel: "channel-5"}})
	saved := filepath.Join(dir, "new.json")
	if err := linkfile.Save(saved, lf); err != nil {
		t.Fatal(err)
	}
	bz, _ := os.ReadFile(saved)
	if !strings.Contains(string(bz), `"transfer_channel"`) {
		t.Fatalf("saved file has no transfer_channel:\n%s", bz)
	}
	read, err := linkfile.Read(saved)
	if err != nil {
		t.Fatal(err)
	}
	tr := read.TransferLink(read.Link(a, b))
	if tr == nil || tr.A.Chain != a || tr.B.Chain != b || tr.A.Port != "transfer" || tr.B.Port != "transfer" || tr.A.Channel != "channel-1" || tr.B.Channel != "channel-5" ||
		tr.A.Client != "07-tendermint-0" || tr.B.Client != "07-tendermint-3" || tr.A.Connection != "connection-0" || tr.B.Connection != "connection-2" {
		t.Fatalf("transfer link %+v %+v", *tr.A, *tr.B)
	}

	read.Transfer.B = ""
	if err := linkfile.Save(saved, read); err != nil {
		t.Fatal(err)
	}
	if _, err := linkfile.Read(saved); err == nil || !strings.Contains(err.Error(), "transfer_channel") {
		t.Fatalf("transfer channel without B's id: %v", err)
	}
}

// TestEndpoints: an end's nodes are Node then Nodes, without repeats or
// empty addresses; SetEndpoints splits a list so; they survive a save.
func TestEndpoints(t *testing.T) {
	var e linkfile.End
	e.SetEndpoints([]string{"tcp://a:1", "tcp://b:2", "tcp://a:1", ""})
	if e.Node != "tcp://a:1" || len(e.Nodes) != 3 {
		t.Fatalf("set: %+v", e)
	}
	if got := e.Endpoints(); len(got) != 2 || got[0] != "tcp://a:1" || got[1] != "tcp://b:2" {
		t.Fatalf("endpoints %v", got)
	}
	file := filepath.Join(t.TempDir(), "link.json")
	lf := linkfile.File{A: e, B: linkfile.End{Node: "tcp://c:3", Channel: "channel-0"}}
	lf.A.Channel = "channel-1"
	if err := linkfile.Save(file, lf); err != nil {
		t.Fatal(err)
	}
	back, err := linkfile.Read(file)
	if err != nil || !slices.Equal(back.A.Endpoints(), e.Endpoints()) || !slices.Equal(back.B.Endpoints(), []string{"tcp://c:3"}) {
		t.Fatalf("read back %+v: %v", back, err)
	}
	if _, err := (linkfile.End{}).Chain(context.Background()); err == nil {
		t.Fatal("an end without a node connected")
	}
}
