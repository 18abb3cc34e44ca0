package cognitojwt_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestErrorStatus(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{cognitojwt.ErrNoToken, 401, ""},
		{cognitojwt.ErrInvalidRequest, 400, "invalid_request"},
		{cognitojwt.ErrInsufficientScope, 403, "insufficient_scope"},
		{cognitojwt.ErrKeysUnavailable, 503, "temporarily_unavailable"},
		{cognitojwt.ErrMalformedToken, 401, "invalid_token"},
		{cognitojwt.ErrUnsupportedAlgorithm, 401, "invalid_token"},
		{cognitojwt.ErrUnknownKey, 401, "invalid_token"},
		{cognitojwt.ErrInvalidSignature, 401, "invalid_token"},
		{cognitojwt.ErrExpired, 401, "invalid_token"},
		{cognitojwt.ErrNotYetValid, 401, "invalid_token"},
		{cognitojwt.ErrWrongIssuer, 401, "invalid_token"},
		{cognitojwt.ErrWrongClient, 401, "invalid_token"},
		{cognitojwt.ErrWrongTokenUse, 401, "invalid_token"},
		{fmt.Errorf("wrapped: %w", cognitojwt.ErrExpired), 401, "invalid_token"},
		{fmt.Errorf("wrapped: %w", cognitojwt.ErrInsufficientScope), 403, "insufficient_scope"},
		{errors.New("a verifier of the caller's own failed"), 401, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			status, code, desc := cognitojwt.ErrorStatus(tt.err)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.code, code)
			require.NotEmpty(t, desc)
			require.NotContains(t, desc, `"`)
			require.NotContains(t, desc, `\`)
		})
	}
	require.Nil(t, cognitojwt.ErrorKind(errors.New("other")))
}

// The codes are documented and used as metric labels: they never change.
func TestErrorCode(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                              "",
		errors.New("a caller's own failure"):             "other",
		cognitojwt.ErrNoToken:                            "no_token",
		cognitojwt.ErrMalformedToken:                     "malformed_token",
		cognitojwt.ErrUnsupportedAlgorithm:               "unsupported_algorithm",
		cognitojwt.ErrUnknownKey:                         "unknown_key",
		cognitojwt.ErrInvalidSignature:                   "invalid_signature",
		cognitojwt.ErrExpired:                            "expired",
		cognitojwt.ErrNotYetValid:                        "not_yet_valid",
		cognitojwt.ErrWrongIssuer:                        "wrong_issuer",
		cognitojwt.ErrWrongClient:                        "wrong_client",
		cognitojwt.ErrWrongTokenUse:                      "wrong_token_use",
		cognitojwt.ErrKeysUnavailable:                    "keys_unavailable",
		cognitojwt.ErrInvalidRequest:                     "invalid_request",
		cognitojwt.ErrInsufficientScope:                  "insufficient_scope",
		cognitojwt.ErrInvalidConfig:                      "invalid_config",
		cognitojwt.ErrRevoked:                            "revoked",
		fmt.Errorf("wrapped: %w", cognitojwt.ErrExpired): "expired",
	} {
		require.Equal(t, want, cognitojwt.ErrorCode(err), "%v", err)
	}
	require.Equal(t, cognitojwt.ErrWrongClient, cognitojwt.ErrorKind(fmt.Errorf("x: %w", cognitojwt.ErrWrongClient)))
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	cognitojwt.WriteError(w, cognitojwt.ErrExpired, "my \"orders\\\" realm\n\u00e9")
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, `Bearer realm="my orders realm", error="invalid_token", error_description="The access token expired."`,
		w.Header().Get("WWW-Authenticate"))
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))

	w = httptest.NewRecorder()
	cognitojwt.WriteError(w, cognitojwt.ErrKeysUnavailable, "api")
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Empty(t, w.Header().Get("WWW-Authenticate"))
	require.Equal(t, "10", w.Header().Get("Retry-After"))
}

// WriteError names the scopes in the challenge of a 403, with the
// realm and scope stripped of what a quoted string cannot hold.
func TestWriteErrorNamesTheScopes(t *testing.T) {
	w := httptest.NewRecorder()
	cognitojwt.WriteError(w, cognitojwt.ErrInsufficientScope, `a"pi`, `aws.cognito.signin.user.admin "x\`)
	requireResponse(t, wantResponse{
		status: http.StatusForbidden,
		challenge: `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant access to this resource.", ` +
			`scope="aws.cognito.signin.user.admin x"`,
		code:        "insufficient_scope",
		description: "The token does not grant access to this resource.",
	}, w)
}
