package redisstore_test

import (
	"context"
	"errors"
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
