package cognitojwt

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
	"github.com/cognitojwt/cognitojwt/internal/view"
)

// compactOf joins a header and a payload, base64url-encoded, with a
// signature of RSA-2048 length: parsing checks its encoding only.
func compactOf(header, payload string) string {
	e := base64.RawURLEncoding
	return e.EncodeToString([]byte(header)) + "." + e.EncodeToString([]byte(payload)) + "." + e.EncodeToString(make([]byte, 256))
}

// TestKnownHeadersReadAsParsed: a header segment a verifier remembers
// gives what reading it gives, a header it does not know is read (and
// refused) as ever, the memory keeps its own copy of what it remembers,
// and a fifth header pushes out the first.
func TestKnownHeadersReadAsParsed(t *testing.T) {
	const payload = `{"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc","exp":4102444800,"token_use":"access","client_id":"c"}`
	good := compactOf(`{"kid":"k1","alg":"RS256"}`, payload)
	var known knownHeaders
	var want parsedToken
	if err := parseToken(good, &want); err != nil {
		t.Fatal(err)
	}
	// The segment handed to remember shares a buffer its owner rewrites.
	buf := []byte(want.header)
	known.remember(view.String(buf), want.kid)
	copy(buf, make([]byte, len(buf)))
	var got parsedToken
	if err := parseKnown(good, &got, &known); err != nil {
		t.Fatal(err)
	}
	if got.kid != "k1" || got.signed != want.signed || got.claims.Issuer != want.claims.Issuer || got.claims.payload != want.claims.payload {
		t.Fatalf("a known header parsed as kid %q, signing input %q", got.kid, got.signed)
	}
	allocs := testing.AllocsPerRun(20, func() { _ = parseKnown(good, &got, &known) })
	unknown := testing.AllocsPerRun(20, func() { _ = parseKnown(good, &got, nil) })
	if allocs >= unknown {
		t.Fatalf("a known header costs %v allocations, an unknown one %v: it was decoded again", allocs, unknown)
	}

	for h, want := range map[string]error{
		`{"kid":"k1","alg":"none"}`:                 ErrUnsupportedAlgorithm,
		`{"kid":"k1","alg":"RS256","crit":["b64"]}`: ErrMalformedToken,
		`{"alg":"RS256"}`:                           ErrUnknownKey,
	} {
		var p parsedToken
		if err := parseKnown(compactOf(h, payload), &p, &known); !errors.Is(err, want) {
			t.Fatalf("header %s beside a known one: %v, want %v", h, err, want)
		}
	}

	for _, kid := range []string{"k2", "k3", "k4", "k5"} {
		var p parsedToken
		if err := parseToken(compactOf(`{"kid":"`+kid+`","alg":"RS256"}`, payload), &p); err != nil {
			t.Fatal(err)
		}
		known.remember(p.header, p.kid)
		if k, ok := known.kid(p.header); !ok || k != kid {
			t.Fatalf("header of %s just remembered reads as %q, %v", kid, k, ok)
		}
	}
	if _, ok := known.kid(want.header); ok {
		t.Fatal("five headers remembered in four slots, and the first is still there")
	}
	if _, ok := (*knownHeaders)(nil).kid(want.header); ok {
		t.Fatal("no memory knows a header")
	}
}

// TestGroupsAndScopesShareOneAllocation: a token's groups and scopes,
// read into one list, are what reading each alone gives (groups as
// ClaimsFromUserInfo reads them, scopes as rules.SplitScopes splits them),
// present but empty included, and a bad group is refused as before.
func TestGroupsAndScopesShareOneAllocation(t *testing.T) {
	const base = `"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc","exp":4102444800,"token_use":"access","client_id":"c"`
	for _, members := range []string{
		`"cognito:groups":["admin","editors"],"scope":"openid  profile email"`,
		`"scope":"openid profile","cognito:groups":["a"]`,
		`"cognito:groups":["admin"]`,
		`"cognito:groups":[]`,
		`"cognito:groups":[],"scope":"  "`,
		`"scope":"aws.cognito.signin.user.admin"`,
		`"scope":""`,
		``,
	} {
		payload := "{" + base
		if members != "" {
			payload += "," + members
		}
		payload += "}"
		var p parsedToken
		if err := parseToken(compactOf(`{"kid":"k","alg":"RS256"}`, payload), &p); err != nil {
			t.Fatalf("%s: %v", members, err)
		}
		alone, err := ClaimsFromUserInfo(payload)
		if err != nil {
			t.Fatal(err)
		}
		var scopes Names
		if v, ok := jsonscan.Lookup(payload, "scope"); ok {
			s, _ := v.AsString()
			scopes = namesFrom(rules.SplitScopes(s))
		}
		if !reflect.DeepEqual(p.claims.Groups, alone.Groups) || !reflect.DeepEqual(p.claims.Scopes, scopes) {
			t.Fatalf("%s: groups %#v scopes %#v, alone %#v and %#v", members, p.claims.Groups, p.claims.Scopes, alone.Groups, scopes)
		}
	}
	parses := func(payload string) float64 {
		tok := compactOf(`{"kid":"k","alg":"RS256"}`, payload)
		return testing.AllocsPerRun(20, func() {
			var p parsedToken
			_ = parseToken(tok, &p)
		})
	}
	// Up to boxedNames groups and scopes go in the payload's own
	// allocation (decodePayload); more cost one allocation for them all,
	// however many there are: a user in twelve groups costs that one.
	for groups, want := range map[string]float64{
		`["a","b"]`:         0,
		`["a","b","c"]`:     0,
		`["a","b","c","d"]`: 1,
		`["a","b","c","d","e","f","g","h","i","j","k","l"]`: 1,
	} {
		if both, neither := parses("{"+base+`,"cognito:groups":`+groups+`,"scope":"c d e"}`), parses("{"+base+"}"); both != neither+want {
			t.Fatalf("groups %s and scopes cost %v allocations more than none: want %v", groups, both-neither, want)
		}
	}
	var p parsedToken
	err := parseToken(compactOf(`{"kid":"k","alg":"RS256"}`, "{"+base+`,"cognito:groups":["a",1]}`), &p)
	if !errors.Is(err, ErrMalformedToken) || !strings.Contains(err.Error(), `"cognito:groups"`) {
		t.Fatalf("a group that is a number: %v", err)
	}
}
