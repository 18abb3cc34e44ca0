package cognitolocal

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnknownOperation(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "ForgetEverything", map[string]any{}, "UnknownOperationException", "")
}

func TestMalformedBody(t *testing.T) {
	p := newPool(t, Config{})
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{not json"))
	r.Header.Set("X-Amz-Target", targetPrefix+"GetUser")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, "SerializationException", rec.Header().Get("x-amzn-ErrorType"))
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	require.NoError(t, p.GlobalSignOut("alice"))
	for op, in := range map[string]any{
		"InitiateAuth": map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Secret-pw-9"}},
		"GetUser":     map[string]any{"AccessToken": tok.AccessToken},
		"RevokeToken": map[string]any{"Token": tok.RefreshToken, "ClientId": DefaultClientID, "ClientSecret": "Secret-pw-9"},
		"SignUp":      map[string]any{"ClientId": DefaultClientID, "Username": "x", "Password": "Secret-pw-9z"},
	} {
		body := callRaw(t, p, op, in).Body.String()
		for _, secret := range []string{"Secret-pw-9", tok.AccessToken[:40], tok.RefreshToken[:20]} {
			require.NotContains(t, body, secret, op)
		}
	}
}

func TestLoggerRecordsOperationsWithoutSecrets(t *testing.T) {
	var buf strings.Builder
	p := newPool(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	callRaw(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Secret-pw-9"}})
	rec := callRaw(t, p, "GetUser", map[string]any{"AccessToken": signIn(t, p).AccessToken})
	require.NotEmpty(t, rec.Header().Get("x-amzn-RequestId"))
	require.Contains(t, buf.String(), "operation=InitiateAuth error=NotAuthorizedException")
	require.Contains(t, buf.String(), "operation=GetUser")
	require.NotContains(t, buf.String(), "Secret-pw-9")
	require.NotContains(t, buf.String(), "alice")
}
