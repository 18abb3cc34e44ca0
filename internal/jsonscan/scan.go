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
	"errors"
	"hash/maphash"
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
	// names holds the decoded member names of every nested object still
	// open that has not outgrown linearNames, so duplicates are found
	// without allocating per object; topNames holds the top-level
	// object's, so that a token, whose objects are seldom nested, needs no
	// allocation for them.
	names    []string
	topNames [linearNames]string
	topN     int
	// tables find duplicates in objects past linearNames members, one per
	// depth, reused by sibling objects.
	tables [MaxDepth]*nameTable
	// arena holds the member names that had escapes, decoded: one
	// allocation per scan however many there are.
	arena strings.Builder
}

// linearNames is how many names an object may have before duplicates are
// looked up in a hash table rather than by comparing with every earlier
// name. A token's payload has about 15 members, so it needs no table;
// past 16, comparing costs more than hashing, and an input of many small
// objects could make the comparisons cost the square of its size.
// Comparing under case folding costs more, so an object with a name that
// needs folding switches earlier.
const (
	linearNames        = 16
	linearFoldingNames = 8
)

// ParseObject validates src as exactly one JSON object, optionally
// surrounded by whitespace, and appends its members to dst in order.
func ParseObject(src string, dst []Member) ([]Member, error) {
	err := ScanObject(src, func(m Member) error {
		dst = append(dst, m)
		return nil
	})
	return dst, err
}

// ScanObject validates src as ParseObject does and calls fn with each
// member of the object, in order, as it is read: a caller that keeps only
// a few members needs no slice of them all. An error from fn ends the
// scan and is returned as it is; members after the one fn refused are
// neither read nor validated.
func ScanObject(src string, fn func(Member) error) error {
	s := scanner{src: src}
	s.skipSpace()
	if s.peek() != '{' {
		return errNotObject
	}
	if err := s.object(fn); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(s.src) {
		return errSyntax
	}
	return nil
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

// Lookup returns the member called name, compared exactly, in an object
// that ParseObject accepted.
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

// nameSeed keys the hash of member names, so that no input can be built
// to make them collide.
var nameSeed = maphash.MakeSeed()

// nameTable is an open-addressing set of member names under Unicode
// simple case folding.
type nameTable struct {
	slots []uint32 // 1 + index into names; 0 is free
	names []tableName
	small [4 * linearNames]uint32
}

type tableName struct {
	name string
	hash uint64
}

// reset empties the table for a sibling object, giving back to the
// collector what a wide one made it grow.
func (t *nameTable) reset() {
	if len(t.slots) > len(t.small) {
		t.slots = t.small[:]
	}
	clear(t.slots)
	t.names = t.names[:0]
}

// add inserts name and reports whether it was new.
func (t *nameTable) add(name string) bool {
	if 2*(len(t.names)+1) > len(t.slots) {
		t.grow()
	}
	plain := plainName(name)
	h := foldHash(name, plain)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := t.slots[i]
		if j == 0 {
			t.names = append(t.names, tableName{name, h})
			t.slots[i] = uint32(len(t.names))
			return true
		}
		if e := t.names[j-1]; e.hash == h && sameName(e.name, name, !plain || !plainName(e.name)) {
			return false
		}
	}
}

func (t *nameTable) grow() {
	t.slots = make([]uint32, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for k, e := range t.names {
		i := e.hash & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint32(k + 1)
	}
}

// foldHash hashes name so that exactly the names strings.EqualFold finds
// equal, as encoding/json folds field names, are likely to hash alike:
// each rune is replaced by one representative of its simple-folding orbit
// (the lower-case letter for orbits with an ASCII letter, such as k, K and
// U+212A; the smallest rune otherwise). A plain name is its own
// representative.
func foldHash(name string, plain bool) uint64 {
	if plain {
		return maphash.String(nameSeed, name)
	}
	var buf [128]byte
	out := buf[:0]
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		if 'A' <= m && m <= 'Z' {
			m += 'a' - 'A'
		}
		out = utf8.AppendRune(out, m)
	}
	return maphash.Bytes(nameSeed, out)
}

// table returns the reset duplicate table for an object at the current
// depth.
func (s *scanner) table() *nameTable {
	t := s.tables[s.depth-1]
	if t == nil {
		t = new(nameTable)
		t.slots = t.small[:]
		s.tables[s.depth-1] = t
	} else {
		t.reset()
	}
	if t.names == nil {
		n := 2 * linearNames
		if s.depth == 1 {
			// The top-level object is the last thing in the source, and a
			// member takes at least five bytes ("":0,), so this bounds
			// its names: the table never grows, and, being the only one
			// at its depth, this is paid once per scan.
			n = max(n, (len(s.src)-s.pos)/5+linearNames+1)
			slots := len(t.small)
			for slots < 2*n {
				slots *= 2
			}
			t.slots = make([]uint32, slots)
		}
		t.names = make([]tableName, 0, n)
	}
	return t
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
		if err := s.object(nil); err != nil {
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

// object reads an object starting at its brace, calling fn, when not nil,
// with every member (the top-level object's).
func (s *scanner) object(fn func(Member) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	base := len(s.names)
	if s.depth == 1 {
		s.topN = 0 // CountElements meets sibling objects at depth 1
	}
	var table *nameTable
	folding := false
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for n := 0; ; n++ {
		s.skipSpace()
		name, err := s.name()
		if err != nil {
			return err
		}
		folding = folding || !plainName(name)
		switch {
		case table != nil:
			if !table.add(name) {
				return errDuplicate
			}
		case n < linearNames && (!folding || n < linearFoldingNames):
			for _, earlier := range s.open(base) {
				if sameName(earlier, name, folding) {
					return errDuplicate
				}
			}
			if s.depth == 1 {
				s.topNames[s.topN] = name
				s.topN++
			} else {
				s.names = append(s.names, name)
			}
		default:
			table = s.table()
			for _, earlier := range s.open(base) {
				table.add(earlier)
			}
			s.names = s.names[:base]
			if !table.add(name) {
				return errDuplicate
			}
		}
		s.skipSpace()
		if s.peek() != ':' {
			return errSyntax
		}
		s.pos++
		s.skipSpace()
		v, err := s.value()
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(Member{Name: name, Value: v}); err != nil {
				return err
			}
		}
		s.skipSpace()
		c := s.peek()
		s.pos++
		switch c {
		case '}':
			s.depth--
			s.names = s.names[:base]
			return nil
		case ',':
		default:
			return errSyntax
		}
	}
}

// open returns the names read so far of the object at the current depth,
// whose first name is at base in s.names when it is nested.
func (s *scanner) open(base int) []string {
	if s.depth == 1 {
		return s.topNames[:s.topN]
	}
	return s.names[base:]
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

// name reads a member name and returns it decoded. A name with escapes is
// decoded into the scanner's arena.
func (s *scanner) name() (string, error) {
	if s.peek() != '"' {
		return "", errSyntax
	}
	raw, err := s.str()
	if err != nil {
		return "", err
	}
	body := raw[1 : len(raw)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body, nil
	}
	if s.arena.Cap() == 0 {
		// Decoding only shortens, so what is left of the source bounds
		// every name still to come.
		s.arena.Grow(len(s.src) - s.pos + len(body))
	}
	start := s.arena.Len()
	var buf [256]byte
	s.arena.Write(unescape(buf[:0], body))
	// Bytes written to a strings.Builder are never changed, so this view
	// stays valid whatever is written later.
	return s.arena.String()[start:], nil
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
		dst = append(dst, decodeValidString(raw))
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
