// Package alb verifies the user-claims token an Application Load Balancer
// forwards in "x-amzn-oidc-data" once it has authenticated a user with
// Cognito: an ES256 JWT with padded segments, signed by the load
// balancer, whose public key is served as PEM per kid. Its Verifier is a
// cognitojwt.TokenVerifier: use it with cognitojwt.Middleware and
// ForwardedDataToken. The user's Cognito access token, which the load balancer
// forwards in "x-amzn-oidc-accesstoken", is an ordinary access token for
// a cognitojwt.Verifier; ForwardedAccessToken reads it.
package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"math/big"
	"slices"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
	"github.com/cognitojwt/cognitojwt/internal/view"
)

// Verifier verifies the user-claims token an Application Load Balancer
// forwards in "x-amzn-oidc-data" once it has authenticated a user: an
// ES256 JWT whose base64url segments keep their "=" padding (the signature
// covers them as sent), whose header carries kid, signer (the ALB's ARN),
// client, iss and exp, and whose public key is served as PEM per kid.
//
// Its checks are as strict as cognitojwt.Verifier's and fail with the
// same kinds: size, shape and canonical padded base64url, header (alg
// exactly ES256, no jku/x5u/jwk/x5c/crit/…), claim types, signer and iss
// (ErrWrongIssuer) before any network, then the key (a kid that is not a
// UUID is never put into a URL: ErrUnknownKey), signature, lifetime,
// client (ErrWrongClient) and revocation (ErrRevoked). The claims are the
// user-info claims of the payload, with Issuer, ClientID and the lifetime
// taken from the header.
//
// Use it with cognitojwt.Middleware(v, cognitojwt.WithTokenSource(ForwardedDataToken)). Only the load
// balancer should be able to reach the service: the token proves the
// user's identity, and anyone who can send requests around the load
// balancer can make the verifier fetch keys for kids of their choosing,
// at most a few per RefetchCooldown.
type Verifier struct {
	arns      []string
	clients   []string
	anyClient bool
	issuers   []string
	leeway    time.Duration
	maxSize   int
	now       func() time.Time
	hooks     cognitojwt.Hooks
	revoked   rules.Revocation[*cognitojwt.Claims, cognitojwt.RevocationReason, cognitojwt.RevocationKey]
	keys      *keySource
}

// Verify checks an x-amzn-oidc-data token and returns its claims. Errors
// wrap exactly one of cognitojwt's sentinels.
func (v *Verifier) Verify(ctx context.Context, token string) (*cognitojwt.Claims, error) {
	if v.hooks.OnVerify == nil {
		return v.verify(ctx, token)
	}
	start := time.Now()
	c, err := v.verify(ctx, token)
	v.hooks.OnVerify(cognitojwt.VerifyOutcome{Err: err, Duration: time.Since(start)})
	return c, err
}

func (v *Verifier) verify(ctx context.Context, token string) (*cognitojwt.Claims, error) {
	if token == "" {
		return nil, errEmpty
	}
	if len(token) > v.maxSize {
		return nil, errTooLarge
	}
	hSeg, pSeg, sSeg, err := splitPadded(token)
	if err != nil {
		return nil, err
	}
	hBuf, err := decodePadded(hSeg)
	if err != nil {
		return nil, err
	}
	pBuf, err := decodePadded(pSeg)
	if err != nil {
		return nil, err
	}
	sig, err := decodePadded(sSeg)
	if err != nil {
		return nil, err
	}
	var scratch [40]jsonscan.Member
	h, err := parseALBHeader(view.String(hBuf), scratch[:0])
	if err != nil {
		return nil, err
	}
	// The user-info claims are read as the root verifier reads the claims
	// a Cognito token carries too, so the two formats fill Claims alike.
	c, err := cognitojwt.ClaimsFromUserInfo(view.String(pBuf))
	if err != nil {
		return nil, err
	}
	payloadExp := c.ExpiresAt
	switch {
	case h.signer == "":
		return nil, errNoSigner
	case !slices.Contains(v.arns, h.signer):
		return nil, errSigner
	case h.iss == "":
		return nil, errNoIssuer
	case !slices.Contains(v.issuers, h.iss):
		return nil, errIssuer
	case c.Issuer != "" && c.Issuer != h.iss:
		return nil, errALBIssMix
	}
	key, err := v.keys.key(ctx, h.kid)
	if err != nil {
		return nil, err
	}
	if !verifyES256(key, token[:len(hSeg)+1+len(pSeg)], sig) {
		return nil, errALBBadSig
	}
	c.Issuer, c.ClientID, c.KeyID = h.iss, h.client, h.kid
	c.ExpiresAt = h.exp
	if !payloadExp.IsZero() && payloadExp.Before(c.ExpiresAt) {
		c.ExpiresAt = payloadExp
	}
	if err := rules.Lifetime(c.ExpiresAt, c.NotBefore, c.IssuedAt, v.now(), v.leeway); err != nil {
		return nil, err
	}
	if err := rules.Client(c.ClientID, v.clients, v.anyClient); err != nil {
		return nil, err
	}
	if err := v.revoked.Check(c); err != nil {
		return nil, err
	}
	return c, nil
}

func verifyES256(key *ecdsa.PublicKey, signed string, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	// The hash only reads the bytes: view the string without a copy.
	digest := sha256.Sum256(view.Bytes(signed))
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(key, digest[:], r, s)
}
