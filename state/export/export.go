// Package export writes a committed version of a chain's state as a
// genesis, and reads it back: every store's keys and values, as they are.
//
// A chain started from such a genesis (at the next height, by the same
// validators) holds exactly the state the exported chain had, so it
// answers every query the same way and executes the next block the same
// way. Only the app hash differs: IAVL's tree shape and node versions are
// part of it, and the imported trees are written in one version.
//
// The form is the app_state of a CometBFT genesis:
//
//	{"icsd_state": {"height": "41", "app_hash": "<hex>",
//	  "stores": {"auth": [["<key base64>", "<value base64>"], ...], ...}}}
//
// with stores by name and each store's entries in ascending key order.
// Height and app hash name the exported version; they are information, the
// importing chain starts at height+1.
package export

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/abci-ics/ics/state"
)

// Key is the app_state field that marks an exported state.
const Key = "icsd_state"

// ErrInvalid is wrapped by every error of Parse.
var ErrInvalid = errors.New("invalid state export")

// State is an exported version of a chain's state.
type State struct {
	Height  int64
	AppHash []byte
	Stores  []Store // by name
}

// Store is one store's contents.
type Store struct {
	Name    string
	Entries []Entry // by key, ascending
}

// Entry is one key and its value.
type Entry struct{ Key, Value []byte }

// Names returns the stores' names, sorted.
func (s *State) Names() []string {
	names := make([]string, len(s.Stores))
	for i, st := range s.Stores {
		names[i] = st.Name
	}
	return names
}

// FromView reads every store of v, a committed version.
func FromView(v *state.View) (*State, error) {
	s := &State{Height: v.Version(), AppHash: v.Hash()}
	for _, name := range v.Names() {
		st := Store{Name: name}
		it := v.KV(name).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			st.Entries = append(st.Entries, Entry{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
		}
		if err := it.Close(); err != nil {
			return nil, fmt.Errorf("export store %q of version %d: %w", name, v.Version(), err)
		}
		s.Stores = append(s.Stores, st)
	}
	return s, nil
}

// Write sets every entry of s in w, which must have exactly s's stores.
func (s *State) Write(w state.Store) {
	for _, st := range s.Stores {
		kv := w.KV(st.Name)
		for _, e := range st.Entries {
			kv.Set(e.Key, e.Value)
		}
	}
}

// WriteJSON writes s as app_state (see the package documentation),
// streaming its entries.
func (s *State) WriteJSON(w io.Writer) error {
	b := make([]byte, 0, 64<<10)
	b = fmt.Appendf(b, `{%q:{"height":"%d","app_hash":"%X","stores":{`, Key, s.Height, s.AppHash)
	for i, st := range s.Stores {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(strconv.AppendQuote(b, st.Name), ":["...)
		for j, e := range st.Entries {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `["`...)
			b = base64.StdEncoding.AppendEncode(b, e.Key)
			b = append(b, `","`...)
			b = base64.StdEncoding.AppendEncode(b, e.Value)
			b = append(b, `"]`...)
			if len(b) >= 60<<10 {
				if _, err := w.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		b = append(b, ']')
	}
	b = append(b, "}}}"...)
	_, err := w.Write(b)
	return err
}

// JSON returns s as app_state.
func (s *State) JSON() ([]byte, error) {
	var buf bytes.Buffer
	err := s.WriteJSON(&buf)
	return buf.Bytes(), err
}

// Parse reads appState. It returns ok false, and no error, when appState is
// not an export (has no icsd_state field); for an export, an error wrapping
// ErrInvalid when it is malformed: unknown fields, store names not sorted,
// unique and valid, keys empty, repeated or out of order.
func Parse(appState []byte) (s *State, ok bool, err error) {
	var top map[string]json.RawMessage
	if json.Unmarshal(appState, &top) != nil {
		return nil, false, nil // not an object: not an export; the chain's genesis decoder says why
	}
	raw, ok := top[Key]
	if !ok {
		return nil, false, nil
	}
	if len(top) != 1 {
		return nil, true, fmt.Errorf("%w: app_state has %q and other fields", ErrInvalid, Key)
	}
	var in struct {
		Height  string                     `json:"height"`
		AppHash string                     `json:"app_hash"`
		Stores  map[string]json.RawMessage `json:"stores"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, true, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	s = &State{}
	if s.Height, err = strconv.ParseInt(in.Height, 10, 64); err != nil || s.Height < 1 {
		return nil, true, fmt.Errorf("%w: height %q", ErrInvalid, in.Height)
	}
	if s.AppHash, err = hex.DecodeString(in.AppHash); err != nil {
		return nil, true, fmt.Errorf("%w: app_hash: %v", ErrInvalid, err)
	}
	if len(in.Stores) == 0 {
		return nil, true, fmt.Errorf("%w: no stores", ErrInvalid)
	}
	for _, name := range slices.Sorted(maps.Keys(in.Stores)) {
		st, err := parseStore(name, in.Stores[name])
		if err != nil {
			return nil, true, err
		}
		s.Stores = append(s.Stores, st)
	}
	return s, true, nil
}

func parseStore(name string, raw json.RawMessage) (Store, error) {
	if name == "" || bytes.ContainsRune([]byte(name), '/') {
		return Store{}, fmt.Errorf("%w: store name %q", ErrInvalid, name)
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return Store{}, fmt.Errorf("%w: store %q: %v", ErrInvalid, name, err)
	}
	st := Store{Name: name, Entries: make([]Entry, len(pairs))}
	for i, p := range pairs {
		if len(p) != 2 {
			return Store{}, fmt.Errorf("%w: store %q, entry %d: %d strings, want a key and a value", ErrInvalid, name, i, len(p))
		}
		k, err := base64.StdEncoding.DecodeString(p[0])
		if err == nil && len(k) == 0 {
			err = errors.New("empty key")
		}
		if err == nil && i > 0 && bytes.Compare(st.Entries[i-1].Key, k) >= 0 {
			err = errors.New("keys not in ascending order")
		}
		if err != nil {
			return Store{}, fmt.Errorf("%w: store %q, entry %d: key: %v", ErrInvalid, name, i, err)
		}
		v, err := base64.StdEncoding.DecodeString(p[1])
		if err != nil {
			return Store{}, fmt.Errorf("%w: store %q, entry %d: value: %v", ErrInvalid, name, i, err)
		}
		st.Entries[i] = Entry{k, append([]byte{}, v...)} // values are never nil
	}
	return st, nil
}
