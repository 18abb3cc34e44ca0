package cognitojwt_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitojwt/cognitojwt"
)

// WriteErrorScope names the scopes in the challenge of a 403, with the
// realm and scope stripped of what a quoted string cannot hold.
func TestWriteErrorScopeNamesTheScope(t *testing.T) {
	w := httptest.NewRecorder()
	cognitojwt.WriteErrorScope(w, cognitojwt.ErrInsufficientScope, `a"pi`, `aws.cognito.signin.user.admin "x\`)
	requireResponse(t, wantResponse{
		status: http.StatusForbidden,
		challenge: `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant access to this resource.", ` +
			`scope="aws.cognito.signin.user.admin x"`,
		code:        "insufficient_scope",
		description: "The token does not grant access to this resource.",
	}, w)
}
