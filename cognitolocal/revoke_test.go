package cognitolocal

import (
	"context"
	"testing"
)

func TestRevokeTokenRefusesAnAccessOrIDToken(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	for _, jwt := range []string{tok.AccessToken, tok.IDToken} {
		requireAPIError(t, p, "RevokeToken", map[string]any{"Token": jwt, "ClientId": DefaultClientID},
			"UnsupportedTokenTypeException", "Unsupported token type.")
	}
	// The session lives on: nothing was revoked.
	if _, err := p.refreshTokens(context.Background(), DefaultClientID, tok.RefreshToken, nil); err != nil {
		t.Fatal(err)
	}
}
