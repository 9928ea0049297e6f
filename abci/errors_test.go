package abci

import (
	"errors"
	"fmt"
	"testing"
)

type foreign struct{}

func (foreign) Error() string              { return "foreign" }
func (foreign) ABCICode() (string, uint32) { return "sdk", 32 }
func tableCode(err error) uint32           { return CodeOf(Codes, err) }

var errPlain = errors.New("plain")

// TestCodeAndSpace: an error that names its own codespace and code keeps
// them, wrapped or not; any other gets the table's code in the app's
// codespace.
func TestCodeAndSpace(t *testing.T) {
	for _, err := range []error{foreign{}, fmt.Errorf("ante: %w", foreign{})} {
		if code, space := codeAndSpace(err, tableCode, "icsd"); code != 32 || space != "sdk" {
			t.Errorf("%v: %s/%d", err, space, code)
		}
	}
	if code, space := codeAndSpace(fmt.Errorf("x: %w", ErrNotFound), tableCode, "icsd"); code != 19 || space != "icsd" {
		t.Errorf("table error: %s/%d", space, code)
	}
	if code, space := codeAndSpace(errPlain, tableCode, "icsd"); code != CodeInternal || space != "icsd" {
		t.Errorf("unknown error: %s/%d", space, code)
	}
}
