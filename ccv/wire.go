package ccv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// This file holds the strict JSON readers and the writer helpers shared by
// the packet types. Reading is done member by member so that names match
// exactly (encoding/json alone matches names case-insensitively and keeps the
// last of duplicate members).

// invalid returns an error wrapping ErrInvalidPacketData.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidPacketData, fmt.Sprintf(format, args...))
}

// readObject splits the JSON object raw into its members. Every name in
// names must be present exactly once and no other name may appear.
func readObject(raw []byte, names ...string) (map[string]json.RawMessage, error) {
	m, err := readMembers(raw, names)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, ok := m[name]; !ok {
			return nil, invalid("missing field %q", name)
		}
	}
	return m, nil
}

// readMembers splits the JSON object raw into its members. Names must be in
// names and appear at most once; missing names are left to the caller.
func readMembers(raw []byte, names []string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, invalid("malformed JSON: %v", err)
	}
	if tok != json.Delim('{') {
		return nil, invalid("want an object, got %s", describe(tok))
	}
	members := make(map[string]json.RawMessage, len(names))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid("malformed JSON: %v", err)
		}
		name, _ := tok.(string)
		if !contains(names, name) {
			return nil, invalid("unknown field %q", name)
		}
		if _, dup := members[name]; dup {
			return nil, invalid("duplicate field %q", name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, invalid("field %q: malformed JSON: %v", name, err)
		}
		members[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, invalid("malformed JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("trailing data after JSON object")
	}
	return members, nil
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func describe(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case json.Delim:
		return "an array"
	}
	return fmt.Sprintf("%v", tok)
}

// readArray splits the JSON array raw into its elements.
func readArray(raw []byte) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, invalid("want an array, got %.20s", raw)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, invalid("malformed array: %v", err)
	}
	return elems, nil
}

// readString decodes the JSON string raw; null and other types are errors.
func readString(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", invalid("want a string, got %.20s", raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalid("malformed string: %v", err)
	}
	return s, nil
}

// readUint64 decodes a uint64 written as a canonical decimal string.
func readUint64(raw []byte) (uint64, error) {
	s, err := readString(raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, invalid("%q is not a canonical uint64", s)
	}
	return n, nil
}

// readPower decodes a non-negative int64 written as a canonical decimal
// string.
func readPower(raw []byte) (int64, error) {
	s, err := readString(raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, invalid("%q is not a canonical int64", s)
	}
	if n < 0 {
		return 0, invalid("negative power %d", n)
	}
	return n, nil
}

// readBytes decodes canonical padded standard base64 of exactly size bytes.
func readBytes(raw []byte, size int) ([]byte, error) {
	s, err := readString(raw)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return nil, invalid("%q is not canonical base64", s)
	}
	if len(b) != size {
		return nil, invalid("got %d bytes, want %d", len(b), size)
	}
	return b, nil
}

// writer builds compact JSON. Writes to a bytes.Buffer do not fail.
type writer struct{ bytes.Buffer }

func (w *writer) str(s string) {
	b, _ := json.Marshal(s) // A string always marshals.
	w.Write(b)
}

func (w *writer) quotedInt(n int64) {
	w.WriteByte('"')
	w.WriteString(strconv.FormatInt(n, 10))
	w.WriteByte('"')
}

func (w *writer) quotedUint(n uint64) {
	w.WriteByte('"')
	w.WriteString(strconv.FormatUint(n, 10))
	w.WriteByte('"')
}

func (w *writer) base64(b []byte) {
	w.WriteByte('"')
	w.WriteString(base64.StdEncoding.EncodeToString(b))
	w.WriteByte('"')
}
