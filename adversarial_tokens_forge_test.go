package cognitojwt_test

// Adversarial suite, tokens: how the corpus's hostile tokens are signed
// (forged, stripped, HMAC'd with a public key...) and edited after
// signing. adversarial_tokens_test.go builds and drives them.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"hash"
	"strconv"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// sign produces the signature of input as the case asks: RS256 (the pool's
// key), RS384/RS512/PS256 (the pool's key, other algorithms), ES256 (an EC
// key), HS256:<form> (HMAC keyed with the pool's public key as PEM, DER,
// JWK or modulus), stranger (another pool's key), none (empty) and
// garbage (256 fixed bytes).
func (e *corpusEnv) sign(how, input string) []byte {
	poolKey := e.iss.CurrentKey().Private
	rsaSign := func(k *rsa.PrivateKey, h crypto.Hash, pss bool) []byte {
		hh := h.New()
		hh.Write([]byte(input))
		var sig []byte
		var err error
		if pss {
			sig, err = rsa.SignPSS(rand.Reader, k, h, hh.Sum(nil), nil)
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, h, hh.Sum(nil))
		}
		if err != nil {
			e.t.Fatal(err)
		}
		return sig
	}
	macWith := func(h func() hash.Hash, key []byte) []byte {
		m := hmac.New(h, key)
		m.Write([]byte(input))
		return m.Sum(nil)
	}
	pub := &poolKey.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		e.t.Fatal(err)
	}
	switch how {
	case "", "RS256":
		return rsaSign(poolKey, crypto.SHA256, false)
	case "RS384":
		return rsaSign(poolKey, crypto.SHA384, false)
	case "RS512":
		return rsaSign(poolKey, crypto.SHA512, false)
	case "PS256":
		return rsaSign(poolKey, crypto.SHA256, true)
	case "stranger":
		return rsaSign(e.stranger.Private, crypto.SHA256, false)
	case "ES256":
		d := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, e.ecKey, d[:])
		if err != nil {
			e.t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	case "HS256:pem":
		return macWith(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}))
	case "HS256:pem-pkcs1":
		return macWith(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}))
	case "HS256:der":
		return macWith(sha256.New, pkix)
	case "HS256:jwk":
		return macWith(sha256.New, publishedJWK(e.t, e.iss))
	case "HS256:modulus":
		return macWith(sha256.New, pub.N.Bytes())
	case "HS512:pem":
		return macWith(sha512.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}))
	case "none":
		return nil
	case "garbage":
		return bytes.Repeat([]byte{0x5a}, 256)
	}
	e.t.Fatalf("unknown signing mode %q", how)
	return nil
}

// publishedJWK returns the first key of the issuer's JWKS exactly as
// served: what an attacker would use as an HMAC secret.
func publishedJWK(t testing.TB, iss *cognitotest.Issuer) []byte {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(iss.JWKS(), &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("issuer JWKS: %v", err)
	}
	return set.Keys[0]
}

// mutate applies the case's edits of the token string. Each must change
// the token, or the case would prove nothing.
func (e *corpusEnv) mutate(c tokenCase, token string) string {
	for _, m := range c.Mutate {
		before := token
		op, arg, _ := strings.Cut(m, ":")
		segs := strings.Split(token, ".")
		switch op {
		case "keep_sig_with_edit":
			continue // applied while building
		case "keep":
			n, _ := strconv.Atoi(arg)
			token = strings.Join(segs[:n], ".")
		case "append_segment":
			token += "." + segs[len(segs)-1]
		case "empty":
			n, _ := strconv.Atoi(arg)
			segs[n] = ""
			token = strings.Join(segs, ".")
		case "dots":
			n, _ := strconv.Atoi(arg)
			token += strings.Repeat(".", n)
		case "dot_after":
			n, _ := strconv.Atoi(arg)
			segs[n] += "."
			token = strings.Join(segs, ".")
		case "pad":
			n, _ := strconv.Atoi(arg)
			for len(segs[n])%4 != 0 {
				segs[n] += "="
			}
			token = strings.Join(segs, ".")
		case "std_b64":
			token = strings.NewReplacer("-", "+", "_", "/").Replace(token)
		case "noncanonical":
			// Set a bit that only padding occupies: lenient decoders
			// ignore it, so the token would have two spellings.
			n, _ := strconv.Atoi(arg)
			s := segs[n]
			if len(s)%4 == 0 {
				e.t.Fatalf("segment %d has no padding bits", n)
			}
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alphabet, s[len(s)-1])
			segs[n] = s[:len(s)-1] + string(alphabet[last|1])
			token = strings.Join(segs, ".")
		case "insert_after_dot":
			// arg is "<dot index>:<text>", text JSON-unquoted.
			idx, text, _ := strings.Cut(arg, ":")
			n, _ := strconv.Atoi(idx)
			unq, err := strconv.Unquote(`"` + text + `"`)
			if err != nil {
				e.t.Fatalf("insert_after_dot text %q: %v", text, err)
			}
			segs[n] = unq + segs[n]
			token = strings.Join(segs, ".")
		case "flip_sig_bit":
			sig, err := segmentEncoding.DecodeString(segs[2])
			if err != nil {
				e.t.Fatal(err)
			}
			sig[len(sig)/2] ^= 0x01
			segs[2] = segmentEncoding.EncodeToString(sig)
			token = strings.Join(segs, ".")
		case "sig_bytes":
			n, _ := strconv.Atoi(arg)
			segs[2] = segmentEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, n))
			token = strings.Join(segs, ".")
		case "swap_sig":
			other := strings.Split(e.iss.AccessToken(cognitotest.WithClaim("iss", e.issuer)), ".")
			segs[2] = other[2]
			token = strings.Join(segs, ".")
		case "jws_json":
			token = string(mustJSON(e.t, map[string]any{
				"payload":    segs[1],
				"signatures": []any{map[string]any{"protected": segs[0], "signature": segs[2]}},
			}))
		case "jws_json_flat":
			token = string(mustJSON(e.t, map[string]any{"payload": segs[1], "protected": segs[0], "signature": segs[2]}))
		case "jwe":
			jweHeader := segmentEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"` + e.iss.CurrentKey().KeyID + `"}`))
			token = strings.Join([]string{jweHeader, segs[2], segmentEncoding.EncodeToString(make([]byte, 12)), segs[1], segmentEncoding.EncodeToString(make([]byte, 16))}, ".")
		default:
			e.t.Fatalf("unknown mutation %q", m)
		}
		if token == before {
			e.t.Fatalf("mutation %q left the token unchanged", m)
		}
	}
	return token
}
