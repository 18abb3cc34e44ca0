package cognitojwt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNewNameLists: the lists and room for up to 16 names are one
// allocation, two above; the room holds n names without growing, and the
// two lists are distinct.
func TestNewNameLists(t *testing.T) {
	for n := range 40 {
		var groups, scopes *[]string
		var room []string
		allocs := testing.AllocsPerRun(20, func() { groups, scopes, room = newNameLists(n) })
		want := 1.0
		if n > 16 {
			want = 2
		}
		require.Equal(t, want, allocs, "%d names", n)
		require.Empty(t, room)
		require.NotNil(t, room, "an empty list is still a list")
		require.GreaterOrEqual(t, cap(room), n)
		require.NotSame(t, groups, scopes)
	}
}
