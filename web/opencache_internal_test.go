package web

import (
	"strconv"
	"strings"
	"testing"
)

func TestOpenCacheServesOnlyTheExactCookie(t *testing.T) {
	c := newOpenCache()
	s := &session{id: "a", idToken: "x.y.z", access: "p.q.r"}
	c.put([]string{"abcd", "efgh"}, s, false)
	if o := c.get([]string{"abcd", "efgh"}); o == nil || o.s.id != "a" {
		t.Fatalf("the same value misses: %v", o)
	}
	for name, parts := range map[string][]string{
		"one byte changed": {"abcd", "efgi"},
		"a boundary moved": {"abc", "defgh"},
		"joined":           {"abcdefgh"},
		"a chunk more":     {"abcd", "efgh", ""},
		"a chunk less":     {"abcd"},
		"nothing":          nil,
	} {
		if c.get(parts) != nil {
			t.Errorf("%s: served another cookie's session", name)
		}
	}
	s.id = "changed"
	if o := c.get([]string{"abcd", "efgh"}); o.s.id != "a" {
		t.Error("what is kept changed with the caller's session")
	}
}

func TestOpenCacheStaysBounded(t *testing.T) {
	c := newOpenCache()
	for i := range 3 * maxOpened {
		c.put([]string{strconv.Itoa(i)}, &session{id: "s"}, false)
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	if n > maxOpened {
		t.Fatalf("%d sessions kept, bound %d", n, maxOpened)
	}
	if c.get([]string{strconv.Itoa(3*maxOpened - 1)}) == nil {
		t.Error("the latest session is not kept")
	}
}

// TestOpenCacheComparesWhatTheKeyDoesNotHash: values that differ only
// before the end the key hashes land on the same key, and each is served
// only its own session.
func TestOpenCacheComparesWhatTheKeyDoesNotHash(t *testing.T) {
	c := newOpenCache()
	tail := strings.Repeat("t", keyTail)
	a, b := "A"+strings.Repeat("x", 100)+tail, "B"+strings.Repeat("x", 100)+tail
	if c.key([]string{a}) != c.key([]string{b}) {
		t.Fatal("the key hashes more than the end; this test needs values of one key")
	}
	c.put([]string{a}, &session{id: "a"}, false)
	if c.get([]string{b}) != nil {
		t.Fatal("a value that differs before its end was served another's session")
	}
	c.put([]string{b}, &session{id: "b"}, false)
	if o := c.get([]string{b}); o == nil || o.s.id != "b" {
		t.Fatalf("the value put last is not served its session: %v", o)
	}
	if c.get([]string{a}) != nil {
		t.Fatal("the value replaced under its key is still served, or served another's session")
	}
}
