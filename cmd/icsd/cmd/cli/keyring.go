package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/abci-ics/ics/client"
)

// The names of the keyring flags.
const (
	FlagKeyringBackend        = "keyring-backend"
	FlagKeyringPassphraseFile = "keyring-passphrase-file"
	FlagFrom                  = "from"
)

// AddKeyringFlags adds --keyring-backend and --keyring-passphrase-file to
// fs.
func AddKeyringFlags(fs *pflag.FlagSet) {
	fs.String(FlagKeyringBackend, string(client.BackendFile), "backend of a new keyring: file (keys encrypted with a passphrase) or test (in the clear, for test networks); an existing keyring keeps its own")
	fs.String(FlagKeyringPassphraseFile, "", "read the keyring passphrase from the first line of this file (else $"+client.EnvKeyringPassphrase+", else a prompt)")
}

// Keyring opens the keyring of --home. With --keyring-backend given, it
// fails if the keyring exists with another backend.
func Keyring(cmd *cobra.Command) (*client.Keyring, error) {
	backend := client.BackendFile
	if f := cmd.Flags().Lookup(FlagKeyringBackend); f != nil {
		b, err := client.ParseBackend(f.Value.String())
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", FlagKeyringBackend, err)
		}
		backend = b
	}
	kr, err := client.OpenKeyring(Home(cmd), backend, KeyringPassphrase(cmd))
	if err != nil {
		return nil, err
	}
	if cmd.Flags().Changed(FlagKeyringBackend) && kr.Backend() != backend {
		return nil, fmt.Errorf("the keyring in %s is a %s keyring, not %s", kr.Dir(), kr.Backend(), backend)
	}
	return kr, nil
}

// KeyringPassphrase returns the keyring passphrase of cmd: the first line
// of --keyring-passphrase-file, else $ICSD_KEYRING_PASSPHRASE, else typed
// at a prompt when standard input is a terminal (twice for a new one).
func KeyringPassphrase(cmd *cobra.Command) client.PassphraseFunc {
	return func(confirm bool) ([]byte, error) {
		if file, _ := cmd.Flags().GetString(FlagKeyringPassphraseFile); file != "" {
			return ReadPassphraseFile(file)
		}
		if p, ok := os.LookupEnv(client.EnvKeyringPassphrase); ok {
			return []byte(p), nil
		}
		if !StdinIsTerminal(cmd) {
			return nil, fmt.Errorf("%w: give --%s or set %s, or run in a terminal", client.ErrPassphraseNeeded, FlagKeyringPassphraseFile, client.EnvKeyringPassphrase)
		}
		return PromptPassphrase(cmd, "keyring passphrase", confirm)
	}
}

// ReadPassphraseFile returns the first line of file.
func ReadPassphraseFile(file string) ([]byte, error) {
	bz, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	line, _, _ := bytes.Cut(bz, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// StdinIsTerminal tells whether cmd's standard input is a terminal.
func StdinIsTerminal(cmd *cobra.Command) bool {
	f, ok := cmd.InOrStdin().(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// PromptPassphrase asks for what on the terminal of cmd's standard input,
// without echo, twice when confirm is set.
func PromptPassphrase(cmd *cobra.Command, what string, confirm bool) ([]byte, error) {
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, fmt.Errorf("cannot ask for the %s: standard input is not a terminal", what)
	}
	ask := func(prompt string) ([]byte, error) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.ErrOrStderr())
		return p, err
	}
	p, err := ask("Enter " + what + ": ")
	if err != nil || !confirm {
		return p, err
	}
	again, err := ask("Repeat " + what + ": ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p, again) {
		return nil, errors.New("the passphrases differ")
	}
	return p, nil
}

// ReadLine prints prompt on standard error when standard input is a
// terminal, then reads one line of standard input.
func ReadLine(cmd *cobra.Command, prompt string) (string, error) {
	if StdinIsTerminal(cmd) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
	}
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// addSignerFlags adds --from and --keyring-passphrase-file to a
// transaction command.
func addSignerFlags(cmd *cobra.Command) {
	cmd.Flags().String(FlagKeyringPassphraseFile, "", "read the keyring passphrase from the first line of this file (else $"+client.EnvKeyringPassphrase+", else a prompt)")
	cmd.Flags().String(FlagFrom, "", "the signing key: a key name or a bech32 address of a key in the keyring (the positional KEY may then be left out)")
}

// KeyArgs checks the positional arguments of a transaction command that
// are the signing KEY and then min-1 to max-1 others. With --from, KEY may
// be left out.
func KeyArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		lo := min
		if from, _ := cmd.Flags().GetString(FlagFrom); from != "" {
			lo--
		}
		if lo == max {
			return cobra.ExactArgs(max)(cmd, args)
		}
		return cobra.RangeArgs(lo, max)(cmd, args)
	}
}

// SigningKey returns the key a transaction command signs with and the
// arguments after KEY, for arguments checked by KeyArgs(min, max): the key
// of --from (a name or an address), else of the first argument. With
// --from, the first argument is KEY when there are max arguments, or
// between min and max that start with a key of the keyring; KEY and
// --from must then be the same key.
func SigningKey(cmd *cobra.Command, args []string, min, max int) (client.Key, []string, error) {
	kr, err := Keyring(cmd)
	if err != nil {
		return client.Key{}, nil, err
	}
	from, _ := cmd.Flags().GetString(FlagFrom)
	if from == "" {
		if len(args) == 0 {
			return client.Key{}, nil, fmt.Errorf("give the signing key: KEY or --%s", FlagFrom)
		}
		info, err := kr.Find(args[0])
		if err != nil {
			return client.Key{}, nil, err
		}
		k, err := kr.Load(info.Name)
		return k, args[1:], err
	}
	info, err := kr.Find(from)
	if err != nil {
		return client.Key{}, nil, fmt.Errorf("--%s: %w", FlagFrom, err)
	}
	if len(args) > 0 && len(args) >= min {
		pos, err := kr.Find(args[0])
		switch {
		case err == nil && pos.Name != info.Name:
			return client.Key{}, nil, fmt.Errorf("--%s %s and KEY %s are different keys (%s, %s): give one of them", FlagFrom, from, args[0], info.Name, pos.Name)
		case err == nil:
			args = args[1:]
		case len(args) == max:
			return client.Key{}, nil, err
		}
	}
	k, err := kr.Load(info.Name)
	return k, args, err
}
