package cognitolocal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A client side of USER_SRP_AUTH written from the protocol as the
// JavaScript clients run it (hex strings, padHex, Buffer concatenation),
// sharing no code with the pool's srp.go, so that the two meet only on
// the wire.

const testN = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// padHexTest is the clients' padHex: a positive integer's hex, made even
// in length, with "00" before a leading nibble of 8 or more.
func padHexTest(x *big.Int) string {
	h := x.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if strings.ContainsRune("89abcdef", rune(h[0])) {
		h = "00" + h
	}
	return h
}

func hexHashTest(hexStr string) string {
	b, err := hex.DecodeString(hexStr)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type srpTestClient struct {
	n, g, k, a, A *big.Int
	poolName      string
}

func newSRPTestClient(t *testing.T, poolID string) *srpTestClient {
	t.Helper()
	n, _ := new(big.Int).SetString(testN, 16)
	g := big.NewInt(2)
	k, _ := new(big.Int).SetString(hexHashTest(padHexTest(n)+padHexTest(g)), 16)
	ab := make([]byte, 128)
	_, err := rand.Read(ab)
	require.NoError(t, err)
	a := new(big.Int).SetBytes(ab)
	return &srpTestClient{n: n, g: g, k: k, a: a, A: new(big.Int).Exp(g, a, n), poolName: strings.Split(poolID, "_")[1]}
}

// srpA is SRP_A as the JavaScript clients send it.
func (c *srpTestClient) srpA() string { return c.A.Text(16) }

// claim answers a PASSWORD_VERIFIER challenge for password at now.
func (c *srpTestClient) claim(t *testing.T, params map[string]any, password string, now time.Time) map[string]string {
	t.Helper()
	return c.claimAt(t, params, password, srpTestTimestamp(now))
}

// claimAt answers with the signature over timestamp as written.
func (c *srpTestClient) claimAt(t *testing.T, params map[string]any, password, ts string) map[string]string {
	t.Helper()
	userID := params["USER_ID_FOR_SRP"].(string)
	B, ok := new(big.Int).SetString(params["SRP_B"].(string), 16)
	require.True(t, ok)
	salt, ok := new(big.Int).SetString(params["SALT"].(string), 16)
	require.True(t, ok)
	u, _ := new(big.Int).SetString(hexHashTest(padHexTest(c.A)+padHexTest(B)), 16)
	inner := sha256.Sum256([]byte(c.poolName + userID + ":" + password))
	x, _ := new(big.Int).SetString(hexHashTest(padHexTest(salt)+hex.EncodeToString(inner[:])), 16)
	// S = (B - k·g^x)^(a + u·x) mod N
	base := new(big.Int).Sub(B, new(big.Int).Mul(c.k, new(big.Int).Exp(c.g, x, c.n)))
	base.Mod(base, c.n)
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, c.n)
	sBytes, _ := hex.DecodeString(padHexTest(S))
	uBytes, _ := hex.DecodeString(padHexTest(u))
	prk := hmac.New(sha256.New, uBytes)
	prk.Write(sBytes)
	okm := hmac.New(sha256.New, prk.Sum(nil))
	okm.Write([]byte("Caldera Derived Key"))
	okm.Write([]byte{1})
	key := okm.Sum(nil)[:16]
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"].(string))
	require.NoError(t, err)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.poolName))
	mac.Write([]byte(userID))
	mac.Write(block)
	mac.Write([]byte(ts))
	return map[string]string{
		"USERNAME":                    params["USERNAME"].(string),
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"].(string),
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"TIMESTAMP":                   ts,
	}
}

// srpTestTimestamp writes a time as Amplify's getNowString does.
func srpTestTimestamp(t time.Time) string {
	t = t.UTC()
	days := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	pad := func(n int) string {
		if n < 10 {
			return "0" + big.NewInt(int64(n)).String()
		}
		return big.NewInt(int64(n)).String()
	}
	return days[t.Weekday()] + " " + months[t.Month()-1] + " " + big.NewInt(int64(t.Day())).String() + " " +
		pad(t.Hour()) + ":" + pad(t.Minute()) + ":" + pad(t.Second()) + " UTC " + big.NewInt(int64(t.Year())).String()
}
