package main_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/abci-ics/ics/nodehome"
)

// TestPipelineKillMidSave kills a node while the pipelined save of a
// height is in flight (held there by nodehome.TestPauseSave): the next
// block waits for that save, so the chain stands still. The
// application's database then holds the height before, as Info reports
// only recorded commits; restarted, the node replays the height (CometBFT
// checks the replay's app hash against the one it saved), reaches the app
// hash the block had before the kill, and makes blocks again.
func TestPipelineKillMidSave(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	run(t, bin, "init", "--home", home, "--chain-id", "pipe-1")
	const h = 6
	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		env: []string{fmt.Sprintf("%s=%d", nodehome.TestPauseSave, h)}}
	n.start()
	defer n.kill()
	n.waitHeight(h)
	res, err := n.client().BlockResults(context.Background(), ptr(int64(h)))
	if err != nil {
		t.Fatal(err)
	}
	want := res.AppHash
	// CometBFT stores block h+1 before executing it, and the execution
	// waits for the save of h.
	n.waitHeight(h + 1)
	time.Sleep(2 * time.Second)
	if st, err := n.client().Status(context.Background()); err != nil || st.SyncInfo.LatestBlockHeight != h+1 {
		t.Fatalf("with the save of %d held, the node is at %+v (%v)", h, st.SyncInfo, err)
	}
	n.kill()
	if !bytes.Contains(n.log.Bytes(), []byte(nodehome.TestPauseSave)) {
		t.Fatalf("the save was not held; log:\n%s", n.log.String())
	}
	if last, _ := appCommit(t, home); last.Version != h-1 {
		t.Fatalf("the application's last commit after the kill is %d, want %d", last.Version, h-1)
	}

	n.env = nil
	n.start()
	n.waitHeight(h + 2)
	if got := n.appHashIn(h + 1); !bytes.Equal(got, want) {
		t.Fatalf("app hash of height %d: %X after the restart, %X before the kill", h, got, want)
	}
	if last := n.waitHeight(h + 4); last < h+4 {
		t.Fatalf("height %d after the restart", last)
	}
}

func ptr[T any](v T) *T { return &v }
