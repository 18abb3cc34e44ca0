package cognitojwt

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
)

// Names is a read-only list of names: a token's groups or scopes.
//
// It is a value, not a slice, so that every request that presents the
// same token can be handed the same list: a cache hit copies the Claims
// struct (a few hundred bytes, one allocation) and nothing else, and no
// handler can change what the next request reads, because nothing
// exported reaches the list's elements. Slice returns a copy to change.
//
// The zero value is an empty list. Names encodes to JSON as the array of
// its names (null when empty, as a nil slice does) and prints with %v as a
// []string does.
type Names struct {
	list []string
}

// NamesOf returns a list holding a copy of names: for Claims built by
// hand, in tests of handlers and policies.
func NamesOf(names ...string) Names {
	return Names{list: slices.Clone(names)}
}

// Len returns the number of names.
func (n Names) Len() int { return len(n.list) }

// At returns the i-th name; it panics when i is out of range, as indexing
// a slice does.
func (n Names) At(i int) string { return n.list[i] }

// Contains reports whether the list holds name exactly (case and every
// byte count).
func (n Names) Contains(name string) bool { return slices.Contains(n.list, name) }

// All yields each index and name in order, without copying: range over it
// (`for i, g := range c.Groups.All()`), or in a template
// (`{{range $i, $g := .Groups.All}}`).
func (n Names) All() iter.Seq2[int, string] { return slices.All(n.list) }

// Slice returns a copy of the names, nil when there are none: for APIs that
// take a []string. Changing it changes nothing else.
func (n Names) Slice() []string { return slices.Clone(n.list) }

// String formats the names as fmt formats a []string: "[admin editors]".
func (n Names) String() string { return fmt.Sprint(n.list) }

// MarshalJSON encodes the names as a JSON array, or null when there are
// none.
func (n Names) MarshalJSON() ([]byte, error) { return json.Marshal(n.list) }

// UnmarshalJSON reads a JSON array of strings, or null.
func (n *Names) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	n.list = list
	return nil
}
