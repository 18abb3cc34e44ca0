package redisstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/redisstore"
)

// TestVerifyRefusesOnEveryInstance runs the lists through cognitojwt's
// Verify, as Config.Revocations: a revocation made on one instance makes
// the other's verifier refuse the token, and a subject's token is refused
// with a description that asks for a refresh.
func TestVerifyRefusesOnEveryInstance(t *testing.T) {
	srv := startRedis(t, false)
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	verifier := func(revs *redisstore.Revocations) *cognitojwt.Verifier {
		v, err := cognitojwt.New(cognitojwt.Config{
			Issuer: pool.Issuer(), ClientIDs: []string{cognitolocal.DefaultClientID},
			TokenUse: cognitojwt.AccessToken, Revocations: revs,
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a := newStore(t, newClient(t, srv.Addr(), "a"), redisstore.WithResyncInterval(never))
	b := newStore(t, newClient(t, srv.Addr(), "b"), redisstore.WithResyncInterval(never))
	va, vb := verifier(a), verifier(b)
	mint := func(sub string) string {
		tok, err := pool.MintTokens(cognitolocal.Mint{Username: sub, Subject: sub})
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	byFamily, bySubject := mint("user-1"), mint("user-2")
	c, err := vb.Verify(ctx, byFamily)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vb.Verify(ctx, bySubject); err != nil {
		t.Fatal(err)
	}

	if err := a.RevokeFamily(ctx, c.OriginJTI); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeSubject(ctx, "user-2", time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]*cognitojwt.Verifier{"a": va, "b": vb} {
		eventually(t, "instance "+name+" refuses both tokens", func() bool {
			_, e1 := v.Verify(ctx, byFamily)
			_, e2 := v.Verify(ctx, bySubject)
			return errors.Is(e1, cognitojwt.ErrRevoked) && errors.Is(e2, cognitojwt.ErrRevoked)
		})
		_, err := v.Verify(ctx, bySubject)
		if _, _, desc := cognitojwt.ErrorStatus(err); !strings.Contains(desc, "refresh") {
			t.Errorf("instance %s: a token refused by subject says %q, not to refresh", name, desc)
		}
		_, err = v.Verify(ctx, byFamily)
		if _, _, desc := cognitojwt.ErrorStatus(err); strings.Contains(desc, "refresh") {
			t.Errorf("instance %s: a token of a revoked family says %q: a refresh cannot fix it", name, desc)
		}
	}
	if other := mint("user-3"); func() error { _, err := vb.Verify(ctx, other); return err }() != nil {
		t.Error("an unrelated token is refused")
	}
}

// The subject rule is at the second, as iat is: RevokeSubject(sub,
// time.Now()) refuses every token from an earlier second, and the token
// of the refresh the client makes right after it passes, also when the
// refresh lands in the same second as the cut-off. Each round revokes
// and refreshes at once, with no sleep.
func TestSubjectCutoffAdmitsTheRefreshRightAfterAndRefusesEarlierSeconds(t *testing.T) {
	srv := startRedis(t, false)
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	sub, err := pool.CreateUser("alice", "Passw0rd!local", nil)
	if err != nil {
		t.Fatal(err)
	}
	signedIn, err := pool.SignIn(ctx, cognitolocal.DefaultClientID, "alice", "Passw0rd!local")
	if err != nil {
		t.Fatal(err)
	}
	a := newStore(t, newClient(t, srv.Addr(), "a"), redisstore.WithResyncInterval(never))
	b := newStore(t, newClient(t, srv.Addr(), "b"), redisstore.WithResyncInterval(never))
	verifier := func(revs *redisstore.Revocations) *cognitojwt.Verifier {
		v, err := cognitojwt.New(cognitojwt.Config{Issuer: pool.Issuer(), ClientIDs: []string{cognitolocal.DefaultClientID},
			TokenUse: cognitojwt.AccessToken, Revocations: revs})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vb := verifier(a), verifier(b)
	for round := range 100 {
		earlier, err := pool.MintTokens(cognitolocal.Mint{Username: "alice", Subject: sub, IssuedAt: time.Now().Add(-time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.RevokeSubject(ctx, sub, time.Now()); err != nil {
			t.Fatal(err)
		}
		fresh := refresh(t, pool.Endpoint(), signedIn.RefreshToken)
		if _, err := va.Verify(ctx, fresh); err != nil {
			t.Fatalf("round %d: the token of the refresh right after the cut-off is refused: %v", round, err)
		}
		if _, err := va.Verify(ctx, earlier.AccessToken); !errors.Is(err, cognitojwt.ErrRevoked) {
			t.Fatalf("round %d: a token from the second before the cut-off: %v, want ErrRevoked", round, err)
		}
		eventually(t, "b refuses the earlier token", func() bool {
			_, err := vb.Verify(ctx, earlier.AccessToken)
			return errors.Is(err, cognitojwt.ErrRevoked)
		})
		if _, err := vb.Verify(ctx, fresh); err != nil {
			t.Fatalf("round %d: instance b refuses the refreshed token: %v", round, err)
		}
	}
}

// refresh redeems a refresh token at the local pool's InitiateAuth, as a
// client does, and returns the new access token.
func refresh(t *testing.T, endpoint, refreshToken string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": cognitolocal.DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AuthenticationResult struct{ AccessToken string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AuthenticationResult.AccessToken == "" {
		t.Fatalf("refresh: HTTP %d, %v", resp.StatusCode, err)
	}
	return out.AuthenticationResult.AccessToken
}
