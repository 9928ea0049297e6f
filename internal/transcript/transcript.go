// Package transcript runs data-driven test files: each file is a sequence
// of commands, each followed by the output the code under test is expected
// to print for it. Tests hand every command to a handler that drives the
// code and returns its output as text; a mismatch fails the test, and the
// -rewrite flag writes the actual outputs back into the files instead.
//
// A file looks like this:
//
//	# A comment; comments and blank lines between commands are kept.
//	end-block blocks=2 chain=consumer-1
//	optional input lines, handed to the handler as Input
//	----
//	expected output, one or more lines,
//	ended by a blank line or the end of the file
//
// A command line is a name followed by arguments separated by spaces:
// key=value, or a bare key (a flag). A value may be a list in parentheses,
// (a,b,c), without spaces. Outputs cannot contain blank lines.
//
// The package is for tests only: it registers the -rewrite flag.
package transcript

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of transcript files from the current code")

// Separator ends a command's header and input and starts its output.
const Separator = "----"

// Arg is one argument of a command: Key=Value, or a flag (Value empty).
type Arg struct {
	Key   string
	Value string
}

// Command is one command of a file with its expected output.
type Command struct {
	Pos      string // file:line of the command line
	Name     string
	Args     []Arg
	Input    string // the lines between the command line and the separator
	Expected string // the expected output, without a final newline

	lead string // comments and blank lines before the command, kept for rewriting
	raw  string // the command line and its input, as written
}

// Parse reads the commands of a transcript. name is used in positions. The
// text after the last command (comments) is returned as trailer.
func Parse(name, text string) (cmds []*Command, trailer string, err error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	var lead []string
	for i := 0; i < len(lines); {
		line := lines[i]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			lead = append(lead, line)
			i++
			continue
		}
		c := &Command{Pos: fmt.Sprintf("%s:%d", name, i+1), lead: join(lead)}
		lead = nil
		if c.Name, c.Args, err = parseLine(line); err != nil {
			return nil, "", fmt.Errorf("%s: %w", c.Pos, err)
		}
		raw := []string{line}
		var input []string
		i++
		for ; i < len(lines) && lines[i] != Separator; i++ {
			raw = append(raw, lines[i])
			input = append(input, lines[i])
		}
		if i == len(lines) {
			return nil, "", fmt.Errorf("%s: command %q has no %q line", c.Pos, c.Name, Separator)
		}
		i++ // the separator
		var out []string
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			out = append(out, lines[i])
		}
		if i < len(lines) {
			i++ // the blank line that ends the output
		}
		c.raw, c.Input, c.Expected = strings.Join(raw, "\n"), strings.Join(input, "\n"), strings.Join(out, "\n")
		cmds = append(cmds, c)
	}
	return cmds, join(lead), nil
}

func join(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// parseLine splits a command line into its name and arguments.
func parseLine(line string) (string, []Arg, error) {
	fields := strings.Fields(line)
	name := fields[0]
	var args []Arg
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if k == "" {
			return "", nil, fmt.Errorf("argument %q has no key", f)
		}
		if ok && v == "" {
			return "", nil, fmt.Errorf("argument %q has an empty value", f)
		}
		if strings.HasPrefix(v, "(") != strings.HasSuffix(v, ")") {
			return "", nil, fmt.Errorf("argument %q: unbalanced parentheses", f)
		}
		args = append(args, Arg{Key: k, Value: v})
	}
	return name, args, nil
}

// Format renders a file from its commands, with outputs[i] as the output
// of cmds[i].
func Format(cmds []*Command, outputs []string, trailer string) string {
	var b strings.Builder
	for i, c := range cmds {
		b.WriteString(c.lead)
		b.WriteString(c.raw)
		b.WriteString("\n" + Separator + "\n")
		if outputs[i] != "" {
			b.WriteString(outputs[i] + "\n")
		}
		if i < len(cmds)-1 || trailer != "" {
			b.WriteString("\n")
		}
	}
	b.WriteString(strings.TrimPrefix(trailer, "\n"))
	return b.String()
}

// Handler runs one command and returns its output.
type Handler func(t *testing.T, c *Command) string

// RunFile runs the commands of the file at path through h, in order, and
// compares each output with the expected one (or, with -rewrite, writes
// the outputs back to the file).
func RunFile(t *testing.T, path string, h Handler) {
	t.Helper()
	runFile(t, path, h, *rewrite)
}

func runFile(t *testing.T, path string, h Handler, rewriting bool) {
	t.Helper()
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmds, trailer, err := Parse(filepath.Base(path), string(bz))
	if err != nil {
		t.Fatal(err)
	}
	outputs := make([]string, len(cmds))
	for i, c := range cmds {
		out := normalize(h(t, c))
		if strings.Contains(out, "\n\n") || strings.HasPrefix(out, "\n") {
			t.Fatalf("%s: %s: the output has a blank line, which a transcript cannot hold:\n%s", c.Pos, c.Name, out)
		}
		outputs[i] = out
		if d := mismatch(c, out); !rewriting && d != "" {
			t.Error(d)
		}
		if t.Failed() && !rewriting {
			return // later commands build on this one's state
		}
	}
	if rewriting {
		if err := os.WriteFile(path, []byte(Format(cmds, outputs, trailer)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mismatch describes how out differs from c's expected output, or returns
// "" when it does not.
func mismatch(c *Command, out string) string {
	if out = normalize(out); out == c.Expected {
		return ""
	}
	return fmt.Sprintf("%s: %s\n--- got\n%s\n--- want\n%s", c.Pos, c.raw, out, c.Expected)
}

// normalize drops trailing spaces of every line and the final newlines.
func normalize(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// Walk runs every *.txt file of dir as a subtest named after the file;
// newHandler returns a handler with fresh state for each file.
func Walk(t *testing.T, dir string, newHandler func(t *testing.T) Handler) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no transcripts in %s", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			RunFile(t, f, newHandler(t))
		})
	}
}

// Has reports whether the command has argument key.
func (c *Command) Has(key string) bool {
	_, ok := c.Lookup(key)
	return ok
}

// Lookup returns the value of argument key.
func (c *Command) Lookup(key string) (string, bool) {
	for _, a := range c.Args {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// String returns argument key, or def when it is absent.
func (c *Command) String(key, def string) string {
	if v, ok := c.Lookup(key); ok {
		return v
	}
	return def
}

// Int returns argument key as an integer, or def when it is absent; it
// fails the test when the value is not one.
func (c *Command) Int(t testing.TB, key string, def int64) int64 {
	t.Helper()
	v, ok := c.Lookup(key)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s: argument %s=%s is not an integer", c.Pos, key, v)
	}
	return n
}

// Duration returns argument key as a Go duration (6s, 10m), or def.
func (c *Command) Duration(t testing.TB, key string, def time.Duration) time.Duration {
	t.Helper()
	v, ok := c.Lookup(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: argument %s=%s is not a duration", c.Pos, key, v)
	}
	return d
}

// List returns argument key as a list: (a,b) gives [a b], a single value
// gives [value], an absent or empty list () gives nil.
func (c *Command) List(key string) []string {
	v, ok := c.Lookup(key)
	if !ok {
		return nil
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "("), ")")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// Fail fails the test at the command's position.
func (c *Command) Fail(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s: %s: %s", c.Pos, c.Name, fmt.Sprintf(format, args...))
}
