package main_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtstate "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/state"
)

// stop stops the node as an operator does (SIGTERM) and waits for it.
func (n *node) stop() {
	n.t.Helper()
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		n.kill()
		n.t.Fatalf("the node did not stop; log:\n%s", n.log.String())
	}
}

// appCommit returns the last commit of the stopped provider node of home,
// read from its application database, and the app hash of the height
// before it.
func appCommit(t *testing.T, home string) (last state.CommitInfo, prevHash []byte) {
	t.Helper()
	db, err := state.OpenGoLevelDB("application", home+"/data")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := state.Open(db, providerapp.Stores, state.Options{CacheSize: 1000, ValueCacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	v, err := ms.View(ms.LastCommit().Version - 1)
	if err != nil {
		t.Fatal(err)
	}
	return ms.LastCommit(), v.Hash()
}

// cometAlone rolls the CometBFT state of the stopped node of home back by
// one height, as a node stopped after the application's commit and before
// CometBFT saved its state has it, with the application's version that
// CometBFT's rollback drops (see nodehome/rollback).
func cometAlone(t *testing.T, home string) {
	t.Helper()
	cfg := nodehome.Config(home)
	blockDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer blockDB.Close()
	stateDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer stateDB.Close()
	states := cmtstate.NewStore(stateDB, cmtstate.StoreOptions{})
	if _, _, err := cmtstate.Rollback(store.NewBlockStore(blockDB), states, false); err != nil {
		t.Fatal(err)
	}
	st, err := states.Load()
	if err != nil {
		t.Fatal(err)
	}
	st.Version.Consensus.App = abci.AppVersion
	if err := states.Save(st); err != nil {
		t.Fatal(err)
	}
}

// appHashIn returns the app hash in the header of height h.
func (n *node) appHashIn(h int64) []byte {
	n.t.Helper()
	res, err := n.client().Header(context.Background(), &h)
	if err != nil {
		n.t.Fatalf("header %d: %v", h, err)
	}
	return res.Header.AppHash
}

// TestRollback runs a single-validator chain, stops it at some height N,
// rolls it back with icsd rollback, and checks that the application is at
// N-1, that the restarted node executes block N again to the same app hash
// and goes on making blocks; then the same after a rollback that stopped
// halfway (the application rolled back, CometBFT not) and with CometBFT's
// state one height behind the application; then --hard, which
// also removes block N. A home that never ran, a directory that is not a
// home, a running node and an application two heights behind CometBFT
// are refused.
func TestRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	rollback := func(home string, args ...string) (string, error) {
		out, err := exec.Command(bin, append([]string{"rollback", "--home", home}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := rollback(t.TempDir()); err == nil || !strings.Contains(out, "not a node home") {
		t.Fatalf("rollback of an empty directory: %v\n%s", err, out)
	}
	home := t.TempDir()
	run(t, bin, "init", "--home", home, "--chain-id", "rb-1")
	if out, err := rollback(home); err == nil || !strings.Contains(out, "nothing to roll back") {
		t.Fatalf("rollback of a home that never ran: %v\n%s", err, out)
	}

	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	n.start()
	defer n.kill()
	n.waitHeight(4)
	if out, err := rollback(home); err == nil || !strings.Contains(out, "is the node running") {
		t.Fatalf("rollback of a running node: %v\n%s", err, out)
	}

	// Round 0 is the usual case; round 1 starts from a rollback that
	// stopped after the application's part; round 2 from a node stopped
	// between the application's commit and CometBFT's saving of its state,
	// made by rolling CometBFT's state back alone.
	for round := range 3 {
		n.stop()
		last, prev := appCommit(t, home)
		var rolled struct {
			Height  int64  `json:"height,string"`
			AppHash string `json:"app_hash"`
			App     bool   `json:"app_rolled_back"`
			Comet   bool   `json:"comet_rolled_back"`
		}
		switch round {
		case 1:
			db, err := state.OpenGoLevelDB("application", home+"/data")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := state.Rollback(db, providerapp.Stores); err != nil {
				t.Fatal(err)
			}
			_ = db.Close()
		case 2:
			cometAlone(t, home)
		}
		out, err := rollback(home, "-o", "json")
		if err != nil || json.Unmarshal([]byte(out), &rolled) != nil {
			t.Fatalf("round %d: rollback: %v\n%s", round, err, out)
		}
		if rolled.Height != last.Version-1 || !strings.EqualFold(rolled.AppHash, hex.EncodeToString(prev)) ||
			rolled.App != (round != 1) || rolled.Comet != (round != 2) {
			t.Fatalf("round %d: rolled back %+v; the application was at %d, app hash of %d %X", round, rolled, last.Version, last.Version-1, prev)
		}
		if now, _ := appCommit(t, home); now.Version != last.Version-1 || !bytes.Equal(now.Hash, prev) {
			t.Fatalf("round %d: the application is at %+v after the rollback, want %d with %X", round, now, last.Version-1, prev)
		}

		n.start()
		n.waitHeight(last.Version + 2)
		if got := n.appHashIn(last.Version); !bytes.Equal(got, prev) {
			t.Fatalf("round %d: block %d carries app hash %X, want %X", round, last.Version, got, prev)
		}
		if got := n.appHashIn(last.Version + 1); !bytes.Equal(got, last.Hash) {
			t.Fatalf("round %d: block %d executed again to app hash %X, first %X; log:\n%s", round, last.Version, got, last.Hash, n.log.String())
		}
	}

	// --hard also removes block N. (A sole validator cannot make it again:
	// it signed N, and its signing state refuses to sign N once more.)
	n.stop()
	last, prev := appCommit(t, home)
	out, err := rollback(home, "--hard")
	if err != nil || !strings.Contains(out, fmt.Sprintf("rolled back to height %d, app hash %X", last.Version-1, prev)) ||
		!strings.Contains(out, fmt.Sprintf("removed block %d", last.Version)) {
		t.Fatalf("rollback --hard: %v\n%s", err, out)
	}

	// The application two heights behind CometBFT: refused, nothing changed.
	db, err := state.OpenGoLevelDB("application", home+"/data")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := state.Rollback(db, providerapp.Stores); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()
	behind, _ := appCommit(t, home)
	want := fmt.Sprintf("the application is at height %d, CometBFT's state at %d and its block store at %d", last.Version-3, last.Version-1, last.Version-1)
	if out, err := rollback(home); err == nil || !strings.Contains(out, want) || !strings.Contains(out, "nothing changed") {
		t.Fatalf("rollback with the application two heights behind: %v\n%s", err, out)
	}
	if now, _ := appCommit(t, home); now.Version != behind.Version || !bytes.Equal(now.Hash, behind.Hash) {
		t.Fatalf("the refused rollback moved the application from %+v to %+v", behind, now)
	}
}
