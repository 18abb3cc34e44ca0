package cognitolocal

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/cognitojwt/cognitojwt"
)

// SigningKey is one RSA key of a pool. KeyID is the kid published in the
// JWKS and in the header of every token the key signs. It is also the key
// type of the test kit (cognitotest.SigningKey), so one key moves freely
// between a pool, a test issuer and a development server's key file.
type SigningKey struct {
	KeyID   string
	Private *rsa.PrivateKey
}

// NewSigningKey generates an RSA-2048 key (the size Cognito uses) with a
// random kid.
func NewSigningKey() (*SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("cognitolocal: generating RSA key: %w", err)
	}
	return &SigningKey{KeyID: randomKid(), Private: priv}, nil
}

// newPoolKey makes the key of a pool created without Config.Key. It is a
// variable so that this package's tests can hand such pools keys made
// once: RSA generation is most of a pool's creation under the race
// detector.
var newPoolKey = NewSigningKey

// randomKid mimics Cognito's kids: standard base64 of 32 random bytes.
func randomKid() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// JWKS returns the key set document publishing keys: RS256, use sig, each
// with its kid, as Cognito publishes its keys.
func JWKS(keys ...*SigningKey) ([]byte, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		if k == nil || k.Private == nil {
			return nil, fmt.Errorf("cognitolocal: signing key without a private key")
		}
		pub, err := jwk.Import(k.Private.Public())
		if err != nil {
			return nil, fmt.Errorf("cognitolocal: %w", err)
		}
		for name, v := range map[string]any{jwk.KeyIDKey: k.KeyID, jwk.AlgorithmKey: "RS256", jwk.KeyUsageKey: "sig"} {
			if err := pub.Set(name, v); err != nil {
				return nil, fmt.Errorf("cognitolocal: %w", err)
			}
		}
		if err := set.AddKey(pub); err != nil {
			return nil, fmt.Errorf("cognitolocal: %w", err)
		}
	}
	return json.Marshal(set)
}

// Sign signs claims with k as Cognito does (RS256, header kid and alg
// only). header members, when given, are added or, if nil, removed: the
// raw tool for tokens Cognito would never issue.
func Sign(k *SigningKey, header, claims map[string]any) (string, error) {
	if k == nil {
		return "", errors.New("cognitolocal: no signing key")
	}
	h := map[string]any{"kid": k.KeyID, "alg": "RS256"}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("cognitolocal: header: %w", err)
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("cognitolocal: claims: %w", err)
	}
	return SignRaw(k.Private, hb, pb)
}

// SignRaw signs the exact header and payload bytes with RS256, for tokens
// whose JSON encoding/json would not produce.
func SignRaw(key *rsa.PrivateKey, header, payload []byte) (string, error) {
	if key == nil {
		return "", errors.New("cognitolocal: no signing key")
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("cognitolocal: signing: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// AddSigningKey publishes k and signs new tokens with it, as Cognito
// rotates: earlier keys stay published, so the tokens they signed keep
// verifying until RemoveSigningKey.
func (p *Pool) AddSigningKey(k *SigningKey) error { return p.addSigningKey(k, true) }

// PublishSigningKey publishes k without signing with it: the next key of
// a rotation, published ahead so that verifiers know it before the first
// token it signs (AddSigningKey with the same key is then refused; use
// UseSigningKey).
func (p *Pool) PublishSigningKey(k *SigningKey) error { return p.addSigningKey(k, false) }

func (p *Pool) addSigningKey(k *SigningKey, signs bool) error {
	if k == nil || k.Private == nil || k.KeyID == "" {
		return errors.New("cognitolocal: a signing key needs a kid and a private key")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, old := range p.keys {
		if old.KeyID == k.KeyID {
			return errors.New("cognitolocal: a key with this kid is already published")
		}
	}
	current := p.key
	if signs {
		current = k
	}
	return p.publishLocked(append(slices.Clone(p.keys), k), current)
}

// UseSigningKey signs new tokens with the published key kid, such as one
// PublishSigningKey published ahead.
func (p *Pool) UseSigningKey(kid string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.IndexFunc(p.keys, func(k *SigningKey) bool { return k.KeyID == kid })
	if i < 0 {
		return errors.New("cognitolocal: no published key has this kid")
	}
	p.key = p.keys[i]
	return nil
}

// CurrentSigningKey returns the key that signs new tokens.
func (p *Pool) CurrentSigningKey() *SigningKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.key
}

// RemoveSigningKey withdraws the key kid from the JWKS. The key that signs
// new tokens cannot be removed.
func (p *Pool) RemoveSigningKey(kid string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key.KeyID == kid {
		return errors.New("cognitolocal: the current signing key cannot be removed; add another first")
	}
	keys := slices.DeleteFunc(slices.Clone(p.keys), func(k *SigningKey) bool { return k.KeyID == kid })
	if len(keys) == len(p.keys) {
		return errors.New("cognitolocal: no published key has this kid")
	}
	return p.publishLocked(keys, p.key)
}

// publishLocked makes keys the published set and current the signing key.
// The pool's own verifier starts afresh, so that it knows a new key at
// once instead of waiting out its refetch cooldown.
func (p *Pool) publishLocked(keys []*SigningKey, current *SigningKey) error {
	doc, err := JWKS(keys...)
	if err != nil {
		return err
	}
	v, err := cognitojwt.New(p.verifierConfig())
	if err != nil {
		return fmt.Errorf("cognitolocal: %w", err)
	}
	p.keys, p.key, p.jwksBytes, p.verifier = keys, current, doc, v
	return nil
}
