// Package issuer builds the iss values a Cognito user pool writes in its
// tokens, in each of Cognito's forms, from the pool's ID: for
// cognitojwt.Config's Issuer and AdditionalIssuers, and alb.Config's.
//
// A verifier accepts only the issuer it derives from Config.UserPoolID
// (the original form) unless more are listed, and every form shares the
// pool's keys. The host's DNS suffix is that of the pool's partition
// (amazonaws.com, amazonaws.com.cn in China). Pools of a partition whose
// issuer host is not confirmed (the European Sovereign Cloud, the
// isolated partitions) are refused here as by cognitojwt.New: copy the iss
// of one of the pool's tokens into Config.Issuer for those.
package issuer

import (
	"fmt"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/poolid"
)

// Original returns the issuer a user pool puts in its tokens in Cognito's
// original form, https://cognito-idp.{region}.{suffix}/{poolID}: the
// region is the pool ID's. It is what cognitojwt.New derives from
// Config.UserPoolID. Errors wrap cognitojwt.ErrInvalidConfig.
func Original(poolID string) (string, error) {
	region, p, err := poolid.Split(poolID)
	if err != nil {
		return "", poolIDError(err)
	}
	return p.Issuer("cognito-idp.", region, poolID), nil
}

// Updated returns the issuer of a user pool configured with Cognito's
// "updated" issuer (IssuerConfiguration type UPDATED, the form recommended
// for multi-Region replicated pools):
// https://issuer-cognito-idp.{region}.{suffix}/{poolID}, where region is
// the pool's primary region, the one in its ID. List it in
// Config.AdditionalIssuers while tokens of both forms are about, or set it
// as Config.Issuer once all tokens carry it. Errors wrap
// cognitojwt.ErrInvalidConfig.
func Updated(poolID string) (string, error) {
	region, p, err := poolid.Split(poolID)
	if err != nil {
		return "", poolIDError(err)
	}
	return p.Issuer("issuer-cognito-idp.", region, poolID), nil
}

// Replica returns the original-form issuer as a replica of the pool in
// another region writes it, https://cognito-idp.{region}.{suffix}/{poolID}:
// replicated pools left on the original issuer have been seen to issue
// tokens naming the region that served the sign-in. Accept it only for the
// regions the pool is actually replicated to. Replicas stay in the pool's
// partition, so a region of another partition is an error; errors wrap
// cognitojwt.ErrInvalidConfig.
func Replica(region, poolID string) (string, error) {
	_, p, err := poolid.Split(poolID)
	if err != nil {
		return "", poolIDError(err)
	}
	rp, ok := poolid.RegionPartition(region)
	if !ok {
		return "", fmt.Errorf("%w: %q is not an AWS region name", cognitojwt.ErrInvalidConfig, region)
	}
	if rp.Name != p.Name {
		return "", fmt.Errorf("%w: region %q is in the %s partition, user pool %q in %s", cognitojwt.ErrInvalidConfig, region, rp.Name, poolID, p.Name)
	}
	return p.Issuer("cognito-idp.", region, poolID), nil
}

// poolIDError reports a user pool ID poolid.Split refused.
func poolIDError(err error) error {
	return fmt.Errorf("%w: user pool ID %v", cognitojwt.ErrInvalidConfig, err)
}
