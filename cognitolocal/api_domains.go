package cognitolocal

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The JSON API operations on a pool's domains: CreateUserPoolDomain,
// DescribeUserPoolDomain, UpdateUserPoolDomain and DeleteUserPoolDomain.
// A pool has at most one prefix domain (PREFIX.auth.REGION.amazoncognito.com)
// and one custom domain (a name of the customer's, with an ACM
// certificate); each name belongs to one pool of the service. The local
// pool keeps them and answers them back; Managed Login stays where it is
// served, at the service's own address, whatever the domain.

// poolDomain is a domain of a pool.
type poolDomain struct {
	Name string `json:"name"`
	// CertificateArn is CustomDomainConfig's, for a custom domain.
	CertificateArn string `json:"certificateArn,omitempty"`
	// ManagedLoginVersion is 1 (the classic hosted UI) or 2 (managed
	// login).
	ManagedLoginVersion int       `json:"managedLoginVersion"`
	Created             time.Time `json:"created"`
	Modified            time.Time `json:"modified"`
}

// prefixPattern is DomainType's pattern in the API model, which a prefix
// domain must match; a custom domain is labels of that form joined by
// dots.
var prefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

// errDomainCharacters is Cognito's answer to a domain outside the
// pattern, as clients report it (mineiros-io/terraform-aws-cognito-user-pool#69).
var errDomainCharacters = apiErr(codeInvalidParameter, `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

// errNoSuchDomain answers a domain the pool does not have. Terraform's
// aws_cognito_user_pool_domain takes an InvalidParameterException whose
// message holds "No such domain" for a domain already gone.
var errNoSuchDomain = apiErr(codeInvalidParameter, "No such domain or user pool exists.")

// checkDomainName checks a prefix domain (custom false) or a custom
// domain's fully qualified name.
func checkDomainName(name string, custom bool) error {
	if !custom {
		if !prefixPattern.MatchString(name) {
			return errDomainCharacters
		}
		// The Cognito console refuses a prefix holding the reserved words
		// aws, amazon or cognito; the API reference is silent, and the
		// pool follows the console.
		for _, w := range []string{"aws", "amazon", "cognito"} {
			if strings.Contains(name, w) {
				return apiErr(codeInvalidParameter, "The domain prefix cannot contain the reserved words aws, amazon or cognito.")
			}
		}
		return nil
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return apiErr(codeInvalidParameter, "A custom domain must be a fully qualified domain name, such as auth.example.com.")
	}
	for _, l := range labels {
		if !prefixPattern.MatchString(l) {
			return errDomainCharacters
		}
	}
	return nil
}

type customDomainConfig struct {
	CertificateArn string `json:"CertificateArn"`
}

// certificateARNPattern is ArnType's pattern in the API model.
var certificateARNPattern = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

// check checks CustomDomainConfig: CertificateArn is required, an ARN of
// 20 to 2048 characters.
func (c *customDomainConfig) check() error {
	if c.CertificateArn == "" {
		return invalidMember("customDomainConfig.certificateArn", "Member must not be null")
	}
	if err := checkLimit("customDomainConfig.certificateArn", c.CertificateArn, memberLimit{min: 20, max: 2048}); err != nil {
		return err
	}
	if !certificateARNPattern.MatchString(c.CertificateArn) {
		return invalidMember("customDomainConfig.certificateArn", "Member must satisfy regular expression pattern: "+certificateARNPattern.String())
	}
	return nil
}

// checkManagedLoginVersion checks ManagedLoginVersion: 1 or 2, 1 when
// not given (the classic hosted UI, as for a domain created before
// managed login).
func checkManagedLoginVersion(v *int, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v != 1 && *v != 2 {
		return 0, apiErr(codeInvalidParameter, "ManagedLoginVersion must be 1 (hosted UI) or 2 (managed login).")
	}
	return *v, nil
}

type createUserPoolDomainInput struct {
	Domain              string              `json:"Domain"`
	UserPoolID          string              `json:"UserPoolId"`
	CustomDomainConfig  *customDomainConfig `json:"CustomDomainConfig"`
	ManagedLoginVersion *int                `json:"ManagedLoginVersion"`
}

type domainOutput struct {
	CloudFrontDomain    string `json:"CloudFrontDomain,omitempty"`
	ManagedLoginVersion int    `json:"ManagedLoginVersion"`
}

// createUserPoolDomain gives the pool a prefix domain, or with
// CustomDomainConfig a custom one. The domain is ACTIVE at once.
func (p *Pool) createUserPoolDomain(_ context.Context, in *createUserPoolDomainInput) (*domainOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	custom := in.CustomDomainConfig != nil
	if err := checkDomainName(in.Domain, custom); err != nil {
		return nil, err
	}
	if custom {
		if err := in.CustomDomainConfig.check(); err != nil {
			return nil, err
		}
	}
	version, err := checkManagedLoginVersion(in.ManagedLoginVersion, 1)
	if err != nil {
		return nil, err
	}
	// The service's domain lock makes the check that no pool has the name
	// and the pool's taking it one step.
	p.svc.domainMu.Lock()
	defer p.svc.domainMu.Unlock()
	if q, _ := p.svc.poolOfDomain(in.Domain); q != nil {
		if q == p {
			return nil, apiErr(codeInvalidParameter, "User pool already has a domain configured.")
		}
		return nil, apiErr(codeInvalidParameter, "Domain already associated with another user pool.")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	now := p.now()
	d := &poolDomain{Name: in.Domain, ManagedLoginVersion: version, Created: now, Modified: now}
	if custom {
		if s.CustomDomain != nil {
			return nil, apiErr(codeInvalidParameter, "User pool already has a custom domain configured.")
		}
		d.CertificateArn = in.CustomDomainConfig.CertificateArn
		s.CustomDomain = d
	} else {
		if s.Domain != nil {
			return nil, apiErr(codeInvalidParameter, "User pool already has a domain configured.")
		}
		s.Domain = d
	}
	p.settings.Store(&s)
	return &domainOutput{CloudFrontDomain: p.svc.cloudFrontOf(d), ManagedLoginVersion: version}, nil
}

// poolOfDomain finds the pool with the domain name, prefix or custom.
func (s *Service) poolOfDomain(name string) (*Pool, *poolDomain) {
	for _, p := range s.Pools() {
		c := p.conf()
		for _, d := range []*poolDomain{c.Domain, c.CustomDomain} {
			if d != nil && d.Name == name {
				return p, d
			}
		}
	}
	return nil, nil
}

// cloudFrontOf is what the local pool answers for a custom domain's
// CloudFront distribution, the target of its DNS alias: the host that
// serves the pool's Managed Login, the service's own address. A prefix
// domain has none.
func (s *Service) cloudFrontOf(d *poolDomain) string {
	if d.CertificateArn == "" {
		return ""
	}
	if u, err := url.Parse(s.baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "localhost"
}

type domainInput struct {
	Domain string `json:"Domain"`
}

type describeUserPoolDomainOutput struct {
	DomainDescription map[string]any `json:"DomainDescription"`
}

// describeUserPoolDomain answers DomainDescriptionType. A domain no pool
// has is answered with an empty DomainDescription, not an error, as
// Cognito answers it (Terraform's aws_cognito_user_pool_domain reads
// {"DomainDescription": {}} as not found).
func (s *Service) describeUserPoolDomain(_ *apiCall, in *domainInput) (*describeUserPoolDomainOutput, error) {
	out := &describeUserPoolDomainOutput{DomainDescription: map[string]any{}}
	p, d := s.poolOfDomain(in.Domain)
	if p == nil {
		return out, nil
	}
	custom := map[string]any{}
	if d.CertificateArn != "" {
		custom["CertificateArn"] = d.CertificateArn
	}
	out.DomainDescription = map[string]any{
		"UserPoolId": p.poolID, "AWSAccountId": localAccountID, "Domain": d.Name,
		"Version": d.Modified.UTC().Format("20060102150405"), "Status": "ACTIVE",
		"CustomDomainConfig": custom, "ManagedLoginVersion": d.ManagedLoginVersion,
	}
	if cf := s.cloudFrontOf(d); cf != "" {
		out.DomainDescription["CloudFrontDistribution"] = cf
	}
	return out, nil
}

type updateUserPoolDomainInput struct {
	Domain              string              `json:"Domain"`
	UserPoolID          string              `json:"UserPoolId"`
	CustomDomainConfig  *customDomainConfig `json:"CustomDomainConfig"`
	ManagedLoginVersion *int                `json:"ManagedLoginVersion"`
}

// updateUserPoolDomain changes a custom domain's certificate, or either
// domain's ManagedLoginVersion. A prefix domain has no certificate to
// change.
func (p *Pool) updateUserPoolDomain(_ context.Context, in *updateUserPoolDomainInput) (*domainOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if in.CustomDomainConfig != nil {
		if err := in.CustomDomainConfig.check(); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	var slot **poolDomain
	switch {
	case s.Domain != nil && s.Domain.Name == in.Domain:
		slot = &s.Domain
	case s.CustomDomain != nil && s.CustomDomain.Name == in.Domain:
		slot = &s.CustomDomain
	default:
		return nil, errNoSuchDomain
	}
	d := **slot
	if in.CustomDomainConfig != nil {
		if d.CertificateArn == "" {
			return nil, apiErr(codeInvalidParameter, "CustomDomainConfig applies to a custom domain; this is a prefix domain.")
		}
		d.CertificateArn = in.CustomDomainConfig.CertificateArn
	}
	version, err := checkManagedLoginVersion(in.ManagedLoginVersion, d.ManagedLoginVersion)
	if err != nil {
		return nil, err
	}
	d.ManagedLoginVersion, d.Modified = version, p.now()
	*slot = &d
	p.settings.Store(&s)
	return &domainOutput{CloudFrontDomain: p.svc.cloudFrontOf(&d), ManagedLoginVersion: version}, nil
}

type deleteUserPoolDomainInput struct {
	Domain     string `json:"Domain"`
	UserPoolID string `json:"UserPoolId"`
}

// deleteUserPoolDomain removes a domain of the pool; a domain it does not
// have, another pool's included, is refused.
func (p *Pool) deleteUserPoolDomain(_ context.Context, in *deleteUserPoolDomainInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	switch {
	case s.Domain != nil && s.Domain.Name == in.Domain:
		s.Domain = nil
	case s.CustomDomain != nil && s.CustomDomain.Name == in.Domain:
		s.CustomDomain = nil
	default:
		return nil, errNoSuchDomain
	}
	p.settings.Store(&s)
	return &empty{}, nil
}
