package cognitolocal

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSRPMultiplierIsCognitos(t *testing.T) {
	// k = SHA-256(00 ‖ N ‖ 02), as every Cognito client computes it.
	require.Equal(t, "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6", hex.EncodeToString(srpParams().k.Bytes()))
}

func TestSRPPadIsMinimalTwosComplement(t *testing.T) {
	for in, want := range map[int64]string{0: "00", 1: "01", 0x7f: "7f", 0x80: "0080", 0xff: "00ff", 0x100: "0100", 0x8000: "008000"} {
		require.Equal(t, want, hex.EncodeToString(srpPad(big.NewInt(in))), "%x", in)
	}
}

func TestSRPPoolName(t *testing.T) {
	require.Equal(t, "AbC123xyZ", srpPoolName("us-east-1_AbC123xyZ"))
	require.Equal(t, "Dev", srpPoolName("local_Dev"))
	require.Equal(t, "nounderscore", srpPoolName("nounderscore"))
}

func TestSRPSaltReadsTheSameToEveryClient(t *testing.T) {
	for range 200 {
		v := newSRPVerifier("Dev", "alice", testPassword)
		require.Len(t, v.Salt, 32)
		b, err := hex.DecodeString(v.Salt)
		require.NoError(t, err)
		require.NotZero(t, b[0])
		require.Less(t, b[0], byte(0x80))
	}
}

func TestSRPVerifierDependsOnNameAndPassword(t *testing.T) {
	salt := []byte{1, 2, 3}
	a := srpVerifierWithSalt(salt, "Dev", "alice", testPassword)
	require.Equal(t, a, srpVerifierWithSalt(salt, "Dev", "alice", testPassword))
	require.NotEqual(t, a.Verifier, srpVerifierWithSalt(salt, "Dev", "bob", testPassword).Verifier)
	require.NotEqual(t, a.Verifier, srpVerifierWithSalt(salt, "Prod", "alice", testPassword).Verifier)
	require.NotEqual(t, a.Verifier, srpVerifierWithSalt(salt, "Dev", "alice", "Other-pass1").Verifier)
}
