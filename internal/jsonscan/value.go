package jsonscan

import (
	"math"
	"strconv"
)

// AsString decodes a String value. Like every accessor, it trusts that v
// came from this package's scanner, which validated every escape.
func (v Value) AsString() (string, error) {
	if v.Kind != String {
		return "", errType
	}
	return decodeValidString(v.Raw), nil
}

// AsNumber decodes a Number value. Numbers too large for a float64 are an
// error rather than an infinity.
func (v Value) AsNumber() (float64, error) {
	if v.Kind != Number {
		return 0, errType
	}
	if f, ok := smallInteger(v.Raw); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(v.Raw, 64)
	if err != nil {
		return 0, errSyntax
	}
	return f, nil
}

// AsBool decodes a Bool value.
func (v Value) AsBool() (bool, error) {
	if v.Kind != Bool {
		return false, errType
	}
	return v.Raw == "true", nil
}

// AppendStrings appends the elements of an Array of strings to dst. Any
// element that is not a string is ErrType.
func (v Value) AppendStrings(dst []string) ([]string, error) {
	dst, _, err := v.strings(dst, math.MaxInt)
	return dst, err
}

// CountStrings checks v as AppendStrings does, with the same errors, and
// counts its elements, without decoding any: a caller that checks a list
// during a scan can then decode it once, into a slice of the right size.
func (v Value) CountStrings() (int, error) {
	_, n, err := v.strings(nil, 0)
	return n, err
}

// FillStrings checks v as AppendStrings does, with the same errors,
// decodes its first len(buf) elements into buf, and counts them all: a
// caller with room for the few a list nearly always has reads it in one
// pass, and only a longer one twice (CountStrings, then AppendStrings).
func (v Value) FillStrings(buf []string) (int, error) {
	_, n, err := v.strings(buf[:0:len(buf)], len(buf))
	return n, err
}

// strings walks an Array of strings, appending each of its first keep
// elements to dst, and returns how many it found.
func (v Value) strings(dst []string, keep int) ([]string, int, error) {
	if v.Kind != Array {
		return dst, 0, errType
	}
	s := scanner{src: v.Raw, pos: 1}
	s.skipSpace()
	if s.peek() == ']' {
		return dst, 0, nil
	}
	for n := 1; ; n++ {
		s.skipSpace()
		if s.peek() != '"' {
			return dst, n, errType
		}
		raw, err := s.str()
		if err != nil {
			return dst, n, err
		}
		if n <= keep {
			dst = append(dst, decodeValidString(raw))
		}
		s.skipSpace()
		c := s.peek()
		s.pos++
		if c == ']' {
			return dst, n, nil
		}
		if c != ',' {
			return dst, n, errSyntax
		}
	}
}

// CountElements returns the number of elements of an Array value.
func (v Value) CountElements() int {
	if v.Kind != Array {
		return 0
	}
	s := scanner{src: v.Raw, pos: 1}
	s.skipSpace()
	if s.peek() == ']' {
		return 0
	}
	n := 0
	for {
		s.skipSpace()
		if _, err := s.value(); err != nil {
			return n
		}
		n++
		s.skipSpace()
		c := s.peek()
		s.pos++
		if c != ',' {
			return n
		}
	}
}

// smallInteger reads a number of at most 15 digits and no sign, fraction
// or exponent, as a token's dates and version are written: every such
// integer is a float64 exactly, so this is what strconv.ParseFloat gives,
// for a loop over the digits instead of its general path.
func smallInteger(raw string) (float64, bool) {
	if len(raw) == 0 || len(raw) > 15 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return float64(n), true
}
