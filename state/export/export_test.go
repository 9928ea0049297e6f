package export

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	s := &State{Height: 41, AppHash: bytes.Repeat([]byte{0xab}, 32), Stores: []Store{
		{Name: "auth", Entries: []Entry{{[]byte{0}, []byte{}}, {[]byte("k1"), []byte("v1")}, {[]byte("k2"), bytes.Repeat([]byte{7}, 100_000)}}},
		{Name: "empty"},
		{Name: "z", Entries: []Entry{{[]byte{0xff}, []byte(`"quoted"`)}}},
	}}
	bz, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := Parse(bz)
	if err != nil || !ok {
		t.Fatalf("Parse: %v %v", ok, err)
	}
	s.Stores[1].Entries = []Entry{}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", got, s)
	}
	if got.Stores[0].Entries[0].Value == nil {
		t.Fatal("an empty value came back nil")
	}
}

func TestParse(t *testing.T) {
	for _, in := range []string{`{"auth":{}}`, `[]`, `not json`, ``} {
		if _, ok, err := Parse([]byte(in)); ok || err != nil {
			t.Errorf("%q: ok %v, err %v; want not an export", in, ok, err)
		}
	}
	const hash = `"app_hash":"AB"`
	for name, in := range map[string]string{
		"other fields":      `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[]}},"auth":{}}`,
		"unknown field":     `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[]},"x":1}}`,
		"height 0":          `{"icsd_state":{"height":"0",` + hash + `,"stores":{"a":[]}}}`,
		"height not int":    `{"icsd_state":{"height":"x",` + hash + `,"stores":{"a":[]}}}`,
		"bad hash":          `{"icsd_state":{"height":"1","app_hash":"zz","stores":{"a":[]}}}`,
		"no stores":         `{"icsd_state":{"height":"1",` + hash + `,"stores":{}}}`,
		"slash in name":     `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a/b":[]}}}`,
		"empty key":         `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[["","AA=="]]}}}`,
		"keys out of order": `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[["Ag==","AA=="],["AQ==","AA=="]]}}}`,
		"repeated key":      `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[["AQ==","AA=="],["AQ==","AA=="]]}}}`,
		"bad base64":        `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[["AQ==","!!"]]}}}`,
		"not a pair":        `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":[["AQ=="]]}}}`,
		"entries not list":  `{"icsd_state":{"height":"1",` + hash + `,"stores":{"a":{}}}}`,
	} {
		_, ok, err := Parse([]byte(in))
		if !ok || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: ok %v, err %v; want ErrInvalid", name, ok, err)
		} else if !strings.Contains(err.Error(), "invalid state export") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}
