package rules_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/rules"
	"github.com/cognitojwt/cognitojwt/revocation"
)

const (
	revokedDescription = "The access token has been revoked."
	staleDescription   = "The access token predates a change to the account; refresh it or sign in again."
)

// revokeAll is a RevocationList of the caller's own that refuses every
// token for a reason this module does not know: a plain revocation.
type revokeAll struct{}

func (revokeAll) RevocationReason(*cognitojwt.Claims) cognitojwt.RevocationReason {
	return 200
}

// Revocation answers as Verify does, for the verifiers outside the root
// package (alb): the list's reason picks the description, and no
// identifier reaches the error.
func TestRevocationAnswersAsVerify(t *testing.T) {
	check := func(list cognitojwt.RevocationList, c *cognitojwt.Claims) error {
		return rules.NewRevocation[*cognitojwt.Claims, cognitojwt.RevocationReason, cognitojwt.RevocationKey](list).Check(c)
	}
	requireRevoked := func(err error, description string, c *cognitojwt.Claims) {
		t.Helper()
		require.ErrorIs(t, err, cognitojwt.ErrRevoked)
		require.Equal(t, "revoked", cognitojwt.ErrorCode(err))
		status, code, desc := cognitojwt.ErrorStatus(err)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Equal(t, "invalid_token", code)
		require.Equal(t, description, desc)
		for _, id := range []string{c.JWTID, c.OriginJTI, c.Subject} {
			require.NotContains(t, err.Error(), id)
		}
	}
	c := &cognitojwt.Claims{Subject: "sub-7f3a", JWTID: "jti-7f3a", OriginJTI: "family-7f3a", IssuedAt: time.Now().Truncate(time.Second)}
	require.NoError(t, check(nil, c))
	list := new(revocation.List)
	require.NoError(t, check(list, c))
	list.RevokeSubject("sub-7f3a", c.IssuedAt.Add(time.Second))
	requireRevoked(check(list, c), staleDescription, c)
	requireRevoked(check(revokeAll{}, c), revokedDescription, c)
}

// SubjectCutoffUnix is SubjectCutoff in whole Unix seconds, before 1970
// as after, and comparing a token's iat with it in seconds refuses
// exactly the tokens SubjectCutoff refuses.
func TestSubjectCutoffUnixAgreesWithSubjectCutoff(t *testing.T) {
	for _, ns := range []int64{0, 1, 999_999_999, 1e9, 1e9 + 1, -1, -999_999_999, -1e9, -1e9 - 1, 1_750_000_000_123_456_789, -1_750_000_000_123_456_789} {
		cut := rules.SubjectCutoff(time.Unix(0, ns))
		require.Equal(t, cut.Unix(), rules.SubjectCutoffUnix(ns), "cut-off at %d ns", ns)
		for _, d := range []time.Duration{-time.Second - 1, -time.Second, -1, 0, 1, time.Second - 1, time.Second} {
			iat := time.Unix(0, ns).Add(d)
			require.Equal(t, iat.Before(cut), iat.Unix() < rules.SubjectCutoffUnix(ns), "iat %v, cut-off at %d ns", iat, ns)
		}
	}
}
