package cognitolocal

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	_, err := Start("0.0.0.0:0", Config{})
	require.ErrorContains(t, err, "loopback")
}

func TestStartAcceptsLocalhostInAnyCase(t *testing.T) {
	s, err := Start("LocalHost:0", Config{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
