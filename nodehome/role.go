package nodehome

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/viper"

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

// WriteRole records home's role in HOME/config/app.toml.
func WriteRole(home string, role app.Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(appConfigFile(home)), 0o755); err != nil {
		return err
	}
	text := fmt.Sprintf(`# icsd application settings.

# role is what this chain is in Interchain Security: "provider" (a
# proof-of-stake chain that launches consumers) or "consumer" (a chain whose
# validators are the provider's). It must never change once the chain has
# state.
role = %q
`, role)
	return os.WriteFile(appConfigFile(home), []byte(text), 0o644)
}

// ReadRole returns home's role: the one in HOME/config/app.toml, or
// provider when the file does not exist.
func ReadRole(home string) (app.Role, error) {
	file := appConfigFile(home)
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return app.RoleProvider, nil
	}
	v := viper.New()
	v.SetConfigFile(file)
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	role, err := ParseRole(v.GetString("role"))
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return role, nil
}
