package cognitojwt

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	// headers are the header segments of tokens some pool proved, which
	// a parse need not decode again.
	headers knownHeaders
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
// Any other token is parsed once, by the same code and in the same order
// as a Verifier parses it, and handed parsed to its pool: a token reports
// the error kind a single Verifier would report for it, whichever pool it
// names or fails to name.
func (m *MultiVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if c, hit, _, err := m.fromCacheInto(token, nil); hit {
		return c, err
	}
	return m.verifyInto(ctx, token, nil, cacheMiss{})
}

// VerifyInto is Verify filling dst, as Verifier.VerifyInto does: a cache
// hit allocates nothing, on error dst is zeroed, and a nil dst is
// ErrInvalidConfig.
func (m *MultiVerifier) VerifyInto(ctx context.Context, token string, dst *Claims) error {
	if dst == nil {
		return errNilClaims
	}
	_, hit, _, err := m.fromCacheInto(token, dst)
	if !hit {
		_, err = m.verifyInto(ctx, token, dst, cacheMiss{})
	}
	if err != nil {
		*dst = Claims{}
	}
	return err
}

// fromCacheInto is cached, with the hit's claims copied into dst and
// checked, as Verifier.fromCache does.
func (m *MultiVerifier) fromCacheInto(token string, dst *Claims) (*Claims, bool, cacheMiss, error) {
	found, _ := m.cached(token)
	if found.shared == nil {
		return nil, false, cacheMiss{}, nil
	}
	c, err := found.into(dst)
	return c, true, cacheMiss{}, err
}

// cached asks each pool's cache in turn, as Verifier.cached does; what a
// miss learned is of one pool's cache, so none is returned.
func (m *MultiVerifier) cached(token string) (cacheHit, cacheMiss) {
	for _, v := range m.pools {
		if found, _ := v.cached(token); found.shared != nil {
			return found, cacheMiss{}
		}
	}
	return cacheHit{}, cacheMiss{}
}

// verifyInto verifies a token that no pool's cache answered, into dst as
// Verifier.verifyObserved does.
func (m *MultiVerifier) verifyInto(ctx context.Context, token string, dst *Claims, _ cacheMiss) (*Claims, error) {
	if token == "" {
		return nil, errEmptyToken
	}
	if len(token) > m.maxSize {
		return nil, errTooLarge
	}
	var p parsedToken
	if err := parseKnown(token, &p, &m.headers); err != nil {
		return nil, err
	}
	v := m.byIssuer[p.claims.Issuer]
	if v == nil {
		if p.claims.Issuer == "" {
			return nil, errNoIssuer
		}
		return nil, errIssuer
	}
	c, err := v.verifyObserved(ctx, token, &p, dst, cacheMiss{})
	if err == nil {
		m.headers.remember(p.header, p.kid)
	}
	return c, err
}

var (
	_ TokenVerifier  = (*Verifier)(nil)
	_ TokenVerifier  = (*MultiVerifier)(nil)
	_ cachedVerifier = (*Verifier)(nil)
	_ cachedVerifier = (*MultiVerifier)(nil)
)
