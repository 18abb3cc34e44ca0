package cognitolocal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"
	"sync"
)

// SRP-6a as Cognito runs it for USER_SRP_AUTH, so that the clients that
// sign in with it by default (Amplify, amazon-cognito-identity-js, the
// .NET extension, pycognito, the mobile SDKs) work unchanged: RFC 5054's
// 3072-bit group with g = 2 and SHA-256, every integer hashed in its
// minimal two's-complement big-endian form (Java's BigInteger.toByteArray,
// which the clients all copy), and the session key derived with one HKDF
// block under the info "Caldera Derived Key".

// srpGroupHex is the RFC 5054 3072-bit prime.
const srpGroupHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74" +
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437" +
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05" +
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB" +
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718" +
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33" +
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864" +
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2" +
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// srpGroup holds N, g and k = H(PAD(N) ‖ PAD(g)), computed once.
type srpGroup struct{ n, g, k *big.Int }

var srpParams = sync.OnceValue(func() srpGroup {
	n, _ := new(big.Int).SetString(srpGroupHex, 16)
	g := big.NewInt(2)
	return srpGroup{n: n, g: g, k: srpHashInt(srpPad(n), srpPad(g))}
})

// srpPad is an integer as the clients hash it: minimal big-endian bytes,
// with a leading zero byte when the top bit is set (never padded to the
// length of N, which is where implementations that follow RFC 5054 to
// the letter part ways with Cognito).
func srpPad(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

func srpHash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func srpHashInt(parts ...[]byte) *big.Int { return new(big.Int).SetBytes(srpHash(parts...)) }

// srpVerifier is what the pool keeps of a password for SRP: the salt and
// v = g^x mod N, hex. It depends on the pool name and the username, so a
// user keeps the verifier of the name it was created with.
type srpVerifier struct {
	Salt     string `json:"salt"`
	Verifier string `json:"verifier"`
}

// srpPoolName is the pool-ID part the clients put in x and the signature:
// what follows the first underscore ("us-east-1_AbC123" gives "AbC123"),
// as the clients take element 1 of the ID split at "_". An ID without an
// underscore is used whole; the JavaScript clients refuse such IDs.
func srpPoolName(poolID string) string {
	parts := strings.Split(poolID, "_")
	if len(parts) < 2 {
		return poolID
	}
	return parts[1]
}

// srpX is x = H(PAD(salt) ‖ H(poolName ‖ userID ‖ ":" ‖ password)).
func srpX(salt *big.Int, poolName, userID, password string) *big.Int {
	inner := srpHash([]byte(poolName + userID + ":" + password))
	return srpHashInt(srpPad(salt), inner)
}

// newSRPVerifier derives a verifier with a fresh 16-byte salt whose first
// byte is neither zero nor above 0x7f: pycognito pads the SALT string as
// sent while the other clients re-encode the integer, and only such a
// salt reads the same to both.
func newSRPVerifier(poolName, userID, password string) *srpVerifier {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	salt[0] = salt[0]%0x7f + 1
	return srpVerifierWithSalt(salt, poolName, userID, password)
}

func srpVerifierWithSalt(salt []byte, poolName, userID, password string) *srpVerifier {
	grp := srpParams()
	s := new(big.Int).SetBytes(salt)
	v := new(big.Int).Exp(grp.g, srpX(s, poolName, userID, password), grp.n)
	return &srpVerifier{Salt: hex.EncodeToString(salt), Verifier: v.Text(16)}
}

// decoySRPVerifier is a stable verifier for a username the pool does not
// know, derived from a key of the pool, so that a probe sees the same
// salt twice and learns nothing from USER_SRP_AUTH that it could not from
// USER_PASSWORD_AUTH. No password matches it.
func decoySRPVerifier(key []byte, poolName, username string) *srpVerifier {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(fold(username)))
	sum := mac.Sum(nil)
	salt := sum[:16]
	salt[0] = salt[0]%0x7f + 1
	return srpVerifierWithSalt(salt, poolName, "", string(sum[16:]))
}

// srpServer is the pool's side of one exchange: B and the key K both
// sides derive.
type srpServer struct {
	B   *big.Int
	key []byte // K, 16 bytes
}

// srpStart answers a client's A for a verifier: a fresh b, B = k·v + g^b
// and, already, the session key from S = (A·v^u)^b. It returns false for
// an A the protocol forbids (A mod N = 0) or a verifier it cannot read.
func srpStart(ver *srpVerifier, a *big.Int) (srpServer, bool) {
	grp := srpParams()
	v, ok := new(big.Int).SetString(ver.Verifier, 16)
	if !ok || a.Sign() <= 0 || new(big.Int).Mod(a, grp.n).Sign() == 0 {
		return srpServer{}, false
	}
	for {
		bBytes := make([]byte, 32)
		_, _ = rand.Read(bBytes)
		b := new(big.Int).SetBytes(bBytes)
		B := new(big.Int).Mul(grp.k, v)
		B.Add(B, new(big.Int).Exp(grp.g, b, grp.n))
		B.Mod(B, grp.n)
		u := srpHashInt(srpPad(a), srpPad(B))
		if B.Sign() == 0 || u.Sign() == 0 {
			continue // negligible; a fresh b gives a usable pair
		}
		s := new(big.Int).Exp(v, u, grp.n)
		s.Mul(s, a)
		s.Exp(s, b, grp.n)
		return srpServer{B: B, key: srpSessionKey(s, u)}, true
	}
}

// srpSessionKey is K = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info =
// "Caldera Derived Key"), first 16 bytes of the single output block.
func srpSessionKey(s, u *big.Int) []byte {
	extract := hmac.New(sha256.New, srpPad(u))
	extract.Write(srpPad(s))
	expand := hmac.New(sha256.New, extract.Sum(nil))
	expand.Write([]byte("Caldera Derived Key\x01"))
	return expand.Sum(nil)[:16]
}

// srpSignature is the proof a client sends: HMAC-SHA256(K, poolName ‖
// userID ‖ secretBlock ‖ timestamp).
func srpSignature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(poolName + userID))
	mac.Write(secretBlock)
	mac.Write([]byte(timestamp))
	return mac.Sum(nil)
}

// parseSRPA reads the client's SRP_A: hex in either case, perhaps with
// leading zeros; at most twice the length of N, so that no one makes the
// pool reduce a huge number.
func parseSRPA(s string) (*big.Int, bool) {
	if s == "" || len(s) > 2*len(srpGroupHex) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, false
		}
	}
	a, ok := new(big.Int).SetString(s, 16)
	return a, ok
}
