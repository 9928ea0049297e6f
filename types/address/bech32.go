package address

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var charsetRev = func() [128]int8 {
	var r [128]int8
	for i := range r {
		r[i] = -1
	}
	for i, c := range charset {
		r[c] = int8(i)
	}
	return r
}()

func polymod(values []byte) uint32 { return polymodFrom(1, values) }

// polymodFrom continues the BCH checksum computation from chk.
func polymodFrom(chk uint32, values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

func hrpExpand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// convertBits regroups data from groups of from bits into groups of to bits.
func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	acc, bits := uint32(0), uint(0)
	maxv := uint32(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, v := range data {
		if uint32(v)>>from != 0 {
			return nil, errors.New("value out of range")
		}
		acc = acc<<from | uint32(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, errors.New("non-zero padding")
	}
	return out, nil
}

// prefixChecksums caches, per valid prefix, the checksum state after the
// prefix, so that encoding an address only checksums its data. Chains use
// one or two prefixes, so the map stays tiny.
var prefixChecksums sync.Map // string -> uint32

func prefixChecksum(hrp string) (uint32, error) {
	if c, ok := prefixChecksums.Load(hrp); ok {
		return c.(uint32), nil
	}
	if err := ValidatePrefix(hrp); err != nil {
		return 0, err
	}
	c := polymod(hrpExpand(hrp))
	prefixChecksums.Store(hrp, c)
	return c, nil
}

func bech32Encode(hrp string, data []byte) (string, error) {
	chk, err := prefixChecksum(hrp)
	if err != nil {
		return "", err
	}
	five, err := convertBits(data, 8, 5, true)
	if err != nil {
		return "", err
	}
	mod := polymodFrom(polymodFrom(chk, five), []byte{0, 0, 0, 0, 0, 0}) ^ 1
	out := make([]byte, 0, len(hrp)+1+len(five)+6)
	out = append(out, hrp...)
	out = append(out, '1')
	for _, v := range five {
		out = append(out, charset[v])
	}
	for i := 0; i < 6; i++ {
		out = append(out, charset[(mod>>(5*(5-i)))&31])
	}
	return string(out), nil
}

// bech32Decode decodes a bech32 string into its prefix and 8-bit data.
func bech32Decode(s string) (string, []byte, error) {
	if len(s) > 90 {
		return "", nil, fmt.Errorf("%d characters, at most 90", len(s))
	}
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, errors.New("mixed case")
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || sep+7 > len(s) {
		return "", nil, errors.New("missing separator or checksum")
	}
	hrp := s[:sep]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", nil, errors.New("invalid prefix character")
		}
	}
	vals := make([]byte, 0, len(s)-sep-1)
	for i := sep + 1; i < len(s); i++ {
		c := s[i]
		if c >= 128 || charsetRev[c] < 0 {
			return "", nil, fmt.Errorf("invalid character %q", c)
		}
		vals = append(vals, byte(charsetRev[c]))
	}
	if polymod(append(hrpExpand(hrp), vals...)) != 1 {
		return "", nil, errors.New("bad checksum")
	}
	data, err := convertBits(vals[:len(vals)-6], 5, 8, false)
	if err != nil {
		return "", nil, err
	}
	return hrp, data, nil
}
