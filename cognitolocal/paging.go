package cognitolocal

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

// Paging as Cognito's list operations do it: a page size bounded by the
// operation's documented maximum (botocore's model: ListUsers, ListGroups,
// ListUsersInGroup and AdminListGroupsForUser 0–60, ListUserPoolClients
// 1–60, ListResourceServers 1–50), an opaque token on every page but the
// last. The default size is undocumented; the pool uses the maximum.
// The token names the last item of the page, so a page stays right when
// items are added or removed between calls.

// pageLimit checks a requested page size against [lo, hi]; absent (nil)
// is hi, and so is 0 where 0 is allowed. field is the member's name in
// Cognito's validation message.
func pageLimit(req *int, lo, hi int, field string) (int, error) {
	if req == nil {
		return hi, nil
	}
	n := *req
	if n == 0 && lo == 0 {
		return hi, nil
	}
	if n < lo || n > hi {
		bound := "less than or equal to " + strconv.Itoa(hi)
		if n < lo {
			bound = "greater than or equal to " + strconv.Itoa(lo)
		}
		return 0, apiErr(codeInvalidParameter, "1 validation error detected: Value '"+strconv.Itoa(n)+
			"' at '"+field+"' failed to satisfy constraint: Member must have value "+bound)
	}
	return n, nil
}

var errPageToken = apiErr(codeInvalidParameter, "Invalid pagination token.")

// pageTokenMark starts every decoded page token, so that a token that
// did not come from a listing is refused rather than read as a key.
const pageTokenMark = "page\x00"

// pageOf returns the page of items, sorted here by key, that follows
// token, and the token of the next page ("" after the last).
func pageOf[T any](items []T, key func(T) string, limit int, token string) ([]T, string, error) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		after, ok := strings.CutPrefix(string(raw), pageTokenMark)
		if err != nil || !ok {
			return nil, "", errPageToken
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	next := ""
	if end < len(items) && end > start {
		next = base64.RawURLEncoding.EncodeToString([]byte(pageTokenMark + key(items[end-1])))
	}
	return page, next, nil
}
