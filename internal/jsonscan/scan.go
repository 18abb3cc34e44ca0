// Package jsonscan validates and indexes JSON objects without building a
// tree. It is stricter than encoding/json: invalid UTF-8, lone surrogate
// escapes, duplicate member names at any depth and nesting deeper than
// MaxDepth are errors. Names that differ only in case are duplicates too,
// because encoding/json matches struct fields case-insensitively (under
// Unicode simple folding): {"sub":"a","SUB":"b"} would read "a" here and
// "b" there. Anything it accepts, encoding/json decodes to the same
// values, so typed fields read through it and a later json.Unmarshal of
// the same bytes can never disagree.
package jsonscan

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds nesting of objects and arrays (the top-level object is
// depth 1).
const MaxDepth = 32

// Kind is the JSON type of a value.
type Kind uint8

// Kinds of JSON values.
const (
	Invalid Kind = iota
	String
	Number
	Object
	Array
	Bool
	Null
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Object:
		return "object"
	case Array:
		return "array"
	case Bool:
		return "boolean"
	case Null:
		return "null"
	}
	return "invalid"
}

// Value is one JSON value: its kind and its exact source text.
type Value struct {
	Kind Kind
	Raw  string
}

// Member is a top-level member of an object, with its name decoded.
type Member struct {
	Name  string
	Value Value
}

var (
	errSyntax    = errors.New("invalid JSON")
	errUTF8      = errors.New("invalid UTF-8 in JSON string")
	errDuplicate = errors.New("duplicate member name in JSON object")
	errDepth     = errors.New("JSON nested too deeply")
	errNotObject = errors.New("JSON value is not an object")
	errType      = errors.New("JSON value has the wrong type")
)

// ErrType reports a value of an unexpected kind from the typed accessors.
var ErrType = errType

type scanner struct {
	src   string
	pos   int
	depth int
	// names holds the decoded member names of every object still open, so
	// duplicates are found without allocating per object.
	names []string
}

// ParseObject validates src as exactly one JSON object, optionally
// surrounded by whitespace, and appends its members to dst in order.
func ParseObject(src string, dst []Member) ([]Member, error) {
	s := scanner{src: src}
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != '{' {
		return dst, errNotObject
	}
	s.pos++
	s.depth = 1
	base := len(dst)
	// seen takes over duplicate detection once the object outgrows a
	// linear scan; building it once keeps wide objects linear.
	var seen map[string]struct{}
	folding := false // see sameName
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
	} else {
		for {
			s.skipSpace()
			name, err := s.name()
			if err != nil {
				return dst, err
			}
			members := dst[base:]
			if seen == nil && len(members) > 64 {
				seen = make(map[string]struct{}, 2*len(members))
				for _, m := range members {
					seen[foldName(m.Name)] = struct{}{}
				}
			}
			if seen != nil {
				key := foldName(name)
				if _, dup := seen[key]; dup {
					return dst, errDuplicate
				}
				seen[key] = struct{}{}
			} else {
				folding = folding || !plainName(name)
				for _, m := range members {
					if sameName(m.Name, name, folding) {
						return dst, errDuplicate
					}
				}
			}
			s.skipSpace()
			if s.peek() != ':' {
				return dst, errSyntax
			}
			s.pos++
			s.skipSpace()
			v, err := s.value()
			if err != nil {
				return dst, err
			}
			dst = append(dst, Member{Name: name, Value: v})
			s.skipSpace()
			c := s.peek()
			s.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				return dst, errSyntax
			}
		}
	}
	s.skipSpace()
	if s.pos != len(s.src) {
		return dst, errSyntax
	}
	return dst, nil
}

// Valid reports whether src is a single JSON value that this package
// accepts (any kind, not just an object).
func Valid(src string) bool {
	s := scanner{src: src}
	s.skipSpace()
	if _, err := s.value(); err != nil {
		return false
	}
	s.skipSpace()
	return s.pos == len(s.src)
}

// Lookup returns the member called name in an object that ParseObject
// accepted.
func Lookup(src, name string) (Value, bool) {
	members, err := ParseObject(src, make([]Member, 0, 32))
	if err != nil {
		return Value{}, false
	}
	for _, m := range members {
		if m.Name == name {
			return m.Value, true
		}
	}
	return Value{}, false
}

// plainName reports a name without upper-case ASCII letters or non-ASCII
// bytes. Two plain names are equal under case folding only if they are
// equal, so an object whose names are all plain, as a token's are, needs
// no folding at all.
func plainName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// sameName compares member names as duplicates: by case folding once the
// object has had any name that is not plain, exactly before that.
func sameName(a, b string, folding bool) bool {
	if folding {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// foldName maps a member name to a key that exactly the names equal to it
// under strings.EqualFold share: each rune becomes the smallest rune of
// its simple-folding orbit, as encoding/json folds field names.
func foldName(name string) string {
	i := 0
	for ; i < len(name); i++ {
		if c := name[i]; c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			break
		}
	}
	if i == len(name) {
		return name
	}
	out := make([]byte, 0, len(name))
	for _, r := range name {
		for next := unicode.SimpleFold(r); next < r; next = unicode.SimpleFold(next) {
			r = next
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value() (Value, error) {
	start := s.pos
	var kind Kind
	switch c := s.peek(); {
	case c == '"':
		if _, err := s.str(); err != nil {
			return Value{}, err
		}
		kind = String
	case c == '{':
		if err := s.object(); err != nil {
			return Value{}, err
		}
		kind = Object
	case c == '[':
		if err := s.array(); err != nil {
			return Value{}, err
		}
		kind = Array
	case c == '-' || (c >= '0' && c <= '9'):
		if err := s.number(); err != nil {
			return Value{}, err
		}
		kind = Number
	case c == 't':
		if err := s.literal("true"); err != nil {
			return Value{}, err
		}
		kind = Bool
	case c == 'f':
		if err := s.literal("false"); err != nil {
			return Value{}, err
		}
		kind = Bool
	case c == 'n':
		if err := s.literal("null"); err != nil {
			return Value{}, err
		}
		kind = Null
	default:
		return Value{}, errSyntax
	}
	return Value{Kind: kind, Raw: s.src[start:s.pos]}, nil
}

func (s *scanner) literal(lit string) error {
	if len(s.src)-s.pos < len(lit) || s.src[s.pos:s.pos+len(lit)] != lit {
		return errSyntax
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return errDepth
	}
	s.pos++
	return nil
}

func (s *scanner) object() error {
	if err := s.enter(); err != nil {
		return err
	}
	base := len(s.names)
	defer func() { s.names = s.names[:base] }()
	folding := false
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		s.skipSpace()
		name, err := s.name()
		if err != nil {
			return err
		}
		open := s.names[base:]
		if len(open) > 64 {
			return s.objectWithSet(open, name)
		}
		folding = folding || !plainName(name)
		for _, n := range open {
			if sameName(n, name, folding) {
				return errDuplicate
			}
		}
		s.names = append(s.names, name)
		done, err := s.memberTail()
		if err != nil || done {
			return err
		}
	}
}

// objectWithSet finishes an object with too many members for a linear
// duplicate scan.
func (s *scanner) objectWithSet(open []string, name string) error {
	seen := make(map[string]struct{}, 2*len(open))
	for _, n := range open {
		seen[foldName(n)] = struct{}{}
	}
	for {
		key := foldName(name)
		if _, dup := seen[key]; dup {
			return errDuplicate
		}
		seen[key] = struct{}{}
		done, err := s.memberTail()
		if err != nil || done {
			return err
		}
		s.skipSpace()
		if name, err = s.name(); err != nil {
			return err
		}
	}
}

// memberTail reads ": value" and the following "," or "}".
func (s *scanner) memberTail() (done bool, err error) {
	s.skipSpace()
	if s.peek() != ':' {
		return false, errSyntax
	}
	s.pos++
	s.skipSpace()
	if _, err := s.value(); err != nil {
		return false, err
	}
	s.skipSpace()
	c := s.peek()
	s.pos++
	switch c {
	case '}':
		s.depth--
		return true, nil
	case ',':
		return false, nil
	}
	return false, errSyntax
}

func (s *scanner) array() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		s.skipSpace()
		if _, err := s.value(); err != nil {
			return err
		}
		s.skipSpace()
		c := s.peek()
		s.pos++
		switch c {
		case ']':
			s.depth--
			return nil
		case ',':
		default:
			return errSyntax
		}
	}
}

func (s *scanner) number() error {
	start := s.pos
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return errSyntax
	}
	if s.peek() == '.' {
		s.pos++
		if s.digits() == 0 {
			return errSyntax
		}
	}
	exp := false
	if c := s.peek(); c == 'e' || c == 'E' {
		exp = true
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if s.digits() == 0 {
			return errSyntax
		}
	}
	if s.pos == start {
		return errSyntax
	}
	// encoding/json refuses a number beyond float64's range, so accepting
	// one would break the promise that it decodes whatever this package
	// accepts. Only an exponent or over 308 digits can get there.
	if exp || s.pos-start > 308 {
		if _, err := strconv.ParseFloat(s.src[start:s.pos], 64); err != nil {
			return errSyntax
		}
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.src) && s.src[s.pos] >= '0' && s.src[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// name reads a member name and returns it decoded.
func (s *scanner) name() (string, error) {
	if s.peek() != '"' {
		return "", errSyntax
	}
	raw, err := s.str()
	if err != nil {
		return "", err
	}
	return decodeValidString(raw)
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
			s.pos++
		default:
			r, size := utf8.DecodeRuneInString(s.src[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", errUTF8
			}
			s.pos += size
		}
	}
	return "", errSyntax
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
	n, err := strconv.ParseUint(s.src[s.pos+1:s.pos+5], 16, 32)
	if err != nil {
		return 0, false
	}
	s.pos += 5
	return rune(n), true
}

// decodeValidString decodes the raw text of a string this package accepted.
// Strings without escapes, nearly all of them in a token, are returned as
// substrings of the source with no copy.
func decodeValidString(raw string) (string, error) {
	body := raw[1 : len(raw)-1]
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' {
			var out string
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				return "", errSyntax
			}
			return out, nil
		}
	}
	return body, nil
}

// AsString decodes a String value.
func (v Value) AsString() (string, error) {
	if v.Kind != String {
		return "", errType
	}
	return decodeValidString(v.Raw)
}

// AsNumber decodes a Number value. Numbers too large for a float64 are an
// error rather than an infinity.
func (v Value) AsNumber() (float64, error) {
	if v.Kind != Number {
		return 0, errType
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
	if v.Kind != Array {
		return dst, errType
	}
	s := scanner{src: v.Raw, pos: 1}
	s.skipSpace()
	if s.peek() == ']' {
		return dst, nil
	}
	for {
		s.skipSpace()
		if s.peek() != '"' {
			return dst, errType
		}
		raw, err := s.str()
		if err != nil {
			return dst, err
		}
		str, err := decodeValidString(raw)
		if err != nil {
			return dst, err
		}
		dst = append(dst, str)
		s.skipSpace()
		c := s.peek()
		s.pos++
		if c == ']' {
			return dst, nil
		}
		if c != ',' {
			return dst, errSyntax
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
