package cognitolocal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

// headerKid is the kid a token's header names.
func headerKid(t *testing.T, token string) string {
	t.Helper()
	header, _, ok := strings.Cut(token, ".")
	require.True(t, ok)
	b, err := base64.RawURLEncoding.DecodeString(header)
	require.NoError(t, err)
	var h struct {
		Kid string `json:"kid"`
	}
	require.NoError(t, json.Unmarshal(b, &h))
	return h.Kid
}

// A rotation rehearsed as it runs at scale: the next key is published
// ahead, verifiers fetch it while the old key still signs, and only then
// does it start signing.
func TestPublishSigningKeyAheadThenUseIt(t *testing.T) {
	p := newPool(t, Config{})
	first := p.CurrentSigningKey()
	require.Equal(t, first.KeyID, p.SigningKeys()[0].KeyID)

	next, err := NewSigningKey()
	require.NoError(t, err)
	require.NoError(t, p.PublishSigningKey(next))
	require.Same(t, first, p.CurrentSigningKey(), "publishing ahead does not sign")
	require.Equal(t, []*SigningKey{first, next}, p.SigningKeys())
	require.Contains(t, string(p.JWKS()), next.KeyID)
	before := signIn(t, p)
	require.Equal(t, first.KeyID, headerKid(t, before.AccessToken))

	require.Error(t, p.PublishSigningKey(next), "a kid is published once")
	require.Error(t, p.AddSigningKey(next), "a kid is published once")
	require.Error(t, p.PublishSigningKey(&SigningKey{KeyID: "k"}), "a key needs its private half")
	require.Error(t, p.UseSigningKey("unpublished"))
	require.Same(t, first, p.CurrentSigningKey(), "a refused change changes nothing")

	require.NoError(t, p.UseSigningKey(next.KeyID))
	require.Same(t, next, p.CurrentSigningKey())
	after := signIn(t, p)
	require.Equal(t, next.KeyID, headerKid(t, after.AccessToken))
	require.Error(t, p.RemoveSigningKey(next.KeyID), "the signing key stays")
	v, err := p.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	for _, tok := range []Tokens{before, after} {
		_, err := v.Verify(context.Background(), tok.AccessToken)
		require.NoError(t, err)
	}
}

// The key that signs survives a restart even when it is not the last one
// published. (A pool the restarted service makes itself keeps its own
// keys; one it gains from the state takes the saved ones.)
func TestStateKeepsTheSigningKeyPublishedFirst(t *testing.T) {
	p := newPool(t, Config{})
	q, err := p.Service().CreatePool(Config{PoolID: "local_Ahead"})
	require.NoError(t, err)
	ahead, err := NewSigningKey()
	require.NoError(t, err)
	require.NoError(t, q.PublishSigningKey(ahead))
	var buf bytes.Buffer
	require.NoError(t, p.Service().SaveState(&buf))

	restarted := newPool(t, Config{})
	require.NoError(t, restarted.Service().LoadState(&buf))
	q2, ok := restarted.Service().Pool("local_Ahead")
	require.True(t, ok)
	require.Equal(t, q.CurrentSigningKey().KeyID, q2.CurrentSigningKey().KeyID)
	require.Equal(t, []string{q.CurrentSigningKey().KeyID, ahead.KeyID},
		[]string{q2.SigningKeys()[0].KeyID, q2.SigningKeys()[1].KeyID})
}

func TestListenRefusesNonLoopbackAddress(t *testing.T) {
	_, err := Listen("0.0.0.0:0")
	require.ErrorContains(t, err, "loopback")
	_, err = Listen("no port")
	require.ErrorContains(t, err, "address")
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
}

func TestSigningKeyRotation(t *testing.T) {
	p := newPool(t, Config{})
	old := signIn(t, p)
	status, _ := call(t, p, "GetUser", map[string]any{"AccessToken": old.AccessToken})
	require.Equal(t, http.StatusOK, status)
	first := p.SigningKeys()[0]
	next, err := NewSigningKey()
	require.NoError(t, err)
	require.NoError(t, p.AddSigningKey(next))
	require.Error(t, p.AddSigningKey(next), "a kid is published once")
	fresh := signIn(t, p)
	status, _ = call(t, p, "GetUser", map[string]any{"AccessToken": fresh.AccessToken})
	require.Equal(t, http.StatusOK, status, "the pool's own check learns the new key at once")
	v, err := p.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	for _, tok := range []Tokens{old, fresh} {
		_, err := v.Verify(context.Background(), tok.AccessToken)
		require.NoError(t, err)
	}
	require.Error(t, p.RemoveSigningKey(next.KeyID), "the signing key stays")
	require.Error(t, p.RemoveSigningKey("unknown"))
	require.NoError(t, p.RemoveSigningKey(first.KeyID))
	require.NotContains(t, string(p.JWKS()), first.KeyID)
	require.Contains(t, string(p.JWKS()), next.KeyID)
	v, err = p.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), old.AccessToken)
	require.ErrorIs(t, err, cognitojwt.ErrUnknownKey)
}

func TestSigningWithoutKeyFails(t *testing.T) {
	_, err := Sign(nil, nil, map[string]any{})
	require.Error(t, err)
	_, err = SignRaw(nil, []byte("{}"), []byte("{}"))
	require.Error(t, err)
	_, err = JWKS(nil)
	require.Error(t, err)
	_, err = JWKS(&SigningKey{KeyID: "k"})
	require.Error(t, err)
	_, err = New(Config{Key: &SigningKey{KeyID: "k"}})
	require.Error(t, err)
	p := newPool(t, Config{})
	require.Error(t, p.AddSigningKey(nil))
}
