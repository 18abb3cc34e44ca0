package jsonscan

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// name reads a member name and returns it decoded, with where its
// decoded bytes begin: an offset into the source, or, for a name with
// escapes, decoded into the scanner's arena, len(src) plus its offset
// there; and whether it is plain (plainName). Names are read by a loop of
// their own, which learns whether one is plain as it validates it: an
// object of thousands of tiny members is the costliest input there is,
// and a name then costs what its few bytes cost.
func (s *scanner) name() (name string, start int, plain bool, err error) {
	if s.peek() != '"' {
		return "", 0, false, errSyntax
	}
	s.pos++
	start, plain = s.pos, true
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.src[start : s.pos-1], start, plain, nil
		case c == '\\':
			return s.escapedName(start)
		case c < 0x20:
			return "", 0, false, errSyntax
		case 'A' <= c && c <= 'Z':
			plain = false
			s.pos++
		case c < utf8.RuneSelf:
			s.pos++
		default:
			if !s.skipRune() {
				return "", 0, false, errUTF8
			}
			plain = false
		}
	}
	return "", 0, false, errSyntax
}

// escapedName reads on from the first backslash of the name whose bytes
// begin at start, decoding it into the arena as it validates it: one
// pass, as for a name without escapes.
func (s *scanner) escapedName(start int) (string, int, bool, error) {
	if s.arena == nil {
		// Decoding only shortens, so what is left of the source bounds
		// every name still to come: the arena is never reallocated.
		s.arena = make([]byte, 0, len(s.src)-start)
	}
	first := len(s.arena)
	run := start // the bytes not yet copied, which need no decoding
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.arena = append(s.arena, s.src[run:s.pos]...)
			s.pos++
			// The arena's bytes are never written again once appended,
			// so this view stays valid whatever is appended later.
			name := view.String(s.arena[first:])
			return name, len(s.src) + first, plainName(name), nil
		case c == '\\':
			s.arena = append(s.arena, s.src[run:s.pos]...)
			if d := shortEscape(s.src, s.pos+1); d != 0 {
				s.arena = append(s.arena, d)
				s.pos += 2
			} else {
				esc := s.pos
				if err := s.escape(); err != nil {
					return "", 0, false, err
				}
				s.arena = unescape(s.arena, s.src[esc:s.pos])
			}
			run = s.pos
		case c < 0x20:
			return "", 0, false, errSyntax
		case c < utf8.RuneSelf:
			s.pos++
		default:
			if !s.skipRune() {
				return "", 0, false, errUTF8
			}
		}
	}
	return "", 0, false, errSyntax
}

// shortEscape returns the byte that the two-byte escape whose letter is
// at i stands for, or 0 for any other (\u, or not an escape at all).
func shortEscape(src string, i int) byte {
	if i >= len(src) {
		return 0
	}
	switch c := src[i]; c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}

// str validates a string starting at the opening quote and returns its raw
// text, quotes included.
func (s *scanner) str() (string, error) {
	start := s.pos
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.src[start:s.pos], nil
		case c == '\\':
			if err := s.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", errSyntax
		case c < utf8.RuneSelf:
			s.pos = plainRun(s.src, s.pos+1)
		default:
			if !s.skipRune() {
				return "", errUTF8
			}
		}
	}
	return "", errSyntax
}

// plainRun returns the index of the first byte at or after i that is not
// plain ASCII inside a string (a quote, a backslash, a control byte or
// the start of a multi-byte rune), or len(src). It tests eight bytes at a
// time: the strings of a token (issuer URLs, UUIDs, scopes) are long runs
// of plain bytes, and a byte at a time they were the scanner's largest
// cost.
func plainRun(src string, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(src); i += 8 {
		b := src[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		// A byte of w is flagged (its high bit set in the result) when it
		// is below 0x20 or at least 0x80, or when it equals '"' or '\\'
		// (a zero byte of w xor the byte repeated): the flags are exact
		// for the lowest special byte, which is all that is needed to
		// know that a word holds one.
		q, e := w^('"'*ones), w^('\\'*ones)
		if ((w-0x20*ones)|w|(q-ones)&^q|(e-ones)&^e)&highs != 0 {
			break
		}
	}
	for ; i < len(src); i++ {
		if c := src[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// skipRune steps over the multi-byte rune at s.pos; false means the bytes
// there are not UTF-8, which every string of a payload must be.
func (s *scanner) skipRune() bool {
	r, size := utf8.DecodeRuneInString(s.src[s.pos:])
	if r == utf8.RuneError && size <= 1 {
		return false
	}
	s.pos += size
	return true
}

func (s *scanner) escape() error {
	s.pos++ // the backslash
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
		return nil
	case 'u':
	default:
		return errSyntax
	}
	r, ok := s.hex4()
	if !ok {
		return errSyntax
	}
	switch {
	case utf16.IsSurrogate(r):
		// Only a high surrogate followed by an escaped low one is a
		// character; encoding/json would quietly turn anything else into
		// U+FFFD, so two different tokens could decode alike.
		if r >= 0xDC00 || len(s.src)-s.pos < 2 || s.src[s.pos] != '\\' || s.src[s.pos+1] != 'u' {
			return errUTF8
		}
		s.pos++
		lo, ok := s.hex4()
		if !ok {
			return errSyntax
		}
		if utf16.DecodeRune(r, lo) == utf8.RuneError {
			return errUTF8
		}
	}
	return nil
}

// hex4 reads "uXXXX" at s.pos.
func (s *scanner) hex4() (rune, bool) {
	if len(s.src)-s.pos < 5 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s.src[s.pos+1 : s.pos+5]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 5
	return r, true
}

// decodeValidString decodes the raw text of a string this package accepted.
// Strings without escapes, nearly all of them in a token, are returned as
// substrings of the source with no copy.
func decodeValidString(raw string) string {
	body := raw[1 : len(raw)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	return string(unescape(make([]byte, 0, len(body)), body))
}

// unescape appends the decoded form of body, the inside of a string this
// package validated, to dst: every escape is known to be well formed and
// every \u surrogate to be half of a pair.
func unescape(dst []byte, body string) []byte {
	for i := 0; i < len(body); {
		j := strings.IndexByte(body[i:], '\\')
		if j < 0 {
			return append(dst, body[i:]...)
		}
		dst = append(dst, body[i:i+j]...)
		i += j + 1
		c := body[i]
		i++
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexRune(body[i : i+4])
			i += 4
			if utf16.IsSurrogate(r) {
				r = utf16.DecodeRune(r, hexRune(body[i+2:i+6]))
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

// hexRune decodes four hex digits the scanner already validated.
func hexRune(h string) rune {
	var r rune
	for i := range 4 {
		c := rune(h[i])
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | c
	}
	return r
}
