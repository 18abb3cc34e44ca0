// Package poolid reads Cognito user pool IDs: the region and AWS
// partition a pool lives in, and the issuer hosts that follow from them,
// for the root package's New and the issuer package.
package poolid

import (
	"fmt"
	"regexp"
	"strings"
)

// A user pool ID is its region, an underscore and a suffix of letters and
// digits ("us-east-1_AbC123"); the issuer and JWKS hosts are
// cognito-idp.{region}.{DNS suffix of the region's partition}.
//
// The partitions, their region patterns and DNS suffixes are AWS's
// endpoint data (partitions.json in botocore and the SDKs' endpoint
// rules): aws amazonaws.com, aws-us-gov amazonaws.com, aws-cn
// amazonaws.com.cn, aws-eusc amazonaws.eu, aws-iso c2s.ic.gov, aws-iso-b
// sc2s.sgov.gov, aws-iso-e cloud.adc-e.uk, aws-iso-f csp.hci.ic.gov. The
// Cognito user-pools endpoint of every partition is
// cognito-idp.{region}.{DNS suffix} (aws-sdk-go-v2
// service/cognitoidentityprovider/internal/endpoints), and a pool's
// issuer is served from that host: in China that gives
// https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_….
//
// Where the issuer host of a partition is not confirmed, deriving one
// could only fail later on every token, so New refuses the pool ID and
// asks for Config.Issuer instead. That is the case of the AWS European
// Sovereign Cloud (eusc-de-east-1): its endpoint host is
// cognito-idp.eusc-de-east-1.amazonaws.eu, but aws-jwt-verify, which
// accepts eusc- pool IDs since 5.2 (awslabs/aws-jwt-verify#276), derives
// an amazonaws.com issuer for them, so the two sources disagree; and of
// the isolated partitions, whose Cognito issuers nobody publishes.

// Partition is an AWS partition as far as issuers go.
type Partition struct {
	// Name is the partition's name in AWS's endpoint data ("aws-cn").
	Name    string
	pattern *regexp.Regexp // region names of the partition
	// dnsSuffix is the hosts' DNS suffix when the issuer is confirmed to
	// follow cognito-idp.{region}.{dnsSuffix}; empty otherwise.
	dnsSuffix string
	// title names the partition in errors.
	title string
}

// partitions are tried in order; the patterns do not overlap.
var partitions = []Partition{
	{"aws", regexp.MustCompile(`^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z0-9]+-\d+$`), "amazonaws.com", "AWS"},
	{"aws-us-gov", regexp.MustCompile(`^us-gov-[a-z0-9]+-\d+$`), "amazonaws.com", "AWS GovCloud (US)"},
	{"aws-cn", regexp.MustCompile(`^cn-[a-z0-9]+-\d+$`), "amazonaws.com.cn", "AWS China"},
	{"aws-eusc", regexp.MustCompile(`^eusc-de-[a-z0-9]+-\d+$`), "", "AWS European Sovereign Cloud"},
	{"aws-iso", regexp.MustCompile(`^us-iso-[a-z0-9]+-\d+$`), "", "AWS ISO"},
	{"aws-iso-b", regexp.MustCompile(`^us-isob-[a-z0-9]+-\d+$`), "", "AWS ISOB"},
	{"aws-iso-e", regexp.MustCompile(`^eu-isoe-[a-z0-9]+-\d+$`), "", "AWS ISOE"},
	{"aws-iso-f", regexp.MustCompile(`^us-isof-[a-z0-9]+-\d+$`), "", "AWS ISOF"},
}

// poolSuffixPattern is what follows the region and the underscore.
var poolSuffixPattern = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// RegionPartition returns the partition of an AWS region name.
func RegionPartition(region string) (Partition, bool) {
	for _, p := range partitions {
		if p.pattern.MatchString(region) {
			return p, true
		}
	}
	return Partition{}, false
}

// Split splits a user pool ID and returns its region and the region's
// partition. A well-formed ID of a partition whose issuer host is not
// confirmed is an error that asks for Config.Issuer. Errors say what is
// wrong with the quoted ID; callers name what the ID is.
func Split(poolID string) (string, Partition, error) {
	region, suffix, ok := strings.Cut(poolID, "_")
	p, known := RegionPartition(region)
	if !ok || !known || !poolSuffixPattern.MatchString(suffix) {
		return "", Partition{}, fmt.Errorf("%q is not of the form region_id of a Cognito user pool ID (us-east-1_AbC123); for another issuer, such as a local pool's (local_Dev), set Config.Issuer to its iss instead of UserPoolID", poolID)
	}
	if p.dnsSuffix == "" {
		return "", Partition{}, fmt.Errorf("%q is in the %s partition (%s), whose Cognito issuer host is not confirmed; set Config.Issuer to the iss of one of the pool's tokens (and Config.JWKSURL if its keys are not at Issuer + \"/.well-known/jwks.json\")",
			poolID, p.title, p.Name)
	}
	return region, p, nil
}

// Issuer is the issuer URL of poolID on host {service}{region}.{dnsSuffix}.
func (p Partition) Issuer(service, region, poolID string) string {
	return "https://" + service + region + "." + p.dnsSuffix + "/" + poolID
}
