package cognitojwt

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
)

// MultiVerifier verifies tokens of several user pools, each with its own
// app clients, token use and keys. It picks the pool by the token's
// (unverified) iss and hands the token to that pool's Verifier, which then
// checks everything, iss included: a token can name a pool but never
// borrow another pool's keys.
//
// A token whose iss no pool accepts is rejected with ErrWrongIssuer before
// any network I/O.
type MultiVerifier struct {
	pools    []*Verifier
	byIssuer map[string]*Verifier
	maxSize  int
}

// NewMulti returns a MultiVerifier over one Verifier per Config. Every
// Config is validated as New validates it, and an issuer (Issuer or an
// entry of AdditionalIssuers) accepted by two Configs is ErrInvalidConfig:
// the pool a token belongs to must never be ambiguous.
//
// Each pool keeps its own Hooks; a token rejected before a pool is chosen
// (malformed, or of an unknown issuer) reaches no pool's OnVerify.
func NewMulti(cfgs ...Config) (*MultiVerifier, error) {
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("%w: NewMulti needs at least one Config", ErrInvalidConfig)
	}
	m := &MultiVerifier{byIssuer: make(map[string]*Verifier)}
	owner := make(map[string]int)
	for i, cfg := range cfgs {
		v, err := New(cfg)
		if err != nil {
			return nil, fmt.Errorf("config %d: %w", i, err)
		}
		for _, iss := range v.issuers {
			if j, dup := owner[iss]; dup {
				if j == i {
					continue // one pool naming an issuer twice is harmless
				}
				return nil, fmt.Errorf("%w: configs %d and %d both accept issuer %q", ErrInvalidConfig, j, i, iss)
			}
			owner[iss] = i
			m.byIssuer[iss] = v
		}
		m.pools = append(m.pools, v)
		m.maxSize = max(m.maxSize, v.maxSize)
	}
	return m, nil
}

// Pool returns the Verifier that accepts issuer, for Warm, Issuer or tests.
func (m *MultiVerifier) Pool(issuer string) (*Verifier, bool) {
	v, ok := m.byIssuer[issuer]
	return v, ok
}

// Pools returns the pools' Verifiers in the order of the Configs.
func (m *MultiVerifier) Pools() []*Verifier {
	return append([]*Verifier(nil), m.pools...)
}

// Warm fetches every pool's JWKS concurrently and waits for all of them.
// The error joins the failures, each naming its pool's issuer.
func (m *MultiVerifier) Warm(ctx context.Context) error {
	errs := make([]error, len(m.pools))
	var wg sync.WaitGroup
	for i, v := range m.pools {
		wg.Go(func() {
			if err := v.Warm(ctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", v.Issuer(), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Verify checks token with the pool its iss names. A token some pool has
// verified before is answered from that pool's cache without decoding it.
func (m *MultiVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	for _, v := range m.pools {
		if c, err := v.fromCache(token); c != nil || err != nil {
			return c, err
		}
	}
	v, err := m.route(token)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, token)
}

// route finds the pool for token. The common case, a well-formed token of
// a known pool, costs one payload decode and scan; the pool's Verifier
// repeats every check. Only a token that names no pool is examined further,
// so that it fails with the same kind a single Verifier would report (a
// bad header or claim type before a wrong issuer).
func (m *MultiVerifier) route(token string) (*Verifier, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	if len(token) > m.maxSize {
		return nil, errTooLarge
	}
	hSeg, pSeg, _, err := split(token)
	if err != nil {
		return nil, err
	}
	payload, err := decodeSegmentString(pSeg)
	if err != nil {
		return nil, err
	}
	var scratch [40]jsonscan.Member
	if members, err := jsonscan.ParseObject(payload, scratch[:0]); err == nil {
		for _, mem := range members {
			if mem.Name != "iss" {
				continue
			}
			if iss, err := mem.Value.AsString(); err == nil {
				if v := m.byIssuer[iss]; v != nil {
					return v, nil
				}
			}
			break
		}
	}
	// No pool: report what a single Verifier would, in its order.
	header, err := decodeSegmentString(hSeg)
	if err != nil {
		return nil, err
	}
	if _, err := parseHeader(header, scratch[:0]); err != nil {
		return nil, err
	}
	var c Claims
	if err := parsePayload(payload, &c, scratch[:0]); err != nil {
		return nil, err
	}
	if c.Issuer == "" {
		return nil, errNoIssuer
	}
	return nil, errIssuer
}

// regionPattern is an AWS region name, GovCloud included.
var regionPattern = regexp.MustCompile(`^[a-z]{2}-(?:gov-)?[a-z]+-\d$`)

// IssuerURL returns the issuer a user pool puts in its tokens in Cognito's
// original form, https://cognito-idp.{region}.amazonaws.com/{poolID}, the
// region being the pool ID's (GovCloud regions included). It is what New
// derives from Config.UserPoolID.
func IssuerURL(poolID string) (string, error) {
	m := poolIDPattern.FindStringSubmatch(poolID)
	if m == nil {
		return "", fmt.Errorf("%w: user pool ID %q is not of the form region_id", ErrInvalidConfig, poolID)
	}
	return "https://cognito-idp." + m[1] + ".amazonaws.com/" + poolID, nil
}

// UpdatedIssuerURL returns the issuer of a user pool configured with
// Cognito's "updated" issuer (IssuerConfiguration type UPDATED, the form
// recommended for multi-Region replicated pools):
// https://issuer-cognito-idp.{region}.amazonaws.com/{poolID}, where region
// is the pool's primary region, the one in its ID. Its keys are the pool's
// keys, so list it in Config.AdditionalIssuers while tokens of both forms
// are about, or set it as Config.Issuer once all tokens carry it.
func UpdatedIssuerURL(poolID string) (string, error) {
	m := poolIDPattern.FindStringSubmatch(poolID)
	if m == nil {
		return "", fmt.Errorf("%w: user pool ID %q is not of the form region_id", ErrInvalidConfig, poolID)
	}
	return "https://issuer-cognito-idp." + m[1] + ".amazonaws.com/" + poolID, nil
}

// ReplicaIssuerURL returns the original-form issuer as a replica of the
// pool in another region writes it, https://cognito-idp.{region}.amazonaws.com/{poolID}:
// replicated pools left on the original issuer have been seen to issue
// tokens naming the region that served the sign-in. Accept it only for the
// regions the pool is actually replicated to.
func ReplicaIssuerURL(region, poolID string) (string, error) {
	if !regionPattern.MatchString(region) {
		return "", fmt.Errorf("%w: %q is not an AWS region name", ErrInvalidConfig, region)
	}
	if !poolIDPattern.MatchString(poolID) {
		return "", fmt.Errorf("%w: user pool ID %q is not of the form region_id", ErrInvalidConfig, poolID)
	}
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID, nil
}

var (
	_ TokenVerifier = (*Verifier)(nil)
	_ TokenVerifier = (*MultiVerifier)(nil)
	_ TokenVerifier = (*ALBVerifier)(nil)
)
