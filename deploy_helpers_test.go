package cognitojwt_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// depKeys are RSA keys generated once for the deployment tests: key
// generation is slow under the race detector, and these tests need
// distinct pools rather than fresh keys.
var depKeys = sync.OnceValue(func() []*cognitotest.SigningKey {
	keys := make([]*cognitotest.SigningKey, 3)
	for i := range keys {
		k, err := cognitotest.NewSigningKey()
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// depIssuer starts a fake pool signing with the i-th shared key.
func depIssuer(t *testing.T, poolID string, key int) *cognitotest.Issuer {
	t.Helper()
	return cognitotest.NewIssuer(t, cognitotest.WithPoolID(poolID), cognitotest.WithSigningKey(*depKeys()[key]))
}

// depRequireKind asserts that err wraps want and no other sentinel.
func depRequireKind(t *testing.T, want, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	require.Truef(t, errors.Is(err, want), "error %q does not wrap %q", err, want)
	require.Equal(t, want, cognitojwt.ErrorKind(err), "error %q", err)
}
