package issuer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/issuer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestIssuerOfEveryPartition: the issuer and JWKS hosts of a pool follow
// its region's partition, and New derives exactly what Original returns.
func TestIssuerOfEveryPartition(t *testing.T) {
	for pool, host := range map[string]string{
		"us-east-1_AbC123":      "cognito-idp.us-east-1.amazonaws.com",
		"eu-central-2_x":        "cognito-idp.eu-central-2.amazonaws.com",
		"ap-southeast-5_Z9":     "cognito-idp.ap-southeast-5.amazonaws.com",
		"il-central-1_Q":        "cognito-idp.il-central-1.amazonaws.com",
		"mx-central-1_Q":        "cognito-idp.mx-central-1.amazonaws.com",
		"us-gov-west-1_AbC123":  "cognito-idp.us-gov-west-1.amazonaws.com",
		"us-gov-east-1_AbC123":  "cognito-idp.us-gov-east-1.amazonaws.com",
		"cn-north-1_AbC123":     "cognito-idp.cn-north-1.amazonaws.com.cn",
		"cn-northwest-1_AbC123": "cognito-idp.cn-northwest-1.amazonaws.com.cn",
	} {
		t.Run(pool, func(t *testing.T) {
			got, err := issuer.Original(pool)
			require.NoError(t, err)
			require.Equal(t, "https://"+host+"/"+pool, got)
			v, err := cognitojwt.New(cognitojwt.Config{UserPoolID: pool, AllowAnyClient: true})
			require.NoError(t, err)
			require.Equal(t, got, v.Issuer())

			updated, err := issuer.Updated(pool)
			require.NoError(t, err)
			require.Equal(t, "https://issuer-"+host+"/"+pool, updated)
		})
	}
}

// TestUnconfirmedPartitionsAskForIssuer: a pool of a partition whose
// issuer host is not confirmed fails in New with an error that says to set
// Issuer, and works once Issuer is set.
func TestUnconfirmedPartitionsAskForIssuer(t *testing.T) {
	for _, pool := range []string{
		"eusc-de-east-1_AbC123", "us-iso-east-1_AbC123", "us-isob-east-1_AbC123",
		"eu-isoe-west-1_AbC123", "us-isof-south-1_AbC123",
	} {
		t.Run(pool, func(t *testing.T) {
			_, err := cognitojwt.New(cognitojwt.Config{UserPoolID: pool, AllowAnyClient: true})
			require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
			require.Contains(t, err.Error(), "set Config.Issuer")
			for _, derive := range []func(string) (string, error){issuer.Original, issuer.Updated} {
				_, err := derive(pool)
				require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
			}

			region := pool[:strings.IndexByte(pool, '_')]
			iss := "https://cognito-idp." + region + ".example.eu/" + pool
			v, err := cognitojwt.New(cognitojwt.Config{UserPoolID: pool, Issuer: iss, AllowAnyClient: true})
			require.NoError(t, err)
			require.Equal(t, iss, v.Issuer())
		})
	}
}

func TestReplicaIssuerStaysInThePoolsPartition(t *testing.T) {
	for _, tt := range []struct{ region, pool, want string }{
		{"us-west-2", "us-east-1_AbC123", "https://cognito-idp.us-west-2.amazonaws.com/us-east-1_AbC123"},
		{"us-gov-east-1", "us-gov-west-1_AbC123", "https://cognito-idp.us-gov-east-1.amazonaws.com/us-gov-west-1_AbC123"},
		{"cn-northwest-1", "cn-north-1_AbC123", "https://cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-north-1_AbC123"},
	} {
		got, err := issuer.Replica(tt.region, tt.pool)
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
	for region, pool := range map[string]string{
		"us-gov-east-1":  "us-east-1_AbC123",
		"cn-north-1":     "us-east-1_AbC123",
		"us-west-2":      "cn-north-1_AbC123",
		"eusc-de-east-1": "eu-central-1_AbC123",
	} {
		_, err := issuer.Replica(region, pool)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
}

func TestMalformedPoolIDsAndRegions(t *testing.T) {
	for _, bad := range []string{
		"", "us-east-1", "_abc", "us-east-1_", "US-EAST-1_abc", "us-east-1_a/b", "us-east-1_a.evil.com",
		"us-east-1_ab c", "evil.com/x_abc", "us-east-1_a_b", "xx-east-1_abc", "us-east_abc", "cn-north-1.evil.com_abc",
	} {
		_, err := issuer.Original(bad)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
		_, err = issuer.Updated(bad)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
		_, err = issuer.Replica("us-west-2", bad)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
		_, err = cognitojwt.New(cognitojwt.Config{UserPoolID: bad, AllowAnyClient: true})
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
	for _, bad := range []string{"", "us-west", "evil.com", "us-west-2.evil.com", "us-west-2/", "US-WEST-2"} {
		_, err := issuer.Replica(bad, "us-east-1_AbC123")
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
}
