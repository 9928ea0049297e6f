package connection

import (
	"fmt"

	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
)

// MaxCounterpartyVersions bounds the connection versions a
// ConnectionOpenTry may offer.
const MaxCounterpartyVersions = 100

func idError(kind, id string, err error) error {
	return fmt.Errorf("%w: %s %q: %v", ErrInvalidIdentifier, kind, id, err)
}

func validateClientID(id string) error {
	if err := host.ClientIdentifierValidator(id); err != nil {
		return idError("client", id, err)
	}
	return nil
}

func validateConnectionID(id string) error {
	if err := host.ConnectionIdentifierValidator(id); err != nil {
		return idError("connection", id, err)
	}
	return nil
}

// validateConnectionVersion checks a version's shape (ibc-go's rules: an
// identifier, at most 100 non-blank features).
func validateConnectionVersion(v *connectiontypes.Version) error {
	if err := connectiontypes.ValidateVersion(v); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidVersion, err)
	}
	return nil
}
