package poolid_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/internal/poolid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Split finds a pool's region and partition, and Issuer builds the host
// from the partition's DNS suffix; the issuer package and New both rely
// on it.
func TestSplitAndIssuer(t *testing.T) {
	for pool, want := range map[string]struct{ region, partition, issuer string }{
		"us-east-1_AbC123":     {"us-east-1", "aws", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		"us-gov-west-1_AbC123": {"us-gov-west-1", "aws-us-gov", "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123"},
		"cn-north-1_AbC123":    {"cn-north-1", "aws-cn", "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC123"},
	} {
		region, p, err := poolid.Split(pool)
		require.NoError(t, err, pool)
		require.Equal(t, want.region, region)
		require.Equal(t, want.partition, p.Name)
		require.Equal(t, want.issuer, p.Issuer("cognito-idp.", region, pool))
	}
}

// A well-formed ID of a partition whose issuer host is not confirmed is
// refused with a message that asks for Config.Issuer; a malformed one
// with the form expected; neither says more than the quoted ID.
func TestSplitRefusals(t *testing.T) {
	_, _, err := poolid.Split("eusc-de-east-1_AbC123")
	require.ErrorContains(t, err, "set Config.Issuer")
	_, _, err = poolid.Split("us-east-1_a.evil.com")
	require.ErrorContains(t, err, "region_id")
}

// Region names map to one partition each, and unknown ones to none.
func TestRegionPartition(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-2": "aws", "us-gov-east-1": "aws-us-gov", "cn-northwest-1": "aws-cn",
		"eusc-de-east-1": "aws-eusc", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eu-isoe-west-1": "aws-iso-e", "us-isof-south-1": "aws-iso-f",
	} {
		p, ok := poolid.RegionPartition(region)
		require.True(t, ok, region)
		require.Equal(t, want, p.Name, region)
	}
	for _, bad := range []string{"", "us-west", "US-WEST-2", "us-west-2.evil.com"} {
		_, ok := poolid.RegionPartition(bad)
		require.False(t, ok, bad)
	}
}
