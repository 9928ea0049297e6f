// Package keys holds `icsd keys`: the account keys of the keyring in
// HOME/keyring (package client keeps them). add makes a key from a new
// 24-word mnemonic, printed once, or restores one from its mnemonic
// (--recover), an ed25519 key or, with --algo secp256k1, a key for Cosmos
// SDK signers such as stock relayers; list and show tell names, addresses and public keys without
// the passphrase; delete, export (encrypted with an export passphrase, or
// the raw key with --unarmored-hex --unsafe), import and
// import-validator-key complete the set; encrypt makes a test keyring a
// file keyring. A new keyring is a file keyring,
// its keys encrypted with a passphrase from --keyring-passphrase-file,
// $ICSD_KEYRING_PASSPHRASE or a prompt; --keyring-backend test keeps them
// in the clear, as icsd init and icsd testnet do.
package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/types/address"
)

// keyJSON is a key as -o json prints it; every field is a string.
type keyJSON struct {
	Name     string `json:"name"`
	Algo     string `json:"algo,omitempty"` // secp256k1 only: ed25519 is the default
	Address  string `json:"address"`
	PubKey   []byte `json:"pub_key"`
	Mnemonic string `json:"mnemonic,omitempty"`
}

const mnemonicWarning = `Important: write this mnemonic down and keep it in a safe place. It is the only way
to recover the key if the key file or the keyring passphrase is lost; icsd does not keep it.`

const flagExportPassphraseFile = "export-passphrase-file"

// Command returns icsd keys; prefix gives the bech32 prefix of the
// addresses it prints.
func Command(prefix func(*cobra.Command) string) *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Manage the account keys in HOME/keyring",
		Long: `keys manages the account keys in HOME/keyring. A new keyring is a file keyring: each key
is encrypted with the keyring's passphrase (scrypt and XChaCha20-Poly1305), read from
--keyring-passphrase-file, else $` + client.EnvKeyringPassphrase + `, else a prompt. A test keyring
(--keyring-backend test, and the keyrings icsd init and icsd testnet write) keeps keys in the
clear, for test networks. The backend is recorded in HOME/keyring/backend; a keyring from
before backends is a test keyring. New keys come from a 24-word BIP-39 mnemonic (SLIP-0010
ed25519 on ` + client.HDPath + `): add --recover restores a key from it.`,
	}
	c.PersistentFlags().String("prefix", "", "bech32 prefix (default: the one in HOME's genesis, else ics)")
	cli.AddKeyringFlags(c.PersistentFlags())
	show := func(cmd *cobra.Command, name, algo string, pub []byte) keyJSON {
		i := client.KeyInfo{Name: name, Algo: algo, PubKey: pub}
		kj := keyJSON{Name: name, Address: address.Encode(prefix(cmd), i.Address()), PubKey: pub}
		if algo == client.AlgoSecp256k1 {
			kj.Algo = algo
		}
		return kj
	}
	cmds := []*cobra.Command{addCmd(show), listCmd(show), showCmd(show), deleteCmd(show), exportCmd(), importCmd(show), importValidatorCmd(show), encryptCmd()}
	for _, s := range cmds {
		cli.AddOutputFlag(s)
	}
	c.AddCommand(cmds...)
	return c
}

type showFunc func(cmd *cobra.Command, name, algo string, pub []byte) keyJSON

func addCmd(show showFunc) *cobra.Command {
	c := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a key from a new 24-word mnemonic (printed once), or restore one with --recover",
		Long: `add creates key NAME from a new 24-word BIP-39 mnemonic and prints the mnemonic once:
write it down, it is the only way to restore the key. With --recover it reads a mnemonic
from standard input (asking for it on a terminal) and restores the key it derives.

--algo secp256k1 makes a key for a Cosmos SDK signer, such as a stock relayer (rly, Hermes)
signing icsd's SDK transaction envelope: derived from the mnemonic on ` + client.SDKHDPath + `
(BIP-32, coin type 118) as the SDK derives it, its address ripemd160(sha256(public key)). Give
the relayer the same mnemonic (rly keys restore CHAIN NAME "MNEMONIC") and both show the same
address. icsd itself signs with ed25519 keys only: tx commands refuse a secp256k1 key.`,
		Example: `  icsd keys add alice
  ICSD_KEYRING_PASSPHRASE=... icsd keys add alice -o json
  icsd keys add alice --recover < mnemonic.txt --keyring-passphrase-file pass.txt
  icsd keys add relayer --algo secp256k1 --keyring-backend test`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			name := args[0]
			if _, err := kr.Info(name); !errors.Is(err, client.ErrKeyNotFound) {
				if err == nil {
					err = fmt.Errorf("%w: %q in %s", client.ErrKeyExists, name, kr.Dir())
				}
				return err
			}
			algo, _ := cmd.Flags().GetString("algo")
			if algo != client.AlgoEd25519 && algo != client.AlgoSecp256k1 {
				return fmt.Errorf("--algo %q: use %s or %s", algo, client.AlgoEd25519, client.AlgoSecp256k1)
			}
			rec, _ := cmd.Flags().GetBool("recover")
			var m, mnemonic string
			if rec {
				if m, err = cli.ReadLine(cmd, "Enter the mnemonic: "); err != nil {
					return err
				}
			}
			var info client.KeyInfo
			switch {
			case algo == client.AlgoSecp256k1 && rec:
				info, err = kr.RecoverSecp256k1(name, m)
			case algo == client.AlgoSecp256k1:
				info, mnemonic, err = kr.AddSecp256k1(name)
			default:
				var k client.Key
				if rec {
					k, err = kr.Recover(name, m)
				} else {
					k, mnemonic, err = kr.Add(name)
				}
				if err == nil {
					info = client.KeyInfo{Name: k.Name, Algo: client.AlgoEd25519, PubKey: k.Priv.PubKey().Bytes()}
				}
			}
			if err != nil {
				return err
			}
			kj := show(cmd, info.Name, info.Algo, info.PubKey)
			kj.Mnemonic = mnemonic
			// -o json prints the JSON alone, on standard error too: scripts
			// read both as one.
			return cli.PrintOut(cmd, kj, func(w io.Writer) {
				if kr.Backend() == client.BackendTest {
					fmt.Fprintf(cmd.ErrOrStderr(), "the keyring in %s is a test keyring: the key is stored unencrypted\n", kr.Dir())
				}
				fmt.Fprintf(w, "%s\t%s\n", kj.Name, kj.Address)
				if mnemonic != "" {
					fmt.Fprintf(w, "\n%s\n\n%s\n", mnemonicWarning, mnemonic)
				}
			})
		},
	}
	c.Flags().Bool("recover", false, "restore the key from a mnemonic read from standard input")
	c.Flags().String("algo", client.AlgoEd25519, "key algorithm: ed25519 (icsd's own transactions) or secp256k1 (a Cosmos SDK signer such as a stock relayer: BIP-32 on "+client.SDKHDPath+", the mnemonic restores it in rly or Hermes)")
	return c
}

func listCmd(show showFunc) *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "List the keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			infos, err := kr.List()
			if err != nil {
				return err
			}
			out := []keyJSON{}
			for _, i := range infos {
				out = append(out, show(cmd, i.Name, i.Algo, i.PubKey))
			}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				for _, kj := range out {
					fmt.Fprintf(w, "%s\t%s\n", kj.Name, kj.Address)
				}
			})
		},
	}
}

func showCmd(show showFunc) *cobra.Command {
	c := &cobra.Command{
		Use: "show NAME|ADDRESS", Short: "Show a key's address and public key (--address: the address alone)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			i, err := kr.Find(args[0])
			if err != nil {
				return err
			}
			kj := show(cmd, i.Name, i.Algo, i.PubKey)
			if only, _ := cmd.Flags().GetBool("address"); only {
				fmt.Fprintln(cmd.OutOrStdout(), kj.Address)
				return nil
			}
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintln(w, kj.Address) })
		},
	}
	c.Flags().BoolP("address", "a", false, "print the bech32 address alone")
	return c
}

func deleteCmd(show showFunc) *cobra.Command {
	c := &cobra.Command{
		Use: "delete NAME", Short: "Delete a key (asks for confirmation unless --yes)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			i, err := kr.Info(args[0])
			if err != nil {
				return err
			}
			kj := show(cmd, i.Name, i.Algo, i.PubKey)
			if yes, _ := cmd.Flags().GetBool("yes"); !yes {
				answer, err := cli.ReadLine(cmd, fmt.Sprintf("Delete key %s (%s)? Without its mnemonic or an export it is lost. [y/N] ", kj.Name, kj.Address))
				if err != nil {
					return fmt.Errorf("key %s not deleted: confirm with y on standard input, or give --yes", kj.Name)
				}
				if a := strings.ToLower(answer); a != "y" && a != "yes" {
					return fmt.Errorf("key %s not deleted", kj.Name)
				}
			}
			if err := kr.Delete(i.Name); err != nil {
				return err
			}
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintf(w, "deleted key %s (%s)\n", kj.Name, kj.Address) })
		},
	}
	c.Flags().BoolP("yes", "y", false, "delete without asking")
	return c
}

// exportPassphrase returns the first line of --export-passphrase-file, or
// asks for it on the terminal (twice when confirm is set).
func exportPassphrase(cmd *cobra.Command, confirm bool) ([]byte, error) {
	if file, _ := cmd.Flags().GetString(flagExportPassphraseFile); file != "" {
		return cli.ReadPassphraseFile(file)
	}
	if !cli.StdinIsTerminal(cmd) {
		return nil, fmt.Errorf("give --%s, or run in a terminal", flagExportPassphraseFile)
	}
	return cli.PromptPassphrase(cmd, "export passphrase", confirm)
}

func exportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export NAME",
		Short: "Print a key encrypted with a new export passphrase, for keys import (or the raw key with --unarmored-hex --unsafe)",
		Long: `export prints key NAME as a PEM block of type ICSD PRIVATE KEY, encrypted with an export
passphrase (asked twice, or the first line of --export-passphrase-file) that keys import
needs. With --unarmored-hex --unsafe it prints the raw 64-byte ed25519 private key (seed then
public key, CometBFT's layout) in hex: anyone who sees it owns the account.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, _ := cmd.Flags().GetBool("unarmored-hex")
			unsafe, _ := cmd.Flags().GetBool("unsafe")
			if raw && !unsafe {
				return errors.New("--unarmored-hex prints the private key in the clear: add --unsafe to mean it")
			}
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			if raw {
				k, err := kr.Load(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), hex.EncodeToString(k.Priv))
				return nil
			}
			if _, err := kr.Load(args[0]); err != nil {
				return err
			}
			pass, err := exportPassphrase(cmd, true)
			if err != nil {
				return err
			}
			armored, err := kr.Export(args[0], pass)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(armored)
			return err
		},
	}
	c.Flags().Bool("unarmored-hex", false, "print the raw private key in hex (needs --unsafe)")
	c.Flags().Bool("unsafe", false, "confirm --unarmored-hex")
	c.Flags().String(flagExportPassphraseFile, "", "read the export passphrase from the first line of this file")
	return c
}

func importCmd(show showFunc) *cobra.Command {
	c := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Save as NAME the key of a keys export in FILE (- for standard input)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			var armored []byte
			if args[1] == "-" {
				armored, err = io.ReadAll(cmd.InOrStdin())
			} else {
				armored, err = os.ReadFile(args[1])
			}
			if err != nil {
				return err
			}
			pass, err := exportPassphrase(cmd, false)
			if err != nil {
				return err
			}
			k, err := kr.Import(args[0], armored, pass)
			if err != nil {
				return err
			}
			kj := show(cmd, k.Name, client.AlgoEd25519, k.Priv.PubKey().Bytes())
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintf(w, "imported %s: %s\n", kj.Name, kj.Address) })
		},
	}
	c.Flags().String(flagExportPassphraseFile, "", "read the export passphrase from the first line of this file")
	return c
}

func importValidatorCmd(show showFunc) *cobra.Command {
	return &cobra.Command{
		Use: "import-validator-key NAME FILE", Short: "Save a node's consensus key (priv_validator_key.json) as account key NAME",
		Long: `import-validator-key saves the ed25519 key of a CometBFT priv_validator_key.json as
account key NAME. The account of a validator's consensus key operates the validator that a
consumer's sovereign transition creates for a member of its last CCV set that had none: with
this key its operator can edit it, withdraw its rewards and unbond (docs/sovereignty.md).`,
		Example: "  icsd keys import-validator-key operator ~/.icsd/config/priv_validator_key.json",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			k, err := kr.ImportValidatorKey(args[0], args[1])
			if err != nil {
				return err
			}
			kj := show(cmd, k.Name, client.AlgoEd25519, k.Priv.PubKey().Bytes())
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintf(w, "imported %s: %s\n", kj.Name, kj.Address) })
		},
	}
}

func encryptCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "encrypt",
		Short: "Make a test keyring (icsd init's) a file keyring: encrypt each key in the clear with the keyring passphrase",
		Long: `encrypt makes the keyring a file keyring: each key kept in the clear (a test keyring, such
as the one icsd init writes) is encrypted with the keyring passphrase, a new one when no key is
encrypted yet (asked twice, or --keyring-passphrase-file, or $` + client.EnvKeyringPassphrase + `). The keys
stay the same. Programs that then load them without a terminal (the relayer, icsd genesis
add-validator) read the passphrase from $` + client.EnvKeyringPassphrase + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := cli.Keyring(cmd)
			if err != nil {
				return err
			}
			done, err := kr.Encrypt()
			if err != nil {
				if len(done) > 0 {
					err = fmt.Errorf("%w (encrypted before it: %s)", err, strings.Join(done, ", "))
				}
				return err
			}
			out := map[string]any{"keyring": kr.Dir(), "backend": kr.Backend(), "encrypted": done}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "%s is a file keyring; %d key(s) encrypted", kr.Dir(), len(done))
				if len(done) > 0 {
					fmt.Fprintf(w, ": %s", strings.Join(done, ", "))
				}
				fmt.Fprintln(w)
			})
		},
	}
}
