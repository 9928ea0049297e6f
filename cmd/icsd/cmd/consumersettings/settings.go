package consumersettings

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// section names a part of a consumer record that a message sets as a
// whole.
type section uint8

const (
	secMetadata section = 1 << iota
	secInit
	secShaping
	secInfraction
)

// Settings is what create-consumer, update-consumer and
// submit-consumer-update set. It starts from a base (defaults, or the
// consumer as it is); flags or a file change fields of it, and a section
// with any field changed is sent whole, so a change of one field keeps
// the others.
type Settings struct {
	// ChainID is the consumer's chain id (create-consumer only).
	ChainID string
	// NewOwner is the account an update hands the consumer over to, if any.
	NewOwner []byte
	// Metadata is the metadata section.
	Metadata registry.ConsumerMetadata
	// Init is the initialization parameters section.
	Init registry.ConsumerInitializationParameters
	// PowerShaping is the power shaping parameters section.
	PowerShaping registry.PowerShapingParameters
	// Infraction is the infraction parameters section.
	Infraction registry.InfractionParameters
	given      section
}

// defaultSettings is the base of a new consumer: initial height 1, the
// default consumer parameters, no spawn time, opt-in, and the default
// provider parameters' punishments.
func defaultSettings() Settings {
	return Settings{
		Init:       registry.ConsumerInitializationParameters{InitialHeight: 1, Params: ccv.DefaultConsumerParams()},
		Infraction: provider.DefaultInfractionParameters(provider.DefaultParams()),
	}
}

// createMsg is the MsgCreateConsumer of s from submitter: it always
// carries initialization and power shaping parameters, and infraction
// parameters only when they were given (nil takes the provider's).
func (s *Settings) createMsg(submitter []byte) *registry.MsgCreateConsumer {
	init, shaping := s.Init, s.PowerShaping
	m := &registry.MsgCreateConsumer{Submitter: submitter, ChainId: s.ChainID, Metadata: s.Metadata,
		InitializationParameters: &init, PowerShapingParameters: &shaping}
	if s.given&secInfraction != 0 {
		inf := s.Infraction
		m.InfractionParameters = &inf
	}
	return m
}

// updateMsg is the MsgUpdateConsumer of s from owner: the sections given,
// and the new owner when one was.
func (s *Settings) updateMsg(owner []byte, consumerID string) *registry.MsgUpdateConsumer {
	m := &registry.MsgUpdateConsumer{Owner: owner, ConsumerId: consumerID, NewOwner: s.NewOwner}
	if s.given&secMetadata != 0 {
		md := s.Metadata
		m.Metadata = &md
	}
	if s.given&secInit != 0 {
		init := s.Init
		m.InitializationParameters = &init
	}
	if s.given&secShaping != 0 {
		shaping := s.PowerShaping
		m.PowerShapingParameters = &shaping
	}
	if s.given&secInfraction != 0 {
		inf := s.Infraction
		m.InfractionParameters = &inf
	}
	return m
}

// ConnectionHelp is the help of --connection.
const ConnectionHelp = "with --changeover: the provider's end of an open connection to the standalone chain (connection-N); the consumer is tracked by its client and the CCV channel opens on it, beside the chains' transfer channels (default: new clients and connection)"

// The flags of each section, as AddFlags adds them.
var (
	metadataFlags   = []string{"name", "description", "metadata"}
	initFlags       = append([]string{"spawn-time", "initial-height", "changeover", "connection"}, paramFlags...)
	shapingFlags    = []string{"top-n", "validators-power-cap", "validator-set-cap", "allowlist", "denylist", "prioritylist", "min-stake", "allow-inactive-vals"}
	infractionFlags = []string{"downtime-slash-fraction", "downtime-jail-duration", "downtime-tombstone",
		"double-sign-slash-fraction", "double-sign-jail-duration", "double-sign-tombstone"}
)

// AddFlags adds to f the flags of Settings: --chain-id for
// create-consumer (create), --new-owner for an update.
func AddFlags(f *pflag.FlagSet, create bool) {
	if create {
		f.String("chain-id", "", "the consumer's chain id (required unless FILE gives chain_id)")
	} else {
		f.String("new-owner", "", `hand the consumer over to this account (bech32 address, or "gov" for governance)`)
	}
	f.String("name", "", "the consumer's name")
	f.String("description", "", "the consumer's description")
	f.String("metadata", "", "free text about the consumer (a URL, a JSON document)")
	f.String("spawn-time", "", `when the provider launches the consumer: RFC 3339, or a duration from now (2m); "none": no spawn time, the consumer stays registered`)
	f.Uint64("initial-height", 1, "the consumer's first block height")
	f.Bool("changeover", false, "the chain id names a running standalone chain, which becomes the consumer at --initial-height (its upgrade height) instead of starting a new chain")
	f.String("connection", "", ConnectionHelp)
	AddParamFlags(f)
	f.Uint32("top-n", 0, "0: opt-in; 50 to 100: validators holding this percent of the provider's power must validate (needs governance as the owner)")
	f.Uint32("validators-power-cap", 0, "no validator gets more than this percent of the consumer's power (0: no cap, else 1 to 100)")
	f.Uint32("validator-set-cap", 0, "at most this many validators (0: no cap)")
	f.StringSlice("allowlist", nil, `only these validators may validate (valcons addresses; repeat the flag or separate with commas; "" empties the list)`)
	f.StringSlice("denylist", nil, "these validators may not validate (valcons addresses)")
	f.StringSlice("prioritylist", nil, "these validators come first when the set is capped (valcons addresses)")
	f.Uint64("min-stake", 0, "bonded tokens a validator needs to validate")
	f.Bool("allow-inactive-vals", false, "let validators outside the provider's active set validate")
	for _, inf := range []struct{ name, what string }{{"downtime", "downtime"}, {"double-sign", "double signing"}} {
		f.String(inf.name+"-slash-fraction", "", "share of the stake slashed for "+inf.what+" (0.05 or 1/20)")
		f.Duration(inf.name+"-jail-duration", 0, "how long "+inf.what+" jails (0: not jailed; with tombstone: forever)")
		f.Bool(inf.name+"-tombstone", false, "tombstone a validator for "+inf.what)
	}
}

func anyChanged(f *pflag.FlagSet, names []string) bool {
	return slices.ContainsFunc(names, f.Changed)
}

// settingsSource returns the function that applies the settings the user
// gave, as flags or in the file named by fileArg (at most one element),
// to a base. It reads the file and refuses flags with a file; parsing
// happens when the function is called, so it may run on several bases.
func settingsSource(f *pflag.FlagSet, fileArg []string, update bool) (func(*Settings) error, error) {
	if len(fileArg) == 0 {
		return func(s *Settings) error { return s.applyFlags(f) }, nil
	}
	names := slices.Concat([]string{"chain-id", "new-owner"}, metadataFlags, initFlags, shapingFlags, infractionFlags)
	if i := slices.IndexFunc(names, f.Changed); i >= 0 {
		return nil, fmt.Errorf("--%s with FILE: give the settings either in FILE or as flags", names[i])
	}
	bz, err := readFile(fileArg[0])
	if err != nil {
		return nil, err
	}
	return func(s *Settings) error {
		if err := s.applyJSON(bz, update, time.Now()); err != nil {
			return fmt.Errorf("%s: %w", fileArg[0], err)
		}
		return nil
	}, nil
}

// applyFlags sets the fields of the flags given on the command line.
func (s *Settings) applyFlags(f *pflag.FlagSet) error {
	str := func(name string) string { v, _ := f.GetString(name); return v }
	if f.Changed("chain-id") {
		s.ChainID = str("chain-id")
	}
	if f.Changed("new-owner") {
		owner, err := parseOwner(str("new-owner"))
		if err != nil {
			return fmt.Errorf("--new-owner: %w", err)
		}
		s.NewOwner = owner
	}
	if anyChanged(f, metadataFlags) {
		s.given |= secMetadata
		for name, field := range map[string]*string{"name": &s.Metadata.Name, "description": &s.Metadata.Description, "metadata": &s.Metadata.Metadata} {
			if f.Changed(name) {
				*field = str(name)
			}
		}
	}
	if anyChanged(f, initFlags) {
		s.given |= secInit
		if f.Changed("spawn-time") {
			t, err := parseSpawnTime(str("spawn-time"), time.Now())
			if err != nil {
				return fmt.Errorf("--spawn-time: %w", err)
			}
			s.Init.SpawnTime = t
		}
		if f.Changed("initial-height") {
			s.Init.InitialHeight, _ = f.GetUint64("initial-height")
		}
		if f.Changed("changeover") {
			s.Init.Changeover, _ = f.GetBool("changeover")
		}
		if f.Changed("connection") {
			s.Init.ConnectionId, _ = f.GetString("connection")
		}
		if err := applyParamFlags(f, &s.Init.Params); err != nil {
			return err
		}
	}
	if anyChanged(f, shapingFlags) {
		s.given |= secShaping
		if err := applyShapingFlags(f, &s.PowerShaping); err != nil {
			return err
		}
	}
	if anyChanged(f, infractionFlags) {
		s.given |= secInfraction
		if err := applyInfractionFlags(f, "downtime", &s.Infraction.Downtime); err != nil {
			return err
		}
		if err := applyInfractionFlags(f, "double-sign", &s.Infraction.DoubleSign); err != nil {
			return err
		}
	}
	return nil
}

func applyShapingFlags(f *pflag.FlagSet, p *registry.PowerShapingParameters) error {
	for name, field := range map[string]*uint32{"top-n": &p.TopN, "validators-power-cap": &p.ValidatorsPowerCap, "validator-set-cap": &p.ValidatorSetCap} {
		if f.Changed(name) {
			*field, _ = f.GetUint32(name)
		}
	}
	for _, name := range []string{"allowlist", "denylist", "prioritylist"} {
		if !f.Changed(name) {
			continue
		}
		vals, _ := f.GetStringSlice(name)
		list, err := parseValconsList(vals)
		if err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
		switch name {
		case "allowlist":
			p.Allowlist = list
		case "denylist":
			p.Denylist = list
		default:
			p.Prioritylist = list
		}
	}
	if f.Changed("min-stake") {
		p.MinStake, _ = f.GetUint64("min-stake")
	}
	if f.Changed("allow-inactive-vals") {
		p.AllowInactiveVals, _ = f.GetBool("allow-inactive-vals")
	}
	return nil
}

// applyInfractionFlags sets the punishment of one infraction from the
// flags --NAME-slash-fraction, --NAME-jail-duration and --NAME-tombstone.
func applyInfractionFlags(f *pflag.FlagSet, name string, p *registry.InfractionParams) error {
	if f.Changed(name + "-slash-fraction") {
		s, _ := f.GetString(name + "-slash-fraction")
		fr, err := fraction.Parse(s)
		if err != nil {
			return fmt.Errorf("--%s-slash-fraction: %w", name, err)
		}
		p.SlashFraction = fr
	}
	if f.Changed(name + "-jail-duration") {
		d, _ := f.GetDuration(name + "-jail-duration")
		if d < 0 {
			return fmt.Errorf("--%s-jail-duration: %s is negative", name, d)
		}
		p.JailDuration = d
	}
	if f.Changed(name + "-tombstone") {
		p.Tombstone, _ = f.GetBool(name + "-tombstone")
	}
	return nil
}

// parseSpawnTime reads a spawn time as Unix nanoseconds: "" or "none" is
// none (0), else as ParseWhen.
func parseSpawnTime(s string, now time.Time) (int64, error) {
	if s == "" || s == "none" {
		return 0, nil
	}
	t, err := ParseWhen(s, now)
	if err != nil {
		return 0, err
	}
	if t.UnixNano() <= 0 {
		return 0, fmt.Errorf("%q is not after 1970", s)
	}
	return t.UnixNano(), nil
}

// parseValcons reads a provider consensus address: bech32 under a prefix
// that ends in "valcons" (icsvalcons1...), or 40 hex digits.
func parseValcons(s string) ([]byte, error) {
	lower := strings.ToLower(s)
	if i := strings.LastIndexByte(lower, '1'); i > 0 && strings.HasSuffix(lower[:i], "valcons") {
		return address.Decode(lower[:i], s)
	}
	if bz, err := hex.DecodeString(s); err == nil && len(bz) == address.Len {
		return bz, nil
	}
	return nil, fmt.Errorf("%q is neither a bech32 valcons address (icsvalcons1...) nor %d hex digits", s, 2*address.Len)
}

// parseValconsList reads a list of consensus addresses, refusing
// duplicates; empty strings are skipped, so "" is the empty list.
func parseValconsList(vals []string) ([][]byte, error) {
	out := [][]byte{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		a, err := parseValcons(v)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(b []byte) bool { return bytes.Equal(a, b) }) {
			return nil, fmt.Errorf("%s appears twice", v)
		}
		out = append(out, a)
	}
	return out, nil
}

// parseOwner reads an account address (bech32), or "gov" for the
// governance module account.
func parseOwner(s string) ([]byte, error) {
	if s == "gov" {
		return gov.ModuleAddress(), nil
	}
	return address.Decode("", s)
}

// The JSON file of create-consumer and update-consumer. applyJSON reads
// it onto s: every field present replaces the base's, every field absent
// keeps it, and a section present counts as given. Values take the
// friendly forms below and the forms of proto3 JSON, so that the sections
// of `icsd query provider consumer ID -o json` can be copied in:
//
//	durations:    "504h", "90s", "1728000s" (proto3 JSON's form), or nanoseconds (a number or a string of digits)
//	fractions:    "0.05", "1/20", or {"numerator": "1", "denominator": "20"}
//	spawn_time:   RFC 3339, a duration from now ("10m"), Unix nanoseconds, or ""/"none"/0 for none
//	integers:     a number or a string of digits
//	address lists: bech32 valcons addresses or 40 hex digits
func (s *Settings) applyJSON(bz []byte, update bool, now time.Time) error {
	fields := fieldSet{
		"metadata": s.sectionField(secMetadata, fieldSet{
			"name":        stringField(&s.Metadata.Name),
			"description": stringField(&s.Metadata.Description),
			"metadata":    stringField(&s.Metadata.Metadata),
		}),
		"initialization_parameters": s.sectionField(secInit, fieldSet{
			"spawn_time":     spawnField(&s.Init.SpawnTime, now),
			"initial_height": uintField(&s.Init.InitialHeight),
			"changeover":     boolField(&s.Init.Changeover),
			"connection_id":  stringField(&s.Init.ConnectionId),
			"params":         objectField(paramsFields(&s.Init.Params)),
		}),
		"power_shaping_parameters": s.sectionField(secShaping, fieldSet{
			"top_n":                uint32Field(&s.PowerShaping.TopN),
			"validators_power_cap": uint32Field(&s.PowerShaping.ValidatorsPowerCap),
			"validator_set_cap":    uint32Field(&s.PowerShaping.ValidatorSetCap),
			"allowlist":            addrListField(&s.PowerShaping.Allowlist),
			"denylist":             addrListField(&s.PowerShaping.Denylist),
			"prioritylist":         addrListField(&s.PowerShaping.Prioritylist),
			"min_stake":            uintField(&s.PowerShaping.MinStake),
			"allow_inactive_vals":  boolField(&s.PowerShaping.AllowInactiveVals),
		}),
		"infraction_parameters": s.sectionField(secInfraction, fieldSet{
			"double_sign": objectField(infractionFields(&s.Infraction.DoubleSign)),
			"downtime":    objectField(infractionFields(&s.Infraction.Downtime)),
		}),
	}
	if update {
		fields["new_owner"] = func(raw json.RawMessage) error {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			owner, err := parseOwner(v)
			s.NewOwner = owner
			return err
		}
	} else {
		fields["chain_id"] = stringField(&s.ChainID)
	}
	return applyObject(bz, fields)
}

func paramsFields(p *ccv.ConsumerParams) fieldSet {
	return fieldSet{
		"unbonding_period":                     durationField(&p.UnbondingPeriod),
		"ccv_timeout_period":                   durationField(&p.CcvTimeoutPeriod),
		"transfer_timeout_period":              durationField(&p.TransferTimeoutPeriod),
		"consumer_redistribution_fraction":     fractionField(&p.ConsumerRedistributionFraction),
		"blocks_per_distribution_transmission": intField(&p.BlocksPerDistributionTransmission),
		"historical_entries":                   intField(&p.HistoricalEntries),
		"retry_delay_period":                   durationField(&p.RetryDelayPeriod),
		"signed_blocks_window":                 intField(&p.SignedBlocksWindow),
		"min_signed_per_window":                fractionField(&p.MinSignedPerWindow),
		"distribution_transmission_channel":    stringField(&p.DistributionTransmissionChannel),
		"consumer_redistribution_address":      stringField(&p.ConsumerRedistributionAddress),
	}
}

func infractionFields(p *registry.InfractionParams) fieldSet {
	return fieldSet{
		"slash_fraction": fractionField(&p.SlashFraction),
		"jail_duration":  durationField(&p.JailDuration),
		"tombstone":      boolField(&p.Tombstone),
	}
}

// fieldSet maps the keys of a JSON object to the functions that apply
// their values.
type fieldSet map[string]func(json.RawMessage) error

// fieldError is an error in the value at path (keys joined by dots).
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// applyObject applies each key of the JSON object raw with its function
// in fields, in key order; an unknown key is an error.
func applyObject(raw json.RawMessage, fields fieldSet) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return errors.New("want a JSON object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		apply, ok := fields[k]
		if !ok {
			known := make([]string, 0, len(fields))
			for f := range fields {
				known = append(known, f)
			}
			slices.Sort(known)
			return fmt.Errorf("unknown field %q (known: %s)", k, strings.Join(known, ", "))
		}
		if err := apply(m[k]); err != nil {
			if fe, ok := err.(*fieldError); ok {
				return &fieldError{k + "." + fe.path, fe.err}
			}
			return &fieldError{k, err}
		}
	}
	return nil
}

func objectField(fields fieldSet) func(json.RawMessage) error {
	return func(raw json.RawMessage) error { return applyObject(raw, fields) }
}

// sectionField applies a section's object and marks it given; null is as
// absent.
func (s *Settings) sectionField(sec section, fields fieldSet) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if string(bytes.TrimSpace(raw)) == "null" {
			return nil
		}
		s.given |= sec
		return applyObject(raw, fields)
	}
}

// scalarText returns the text of a JSON string or number and whether it
// was a string.
func scalarText(raw json.RawMessage) (string, bool, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", false, err
	}
	switch v := v.(type) {
	case string:
		return v, true, nil
	case json.Number:
		return v.String(), false, nil
	}
	return "", false, fmt.Errorf("want a string or a number, got %s", raw)
}

func stringField(p *string) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if err := json.Unmarshal(raw, p); err != nil {
			return fmt.Errorf("want a string, got %s", raw)
		}
		return nil
	}
}

func boolField(p *bool) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if err := json.Unmarshal(raw, p); err != nil {
			return fmt.Errorf("want true or false, got %s", raw)
		}
		return nil
	}
}

// parseUintText reads a JSON integer (number or digits) of bits bits.
func parseUintText(raw json.RawMessage, bits int) (uint64, error) {
	text, _, err := scalarText(raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(text, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s is not an integer from 0 to %d", raw, uint64(1)<<bits-1)
	}
	return n, nil
}

func uintField(p *uint64) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		n, err := parseUintText(raw, 64)
		*p = n
		return err
	}
}

func uint32Field(p *uint32) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		n, err := parseUintText(raw, 32)
		*p = uint32(n)
		return err
	}
}

func intField(p *int64) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		n, err := parseUintText(raw, 63)
		*p = int64(n)
		return err
	}
}

func durationField(p *time.Duration) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		text, quoted, err := scalarText(raw)
		if err != nil {
			return err
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			*p = time.Duration(n)
		} else if d, err := time.ParseDuration(text); quoted && err == nil {
			*p = d
		} else {
			return fmt.Errorf("%s is neither a duration (90s, 504h) nor nanoseconds", raw)
		}
		if *p < 0 {
			return fmt.Errorf("%s is negative", raw)
		}
		return nil
	}
}

func fractionField(p *fraction.Fraction) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
			var f fraction.Fraction
			err := applyObject(raw, fieldSet{"numerator": uintField(&f.Numerator), "denominator": uintField(&f.Denominator)})
			if err != nil {
				return err
			}
			if err := f.Validate(); err != nil {
				return err
			}
			*p = f
			return nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf(`want a fraction ("0.05", "1/20" or {"numerator", "denominator"}), got %s`, raw)
		}
		f, err := fraction.Parse(s)
		if err != nil {
			return err
		}
		*p = f
		return nil
	}
}

func spawnField(p *int64, now time.Time) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		text, _, err := scalarText(raw)
		if err != nil {
			return err
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n < 0 {
				return fmt.Errorf("%s is negative", raw)
			}
			*p = n
			return nil
		}
		t, err := parseSpawnTime(text, now)
		*p = t
		return err
	}
}

func addrListField(p *[][]byte) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var vals []string
		if err := json.Unmarshal(raw, &vals); err != nil {
			return fmt.Errorf("want a list of valcons addresses, got %s", raw)
		}
		list, err := parseValconsList(vals)
		*p = list
		return err
	}
}
