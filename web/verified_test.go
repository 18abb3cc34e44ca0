package web_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/web"
)

// jtiList refuses the tokens whose jti it lists.
type jtiList struct {
	mu   sync.Mutex
	jtis map[string]bool
}

func (l *jtiList) RevocationReason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.jtis[c.JWTID] {
		return cognitojwt.RevokedToken
	}
	return cognitojwt.NotRevoked
}

func (l *jtiList) add(jti string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.jtis == nil {
		l.jtis = map[string]bool{}
	}
	l.jtis[jti] = true
}

// TestOpenedSessionRechecksItsTokensOnEveryRequest: the requests of a
// session after its first use the claims its tokens verified to when its
// cookie was first opened, yet each still rechecks both tokens against
// the revocation list, and a handler that changes the claims it was given
// changes nothing for the session's next request.
func TestOpenedSessionRechecksItsTokensOnEveryRequest(t *testing.T) {
	list := &jtiList{}
	a := newApp(t, func(c *web.Config) { c.Verify.Revocations = list })
	var idJTI, accessJTI string
	a.mux.Handle("GET /tamper", a.auth.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		_, hasToken := web.AccessToken(r.Context())
		ac, hasClaims := web.AccessClaims(r.Context())
		idJTI = c.JWTID
		fmt.Fprintf(w, "user=%s sub=%s groups=%v access=%v", c.Username, c.Subject, c.Groups, hasToken)
		if hasClaims {
			accessJTI = ac.JWTID
			fmt.Fprintf(w, " access-sub=%s client=%s scopes=%v", ac.Subject, ac.ClientID, ac.Scopes)
			ac.Subject, ac.ClientID = "sub-mallory", "other-client"
		}
		c.Username, c.Subject = "mallory", "sub-mallory"
	})))
	a.pool.signInAs("alice", "admin", "staff")
	a.signIn("/")

	const want = "user=alice sub=sub-alice groups=[admin staff] access=true access-sub=sub-alice client=web-client scopes=[openid email profile]"
	for i := range 3 {
		resp := a.get("/tamper")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, want, body(t, resp), "request %d", i)
	}
	require.NotEmpty(t, idJTI)
	require.NotEmpty(t, accessJTI)
	require.NotEqual(t, idJTI, accessJTI)

	// The access token alone listed: the page is served without it.
	list.add(accessJTI)
	resp := a.get("/tamper")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "user=alice sub=sub-alice groups=[admin staff] access=false", body(t, resp))
	assert.Contains(t, a.logs.String(), "access token does not verify: revoked")

	// The ID token listed: the session ends.
	list.add(idJTI)
	resp = a.get("/tamper")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Nil(t, a.cookie("session"))
}
