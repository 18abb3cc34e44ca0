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
	// The list sits behind a pointer so that Names is one word, not a
	// slice's three: Claims holds two, and a cache hit's one allocation
	// is the Claims struct, whose size class this decides (320 bytes
	// instead of 352). The zero-length func array keeps Names, as with
	// the slice it once held, incomparable: == would compare where the
	// names are, not what they are.
	_    [0]func()
	list *[]string // nil for the zero value; never written once set
}

// NamesOf returns a list holding a copy of names: for Claims built by
// hand, in tests of handlers and policies.
func NamesOf(names ...string) Names {
	return namesFrom(slices.Clone(names))
}

// namesFrom returns a list holding list itself, which nobody may change
// afterwards. A nil list is the zero value; an empty one stays a list, as
// a token's empty cognito:groups array does.
func namesFrom(list []string) Names {
	if list == nil {
		return Names{}
	}
	return Names{list: &list}
}

// names returns the list, nil for the zero value.
func (n Names) names() []string {
	if n.list == nil {
		return nil
	}
	return *n.list
}

// Len returns the number of names.
func (n Names) Len() int { return len(n.names()) }

// At returns the i-th name; it panics when i is out of range, as indexing
// a slice does.
func (n Names) At(i int) string { return n.names()[i] }

// Contains reports whether the list holds name exactly (case and every
// byte count).
func (n Names) Contains(name string) bool { return slices.Contains(n.names(), name) }

// All yields each index and name in order, without copying: range over it
// (`for i, g := range c.Groups.All()`), or in a template
// (`{{range $i, $g := .Groups.All}}`).
func (n Names) All() iter.Seq2[int, string] { return slices.All(n.names()) }

// Slice returns a copy of the names, nil when there are none: for APIs that
// take a []string. Changing it changes nothing else.
func (n Names) Slice() []string { return slices.Clone(n.names()) }

// String formats the names as fmt formats a []string: "[admin editors]".
func (n Names) String() string { return fmt.Sprint(n.names()) }

// MarshalJSON encodes the names as a JSON array, or null when there are
// none.
func (n Names) MarshalJSON() ([]byte, error) { return json.Marshal(n.names()) }

// UnmarshalJSON reads a JSON array of strings, or null.
func (n *Names) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*n = namesFrom(list)
	return nil
}

// nameLists are a token's groups and scopes lists, at which its Names
// point, and room R for the names themselves: both lists cost one
// allocation, as one slice did before Names became a pointer.
type nameLists[R any] struct {
	groups, scopes []string
	room           R
}

// newNameLists returns where a token's groups and scopes lists go and an
// empty slice with room for n names, in one allocation up to 16 names (a
// token's groups and scopes together nearly always fit), in two above.
// The rooms make the whole 80, 96, 112, 144, 176, 240 or 304 bytes, each
// but the last one of the runtime's size classes.
func newNameLists(n int) (groups, scopes *[]string, room []string) {
	switch {
	case n <= 2:
		return listsWith(func(r *[2]string) []string { return r[:] })
	case n <= 3:
		return listsWith(func(r *[3]string) []string { return r[:] })
	case n <= 4:
		return listsWith(func(r *[4]string) []string { return r[:] })
	case n <= 6:
		return listsWith(func(r *[6]string) []string { return r[:] })
	case n <= 8:
		return listsWith(func(r *[8]string) []string { return r[:] })
	case n <= 12:
		return listsWith(func(r *[12]string) []string { return r[:] })
	case n <= 16:
		return listsWith(func(r *[16]string) []string { return r[:] })
	}
	l := new(nameLists[struct{}])
	return &l.groups, &l.scopes, make([]string, 0, n)
}

func listsWith[R any](room func(*R) []string) (groups, scopes *[]string, names []string) {
	l := new(nameLists[R])
	return &l.groups, &l.scopes, room(&l.room)[:0]
}
