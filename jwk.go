package cognitojwt

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// jwkFields are the members of a JWK that decide whether it is usable.
type jwkFields struct {
	Kty, Use, Alg, Kid string
	KeyOps             []string // nil when absent
}

// privateMembers are JWK members that only private keys carry. They are
// matched ignoring case, since some JSON decoders do.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth"}

func isPrivateMember(m jsonscan.Member) bool {
	return slices.ContainsFunc(privateMembers, func(p string) bool { return strings.EqualFold(p, m.Name) })
}

// jwkDecidingMembers decide whether a key is used.
var jwkDecidingMembers = []string{"kty", "use", "alg", "kid", "key_ops"}

// readJWKFields reads the deciding members by their exact names. A member
// whose name matches one only ignoring case ("USE") makes the key
// unusable: decoders disagree on such names, and the key must mean the
// same to all of them.
func readJWKFields(members []jsonscan.Member) (jwkFields, error) {
	var f jwkFields
	for _, m := range members {
		if !slices.Contains(jwkDecidingMembers, m.Name) &&
			slices.ContainsFunc(jwkDecidingMembers, func(d string) bool { return strings.EqualFold(d, m.Name) }) {
			return f, fmt.Errorf("member %q differs from a JWK member only in case", m.Name)
		}
		var err error
		switch m.Name {
		case "kty":
			f.Kty, err = m.Value.AsString()
		case "use":
			f.Use, err = m.Value.AsString()
		case "alg":
			f.Alg, err = m.Value.AsString()
		case "kid":
			f.Kid, err = m.Value.AsString()
		case "key_ops":
			f.KeyOps, err = m.Value.AppendStrings([]string{})
		}
		if err != nil {
			return f, fmt.Errorf("member %s: %w", m.Name, err)
		}
	}
	return f, nil
}

// parseJWKS returns the usable RS256 verification keys of a JWKS by kid.
// Keys of other types or uses, weak keys and keys whose kid is listed
// twice are skipped (their reasons returned for logging); any private key
// material makes the whole document an error, since a server that
// publishes it is not to be trusted for the public halves either.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, []string, error) {
	doc, err := jsonscan.ParseObject(string(body), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("JWKS is not a valid JSON object: %w", err)
	}
	var rawKeys []json.RawMessage
	for _, m := range doc {
		if m.Name == "keys" {
			if m.Value.Kind != jsonscan.Array {
				return nil, nil, errors.New("JWKS \"keys\" is not an array")
			}
			if err := json.Unmarshal([]byte(m.Value.Raw), &rawKeys); err != nil {
				return nil, nil, fmt.Errorf("JWKS keys: %w", err)
			}
		}
	}
	if rawKeys == nil {
		return nil, nil, errors.New("JWKS has no \"keys\" array")
	}
	keys := make(map[string]*rsa.PublicKey, len(rawKeys))
	ambiguous := map[string]bool{}
	var skipped []string
	for i, raw := range rawKeys {
		members, err := jsonscan.ParseObject(string(raw), nil)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: not an object", i))
			continue
		}
		if slices.ContainsFunc(members, isPrivateMember) {
			return nil, nil, fmt.Errorf("JWKS key %d carries private key material", i)
		}
		f, err := readJWKFields(members)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		pub, why := usableKey(f, raw)
		if why != "" {
			skipped = append(skipped, fmt.Sprintf("key %d: %s", i, why))
			continue
		}
		if prev, dup := keys[f.Kid]; dup || ambiguous[f.Kid] {
			if dup && prev.Equal(pub) {
				continue
			}
			// Two different keys under one kid: which one signed a token
			// cannot be told, so neither is used.
			delete(keys, f.Kid)
			ambiguous[f.Kid] = true
			skipped = append(skipped, fmt.Sprintf("key %d: kid listed twice with different keys", i))
			continue
		}
		keys[f.Kid] = pub
	}
	return keys, skipped, nil
}

func usableKey(f jwkFields, raw []byte) (*rsa.PublicKey, string) {
	switch {
	case f.Kid == "":
		return nil, "no kid"
	case f.Kty != "RSA":
		return nil, "not an RSA key"
	case f.Use != "" && f.Use != "sig":
		return nil, "use is not sig"
	case f.KeyOps != nil && !slices.Contains(f.KeyOps, "verify"):
		return nil, "key_ops lacks verify"
	case f.Alg != "" && f.Alg != "RS256":
		return nil, "alg is not RS256"
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, "unparsable RSA key"
	}
	var pub rsa.PublicKey
	if err := jwk.Export(key, &pub); err != nil {
		return nil, "unparsable RSA key"
	}
	if pub.N == nil || pub.N.Sign() <= 0 {
		return nil, "bad modulus"
	}
	if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Sprintf("RSA modulus of %d bits", bits)
	}
	if pub.E < 3 || pub.E%2 == 0 || big.NewInt(int64(pub.E)).Cmp(pub.N) >= 0 {
		return nil, "bad RSA public exponent"
	}
	return &pub, ""
}
