package authz

import (
	"cmp"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt"
)

// Why a guard's policy refused, for the middleware's log at debug level.
// Policies are plain functions that answer yes or no; to say why one said
// no, a guard whose policy refused asks it again with an explanation
// opened for those claims, and the policies built here note their reason
// into it. Nothing is noted, and nothing costs more than an atomic load,
// unless a refusal is being explained.

// explaining counts the explanations open; policies look at it before
// looking for theirs.
var explaining atomic.Int32

// explanations maps the *Claims being explained to its explanation.
var explanations sync.Map

type explanation struct {
	mu     sync.Mutex
	notes  []string
	claims []string // claims the refusing policies read
}

// deny notes why a policy built here refused c (the parts of why,
// joined only then, so that a refusal nobody explains costs no
// allocation), and which claim it read ("" for none), when the refusal is
// being explained; it returns false for the policy to return.
func deny(c *cognitojwt.Claims, claim string, why ...string) bool {
	if explaining.Load() == 0 || c == nil {
		return false
	}
	if e, ok := explanations.Load(c); ok {
		e := e.(*explanation)
		e.mu.Lock()
		e.notes = append(e.notes, strings.Join(why, ""))
		if claim != "" {
			e.claims = append(e.claims, claim)
		}
		e.mu.Unlock()
	}
	return false
}

// explain asks p again about c with an explanation open, and returns the
// log attributes saying why it refused: each policy's reason and, for an
// access token refused over a claim Cognito puts only in ID tokens, a hint
// that says so. Reasons name policies and claims, never claim values.
func explain(r *http.Request, c *cognitojwt.Claims, p RequestPolicy) []slog.Attr {
	if p == nil {
		return []slog.Attr{slog.String("why", "no policy: a nil policy refuses everything")}
	}
	e := &explanation{}
	explaining.Add(1)
	explanations.Store(c, e)
	p(r, c)
	explanations.Delete(c)
	explaining.Add(-1)
	e.mu.Lock()
	defer e.mu.Unlock()
	why := cmp.Or(strings.Join(e.notes, "; "), "a policy of the caller's own refused")
	attrs := []slog.Attr{slog.String("why", why)}
	if c.TokenUse == cognitojwt.AccessToken {
		for _, claim := range e.claims {
			if idTokenOnly(claim) {
				attrs = append(attrs, slog.String("hint", "access tokens carry no "+claim+
					": Cognito puts it in ID tokens only; verify the ID token for this route, or add the claim to access tokens with a pre token generation trigger"))
				break
			}
		}
	}
	return attrs
}

// idTokenOnly reports a claim Cognito puts in ID tokens and not in access
// tokens: the user's attributes, custom ones included.
func idTokenOnly(claim string) bool {
	if strings.HasPrefix(claim, "custom:") || strings.HasPrefix(claim, "dev:") {
		return true
	}
	switch claim {
	case "email", "email_verified", "phone_number", "phone_number_verified", "birthdate",
		"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "zoneinfo", "locale", "updated_at", "address",
		"identities", "cognito:username", "cognito:roles", "cognito:preferred_role", "aud", "at_hash", "nonce":
		return true
	}
	return false
}
