package conformance

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// requireAccessToken verifies, with a cognitojwt.Verifier trusting the
// pool's issuer and the app client, an access token a client obtained, the
// way a service behind that client would, and requires it to name the user.
func requireAccessToken(t *testing.T, iss *issuer, clientID, token, username string) *cognitojwt.Claims {
	t.Helper()
	v, err := cognitojwt.New(cognitojwt.Config{
		Issuer:     iss.Issuer,
		ClientIDs:  []string{clientID},
		TokenUse:   cognitojwt.AccessToken,
		HTTPClient: iss.httpClient(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	claims, err := v.Verify(ctx, token)
	if err != nil {
		t.Fatalf("the access token does not verify: %v", err)
	}
	if got, _ := claims.Get("username"); got != username {
		t.Fatalf("access token username %v, want %s", got, username)
	}
	return claims
}

// str reads a string member of a script's RESULT.
func str(t *testing.T, m map[string]any, name string) string {
	t.Helper()
	s, ok := m[name].(string)
	if !ok || s == "" {
		t.Fatalf("RESULT has no string %q: %v", name, m)
	}
	return s
}

// jsonField reads a string member of a JSON object.
func jsonField(t *testing.T, object, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(object), &m); err != nil {
		t.Fatalf("%v: %s", err, object)
	}
	return str(t, m, name)
}
