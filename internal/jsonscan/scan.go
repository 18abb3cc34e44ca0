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
	"math"
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
	// Known is the number of Name among the names ScanKnown was given,
	// or 0: for a name that is not exactly one of them, and in every
	// member ParseObject and ScanObject give.
	Known int
	// Folds is, when Name is not a known name but equals one under case
	// folding, that name's number (ScanKnown); else 0.
	Folds int
}

var (
	errSyntax    = errors.New("invalid JSON")
	errUTF8      = errors.New("invalid UTF-8 in JSON string")
	errDuplicate = errors.New("duplicate member name in JSON object")
	errDepth     = errors.New("JSON nested too deeply")
	errNotObject = errors.New("JSON value is not an object")
	errType      = errors.New("JSON value has the wrong type")
	errTooLong   = errors.New("JSON text longer than 2 GiB")
)

// maxSource is the longest text this package reads: it keeps member
// names as 32-bit offsets for finding duplicates, counting those of
// decoded escaped names from len(src) up, so twice the text must fit.
// Tokens, key sets and user-info answers are kilobytes. A variable so
// that a test can lower it.
var maxSource = math.MaxInt32

// ErrType reports a value of an unexpected kind from the typed accessors.
var ErrType = errType

type scanner struct {
	src   string
	pos   int
	depth int
	// names holds the duplicate sets of the open objects (names.go).
	names nameStacks
	// arena holds the member names that had escapes, decoded: one
	// allocation per scan however many there are.
	arena []byte
	// known are the top-level object's names its reader knows
	// (ScanKnown), or nil.
	known *KnownNames
}

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
// neither read nor validated. A text longer than 2 GiB is refused.
func ScanObject(src string, fn func(Member) error) error {
	return ScanKnown(src, nil, fn)
}

// ScanKnown is ScanObject for a caller that knows most of the member
// names it reads: the top-level members carry the number of their name
// among known in Known, for the caller to switch on. The top-level names
// that fold to a known name are told apart by those numbers, a bit each,
// instead of going into the hash set of names (knownnames.go): a token's
// payload is nearly all claims its reader knows, and finding a name among
// them costs less than hashing and indexing it. What is a duplicate is
// unchanged: names equal under case folding fold to the same known name
// or to none.
func ScanKnown(src string, known *KnownNames, fn func(Member) error) error {
	if len(src) > maxSource {
		return errTooLong
	}
	s := scanner{src: src, known: known}
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
// accepts (any kind, not just an object), of at most 2 GiB.
func Valid(src string) bool {
	if len(src) > maxSource {
		return false
	}
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
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	set := nameSet{entries: s.names.nEntries, slots: s.names.nSlots}
	// seen holds the known names read so far, a bit each (ScanKnown):
	// only the top-level object, the one fn reads, has them.
	var seen uint64
	known := s.known
	if fn == nil {
		known = nil
	}
	for {
		s.skipSpace()
		name, start, plain, err := s.name()
		if err != nil {
			return err
		}
		k, class := 0, 0
		if known != nil && (!plain || known.mayHold(name)) {
			k, class = known.class(name, plain)
		}
		switch {
		case class == 0:
			if !s.addName(&set, name, start, plain) {
				return errDuplicate
			}
		case seen&(1<<class) != 0:
			return errDuplicate
		default:
			seen |= 1 << class
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
			m := Member{Name: name, Value: v, Known: k}
			if k == 0 {
				m.Folds = class
			}
			if err := fn(m); err != nil {
				return err
			}
		}
		s.skipSpace()
		c := s.peek()
		s.pos++
		switch c {
		case '}':
			s.depth--
			s.names.nEntries, s.names.nSlots = set.entries, set.slots
			return nil
		case ',':
		default:
			return errSyntax
		}
	}
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
	// Only an exponent or over 308 digits can leave float64's range
	// (numbers.go).
	if (exp || s.pos-start > 308) && outOfRange(s.src[start:s.pos]) {
		return errSyntax
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
