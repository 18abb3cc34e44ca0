package cognitojwt_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// The names that became InAnyGroup, HasAllScopes, RequireAnyGroup and
// RequireAllScopes keep deciding as those do.
func TestDeprecatedNamesDecideAsTheirSuccessors(t *testing.T) {
	claims := []*cognitojwt.Claims{
		nil,
		{Groups: cognitojwt.NamesOf("staff"), Scopes: cognitojwt.NamesOf("a")},
		{Groups: cognitojwt.NamesOf("staff", "admin"), Scopes: cognitojwt.NamesOf("a", "b")},
	}
	for _, c := range claims {
		require.Equal(t, cognitojwt.InAnyGroup("admin", "ops")(c), cognitojwt.InGroup("admin", "ops")(c))
		require.Equal(t, cognitojwt.HasAllScopes("a", "b")(c), cognitojwt.HasScope("a", "b")(c))
	}

	f := newFixture(t, nil)
	token := f.iss.AccessToken(cognitotest.WithGroups("staff"), cognitotest.WithScopes("a"))
	for _, tc := range []struct {
		old, successor func(http.Handler) http.Handler
	}{
		{cognitojwt.RequireGroup("staff"), cognitojwt.RequireAnyGroup("staff")},
		{cognitojwt.RequireGroup("admin"), cognitojwt.RequireAnyGroup("admin")},
		{cognitojwt.RequireScope("a"), cognitojwt.RequireAllScopes("a")},
		{cognitojwt.RequireScope("a", "b"), cognitojwt.RequireAllScopes("a", "b")},
	} {
		var p, q probe
		w1 := serve(cognitojwt.Middleware(f.v)(tc.old(&p)), bearer(token))
		w2 := serve(cognitojwt.Middleware(f.v)(tc.successor(&q)), bearer(token))
		require.Equal(t, w2.Code, w1.Code)
		require.Equal(t, w2.Header().Get("WWW-Authenticate"), w1.Header().Get("WWW-Authenticate"))
		require.Equal(t, q.ran, p.ran)
	}
}
