package nodehome

import (
	"fmt"
	"path/filepath"

	"github.com/abci-ics/ics/app"
)

// A home's role (provider or consumer) is kept in HOME/config/app.toml,
// written by init. A chain's state must always be opened with the same
// role, so start reads it from there rather than from a flag. A home
// without the file (written before roles existed) is a provider.

func appConfigFile(home string) string { return filepath.Join(home, "config", "app.toml") }

// ParseRole checks a --role value.
func ParseRole(s string) (app.Role, error) {
	switch r := app.Role(s); r {
	case app.RoleProvider, app.RoleConsumer:
		return r, nil
	case "":
		return app.RoleProvider, nil
	}
	return "", fmt.Errorf("unknown role %q: use %s or %s", s, app.RoleProvider, app.RoleConsumer)
}

// WriteRole records home's role in HOME/config/app.toml, keeping the
// file's other settings (the defaults when there is no file).
func WriteRole(home string, role app.Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	c, err := ReadAppConfig(home)
	if err != nil {
		return err
	}
	c.Role = role
	return WriteAppConfig(home, c)
}

// ReadRole returns home's role: the one in HOME/config/app.toml, or
// provider when the file does not exist.
func ReadRole(home string) (app.Role, error) {
	c, err := ReadAppConfig(home)
	return c.Role, err
}
