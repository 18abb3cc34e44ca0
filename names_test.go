package cognitojwt_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

// Names hands out copies only: a list it was made from, or one it gave
// out, can be changed without changing it.
func TestNamesAreReadOnly(t *testing.T) {
	src := []string{"a", "b"}
	n := cognitojwt.NamesOf(src...)
	src[0] = "x"
	out := n.Slice()
	out[1] = "y"
	require.Equal(t, []string{"a", "b"}, n.Slice())
	require.Equal(t, 2, n.Len())
	require.Equal(t, "b", n.At(1))
	require.True(t, n.Contains("a"))
	require.False(t, n.Contains("A"))
	for i, name := range n.All() {
		require.Equal(t, n.At(i), name)
	}
	require.Equal(t, "[a b]", fmt.Sprint(n))
	b, err := json.Marshal(n)
	require.NoError(t, err)
	require.JSONEq(t, `["a","b"]`, string(b))
	var back cognitojwt.Names
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, n, back)
	require.Error(t, json.Unmarshal([]byte(`"a"`), &back))

	var zero cognitojwt.Names
	require.Zero(t, zero.Len())
	require.Nil(t, zero.Slice())
	b, err = json.Marshal(zero)
	require.NoError(t, err)
	require.Equal(t, "null", string(b))
}

// Names, and so Claims, cannot be compared with ==: a list is a pointer
// to its names, and == would say whether two lists are the same list, not
// whether they hold the same names. reflect.DeepEqual (require.Equal)
// compares the names.
func TestNamesAreNotComparable(t *testing.T) {
	require.False(t, reflect.TypeFor[cognitojwt.Names]().Comparable())
	require.False(t, reflect.TypeFor[cognitojwt.Claims]().Comparable())
	require.Equal(t, cognitojwt.NamesOf("a", "b"), cognitojwt.NamesOf("a", "b"))
	require.NotEqual(t, cognitojwt.NamesOf("a", "b"), cognitojwt.NamesOf("a", "c"))
	require.NotEqual(t, cognitojwt.NamesOf(), cognitojwt.NamesOf([]string{}...), "an empty list is not the absent one")
}
