package transcript

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const sample = `# A counter.
add n=2 tags=(a,b) verbose
first input line
----
2

# Twice.
add n=3
----
wrong
`

// counter is a handler over a running sum.
func counter() Handler {
	sum := int64(0)
	return func(t *testing.T, c *Command) string {
		sum += c.Int(t, "n", 0)
		return strconv.FormatInt(sum, 10) + "\n"
	}
}
func TestTranscriptParse(t *testing.T) {
	cmds, trailer, err := Parse("sample.txt", sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 2 || trailer != "" {
		t.Fatalf("%d commands, trailer %q", len(cmds), trailer)
	}
	c := cmds[0]
	if c.Pos != "sample.txt:2" || c.Name != "add" || c.Input != "first input line" || c.Expected != "2" {
		t.Fatalf("first command %+v", c)
	}
	if got := c.List("tags"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("tags %q", got)
	}
	if !c.Has("verbose") || c.Has("quiet") || c.String("missing", "def") != "def" {
		t.Fatalf("flags of %+v", c.Args)
	}
	if cmds[1].Pos != "sample.txt:8" || cmds[1].Expected != "wrong" {
		t.Fatalf("second command %+v", cmds[1])
	}
}

func TestTranscriptParseErrors(t *testing.T) {
	for _, text := range []string{
		"add n=1\n",          // no separator
		"add =1\n----\n",     // no key
		"add n=\n----\n",     // empty value
		"add l=(a,b\n----\n", // unbalanced
	} {
		if _, _, err := Parse("bad.txt", text); err == nil {
			t.Errorf("Parse(%q) accepted", text)
		}
	}
}

func TestTranscriptArgs(t *testing.T) {
	cmds, _, err := Parse("a.txt", "cmd d=90s n=-4 e=()\n----\n")
	if err != nil {
		t.Fatal(err)
	}
	c := cmds[0]
	if c.Duration(t, "d", 0) != 90*time.Second || c.Int(t, "n", 0) != -4 || c.List("e") != nil || c.Int(t, "m", 7) != 7 {
		t.Fatalf("args %+v", c.Args)
	}
}

// TestTranscriptRewrite: rewriting fixes the wrong output and keeps
// comments, input and blank lines; the rewritten file then passes.
func TestTranscriptRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sample.txt")
	if err := os.WriteFile(path, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	runFile(t, path, counter(), true)
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(sample, "wrong", "5", 1); string(bz) != want {
		t.Fatalf("rewritten:\n%s\nwant:\n%s", bz, want)
	}
	runFile(t, path, counter(), false)
}

// TestTranscriptMismatch: a wrong output is reported, a right one is not.
func TestTranscriptMismatch(t *testing.T) {
	cmds, _, err := Parse("sample.txt", sample)
	if err != nil {
		t.Fatal(err)
	}
	if d := mismatch(cmds[1], "5"); !strings.Contains(d, "sample.txt:8") || !strings.Contains(d, "wrong") {
		t.Fatalf("mismatch report %q", d)
	}
	if d := mismatch(cmds[0], "2\n"); d != "" {
		t.Fatalf("a right output reported: %q", d)
	}
}
