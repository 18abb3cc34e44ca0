package cognitojwt_test

// Adversarial suite, limits: hostile tokens that need exact sizes or counts
// (the size limit's boundary, millions of dots, thousands of members or
// groups) cost what their size says and no more.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestTokenSizeLimitBoundary(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, nil)
	key := iss.CurrentKey()
	// tokenOfLength signs a token of exactly n bytes by sizing a filler
	// claim; unpadded base64 cannot be 1 mod 4 long, so a space in the
	// header JSON shifts the payload length when needed.
	tokenOfLength := func(n int) string {
		claims := iss.Claims("access")
		header := `{"alg":"RS256","kid":"` + key.KeyID + `"}`
		sigLen := len(segmentEncoding.EncodeToString(make([]byte, 256)))
		for pad := 0; pad < 4; pad++ {
			h := header[:1] + strings.Repeat(" ", pad) + header[1:]
			claims["custom:filler"] = ""
			base := len(mustJSON(t, claims))
			want := n - len(segmentEncoding.EncodeToString([]byte(h))) - 2 - sigLen
			for filler := 0; filler < n; filler++ {
				if segmentEncoding.EncodedLen(base+filler) == want {
					claims["custom:filler"] = strings.Repeat("f", filler)
					tok := cognitotest.SignRaw(key.Private, []byte(h), mustJSON(t, claims))
					if len(tok) != n {
						t.Fatalf("built %d bytes, want %d", len(tok), n)
					}
					return tok
				}
				if segmentEncoding.EncodedLen(base+filler) > want {
					break
				}
			}
		}
		t.Fatalf("no token of %d bytes", n)
		return ""
	}
	limit := cognitojwt.DefaultMaxTokenSize
	_, err := v.Verify(context.Background(), tokenOfLength(limit))
	requireKind(t, nil, err)
	fetches := iss.JWKSFetches()
	for _, n := range []int{limit + 2, limit + 3} { // limit+1 is 1 mod 4
		_, err = v.Verify(context.Background(), tokenOfLength(n))
		requireKind(t, cognitojwt.ErrMalformedToken, err)
	}
	if iss.JWKSFetches() != fetches {
		t.Fatal("an oversized token reached the key lookup")
	}
	_, err = v.Verify(context.Background(), tokenOfLength(limit-1)+".")
	requireKind(t, cognitojwt.ErrMalformedToken, err)
}

func TestManyDotsCostNoMemory(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 8 << 20 })
	valid := iss.AccessToken()
	few := valid + strings.Repeat(".", 10)
	many := valid + strings.Repeat(".", 4<<20)
	allocs := func(tok string) float64 {
		return testing.AllocsPerRun(5, func() {
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognitojwt.ErrMalformedToken) {
				t.Fatalf("got %v", err)
			}
		})
	}
	if a, b := allocs(few), allocs(many); a != b || b > 2 {
		t.Fatalf("10 extra dots cost %v allocations, 4M dots %v: rejecting must not depend on the dot count", a, b)
	}
	var before, after runtimeMem
	before.read()
	_, err := v.Verify(context.Background(), many)
	after.read()
	requireKind(t, cognitojwt.ErrMalformedToken, err)
	if grew := after.total - before.total; grew > 64<<10 {
		t.Fatalf("rejecting a 4 MiB token of dots allocated %d bytes", grew)
	}
}

// TestWideJSONCostsLinear guards against duplicate-member detection that
// is quadratic in the number of members: a token of thousands of tiny
// members must cost about what a token of half as many costs, before any
// key is needed.
func TestWideJSONCostsLinear(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 1 << 20 })
	wide := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"m%d":0,`, i)
		}
		return b.String()
	}
	claims := string(mustJSON(t, iss.Claims("access")))
	for _, where := range []string{"header", "payload"} {
		token := func(n int) string {
			h := `{"alg":"RS256","kid":"unknown",` + wide(n) + `"typ":"JWT"}`
			p := claims
			if where == "payload" {
				h = `{"alg":"RS256","kid":"unknown"}`
				p = "{" + wide(n) + claims[1:]
			}
			return unsignedTokenOf(h, p)
		}
		// Bytes allocated tell a quadratic scan apart: a set rebuilt per
		// member costs the square of the member count.
		cost := func(n int) uint64 {
			tok := token(n)
			var before, after runtimeMem
			before.read()
			for range 3 {
				if _, err := v.Verify(context.Background(), tok); !errors.Is(err, cognitojwt.ErrUnknownKey) {
					t.Fatalf("got %v", err)
				}
			}
			after.read()
			return after.total - before.total
		}
		small, large := cost(2000), cost(8000)
		if large > 6*small {
			t.Errorf("%s of 2000 members allocated %d bytes, of 8000 members %d: cost grows faster than the size", where, small, large)
		}
	}
}

func TestTenThousandGroupsWithinARaisedLimit(t *testing.T) {
	checkGoroutineLeaks(t)
	clock := newClock()
	iss := cognitotest.NewIssuer(t, cognitotest.WithClock(clock.Now), cognitotest.WithSigningKey(*sharedKey(t, "pool")))
	v := newCorpusVerifier(t, iss, clock, func(c *cognitojwt.Config) { c.MaxTokenSize = 1 << 20 })
	groups := make([]string, 10000)
	for i := range groups {
		groups[i] = "group-" + strconv.Itoa(i)
	}
	token := iss.AccessToken(cognitotest.WithGroups(groups...))
	c, err := v.Verify(context.Background(), token)
	requireKind(t, nil, err)
	if c.Groups.Len() != len(groups) || !c.InGroup("group-9999") || c.InGroup("group-10000") {
		t.Fatalf("got %d groups", c.Groups.Len())
	}
	res := serveProtected(v, []string{"Bearer " + token}, authz.RequireAnyGroup("admin"))
	assertRejection(t, res, http.StatusForbidden, secretsOf(token))
	res = serveProtected(v, []string{"Bearer " + token}, authz.RequireAnyGroup("group-5000"))
	if !res.reached {
		t.Fatalf("member of group-5000 refused: %d", res.rec.Code)
	}
}

// runtimeMem reads the bytes allocated so far.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}
