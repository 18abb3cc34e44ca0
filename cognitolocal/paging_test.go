package cognitolocal

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPageLimit(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		req    *int
		lo, hi int
		want   int
		err    string
	}{
		{nil, 0, 60, 60, ""},
		{n(0), 0, 60, 60, ""},
		{n(7), 0, 60, 7, ""},
		{n(60), 0, 60, 60, ""},
		{n(61), 0, 60, 0, "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{n(-1), 0, 60, 0, "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{n(0), 1, 60, 0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{nil, 1, 50, 50, ""},
	} {
		got, err := pageLimit(tc.req, tc.lo, tc.hi, "limit")
		if tc.err != "" {
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, codeInvalidParameter, e.Code)
			assert.Equal(t, tc.err, e.Message)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func TestPageOfWalksEveryItemOnce(t *testing.T) {
	var items []string
	for i := range 25 {
		items = append(items, "item"+strconv.Itoa(100+i))
	}
	id := func(s string) string { return s }
	var seen []string
	token := ""
	pages := 0
	for {
		page, next, err := pageOf(append([]string(nil), items...), id, 10, token)
		require.NoError(t, err)
		seen = append(seen, page...)
		pages++
		if next == "" {
			break
		}
		token = next
	}
	assert.Equal(t, items, seen)
	assert.Equal(t, 3, pages, "the last page carries no token")

	// A token names the last item seen, so an item removed meanwhile
	// shifts nothing.
	first, next, err := pageOf(append([]string(nil), items...), id, 10, "")
	require.NoError(t, err)
	rest := append([]string(nil), items[1:]...)
	second, _, err := pageOf(rest, id, 10, next)
	require.NoError(t, err)
	assert.Equal(t, items[10:20], second, "after %v", first[len(first)-1])

	for _, bad := range []string{"%%%", "abc", "aXRlbTEwOQ"} { // the last is base64 of a bare key
		_, _, err = pageOf(items, id, 10, bad)
		assert.Equal(t, errPageToken, err, bad)
	}
	page, next, err := pageOf([]string{}, id, 10, "")
	require.NoError(t, err)
	assert.Empty(t, page)
	assert.Empty(t, next)
}
