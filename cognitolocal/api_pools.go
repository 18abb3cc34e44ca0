package cognitolocal

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// The JSON API operations on user pools: CreateUserPool, DescribeUserPool,
// ListUserPools, UpdateUserPool, DeleteUserPool and AddCustomAttributes.
// Shapes: botocore's cognito-idp service-2.json; the API Reference pages
// are cited by the tests.

// createUserPoolInput is CreateUserPoolRequest, the members this pool
// models; the others are kept as given (poolSettings.Extra).
type createUserPoolInput struct {
	PoolName              string            `json:"PoolName"`
	AliasAttributes       []string          `json:"AliasAttributes"`
	UsernameAttributes    []string          `json:"UsernameAttributes"`
	UsernameConfiguration *usernameConfig   `json:"UsernameConfiguration"`
	Schema                []schemaAttribute `json:"Schema"`
}

type usernameConfig struct {
	CaseSensitive *bool `json:"CaseSensitive"`
}

type userPoolOutput struct {
	UserPool map[string]any `json:"UserPool"`
}

// createUserPool creates a pool in the region of the request's signing
// scope, with no app client, as Cognito does.
func (s *Service) createUserPool(c *apiCall, in *createUserPoolInput) (*userPoolOutput, error) {
	settings, err := parseSettings(c.body, in.PoolName, true)
	if err != nil {
		return nil, err
	}
	if err := settings.setSignInAttributes(in.UsernameAttributes, in.AliasAttributes); err != nil {
		return nil, err
	}
	// Case sensitive unless told otherwise: the API's default.
	settings.CaseSensitive = in.UsernameConfiguration == nil || in.UsernameConfiguration.CaseSensitive == nil || *in.UsernameConfiguration.CaseSensitive
	custom, err := settings.applySchema(in.Schema)
	if err != nil {
		return nil, err
	}
	p, err := makePool(s, Config{PoolID: newPoolID(signingRegion(c.r.Header.Get("Authorization")))})
	if err != nil {
		return nil, err
	}
	now := p.now()
	settings.Created, settings.Modified = now, now
	p.settings.Store(settings)
	for _, a := range custom {
		p.schema[a.Name] = a
	}
	if err := s.add(p); err != nil {
		return nil, err
	}
	return &userPoolOutput{UserPool: p.userPoolType()}, nil
}

// signingRegionPattern finds the region of a SigV4 credential scope:
// Credential=AKID/DATE/REGION/cognito-idp/aws4_request.
var signingRegionPattern = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/([a-z]{2}(?:-[a-z]+)+-\d+)/`)

// signingRegion returns the region a request was signed for, us-east-1
// when it was not signed.
func signingRegion(authorization string) string {
	if m := signingRegionPattern.FindStringSubmatch(authorization); m != nil {
		return m[1]
	}
	return "us-east-1"
}

type poolIDInput struct {
	UserPoolID string `json:"UserPoolId"`
}

func (p *Pool) describeUserPool(_ context.Context, in *poolIDInput) (*userPoolOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &userPoolOutput{UserPool: p.userPoolType()}, nil
}

// updateUserPoolInput holds the pool and the members UpdateUserPool may
// not take (they are fixed when a pool is created); the settings are read
// from the raw body.
type updateUserPoolInput struct {
	raw                   []byte
	UserPoolID            string          `json:"UserPoolId"`
	AliasAttributes       json.RawMessage `json:"AliasAttributes"`
	UsernameAttributes    json.RawMessage `json:"UsernameAttributes"`
	Schema                json.RawMessage `json:"Schema"`
	UsernameConfiguration *usernameConfig `json:"UsernameConfiguration"`
	UserPoolTags          json.RawMessage `json:"UserPoolTags"`
}

// updateUserPool replaces the pool's settings with the request's: as
// Cognito documents, a setting the request omits returns to its default.
// The settings fixed at creation are refused.
func (p *Pool) updateUserPool(_ context.Context, in *updateUserPoolInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	// Under the lock, so that a tag or domain changed meanwhile is not
	// lost.
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.conf()
	if in.AliasAttributes != nil || in.UsernameAttributes != nil || in.Schema != nil {
		return nil, apiErr(codeInvalidParameter, "AliasAttributes, UsernameAttributes and Schema cannot be changed after a user pool is created; use AddCustomAttributes for new custom attributes.")
	}
	if c := in.UsernameConfiguration; c != nil && c.CaseSensitive != nil && *c.CaseSensitive != old.CaseSensitive {
		return nil, apiErr(codeInvalidParameter, "UsernameConfiguration cannot be changed after a user pool is created.")
	}
	settings, err := parseSettings(in.raw, old.Name, false)
	if err != nil {
		return nil, err
	}
	settings.UsernameAttributes, settings.AliasAttributes = old.UsernameAttributes, old.AliasAttributes
	settings.CaseSensitive, settings.Required, settings.Immutable = old.CaseSensitive, old.Required, old.Immutable
	// The MFA factors belong to SetUserPoolMfaConfig, not UpdateUserPool.
	settings.SoftwareTokenMFA, settings.SMSMFA, settings.SMSMFAMessage = old.SoftwareTokenMFA, old.SMSMFA, old.SMSMFAMessage
	settings.EmailMFA, settings.EmailMFAMessage, settings.EmailMFASubject = old.EmailMFA, old.EmailMFAMessage, old.EmailMFASubject
	// Tags stay unless the request gives UserPoolTags (which then replace
	// them whole: the docs are silent on a merge); domains belong to
	// CreateUserPoolDomain and DeleteUserPoolDomain.
	if in.UserPoolTags == nil || string(in.UserPoolTags) == "null" {
		settings.Tags = old.Tags
	}
	settings.Domain, settings.CustomDomain = old.Domain, old.CustomDomain
	settings.Created, settings.Modified = old.Created, p.now()
	p.settings.Store(settings)
	return &empty{}, nil
}

// UnmarshalJSON keeps the body, whose settings parseSettings reads.
func (in *updateUserPoolInput) UnmarshalJSON(b []byte) error {
	type members updateUserPoolInput
	var m members
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*in = updateUserPoolInput(m)
	in.raw = slices.Clone(b)
	return nil
}

func (s *Service) deleteUserPool(_ *apiCall, in *poolIDInput) (*empty, error) {
	p, ok := s.Pool(in.UserPoolID)
	if !ok {
		return nil, errPoolNotFound
	}
	if p.conf().DeletionProtection {
		return nil, apiErr(codeInvalidParameter, "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	return &empty{}, s.DeletePool(in.UserPoolID)
}

type listUserPoolsInput struct {
	MaxResults int    `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

type listUserPoolsOutput struct {
	UserPools []map[string]any `json:"UserPools"`
	NextToken string           `json:"NextToken,omitempty"`
}

// listUserPools pages the pools in creation order. MaxResults is
// required, 1 to 60; the token is the ID of the next pool.
func (s *Service) listUserPools(_ *apiCall, in *listUserPoolsInput) (*listUserPoolsOutput, error) {
	if in.MaxResults < 1 || in.MaxResults > 60 {
		return nil, apiErr(codeInvalidParameter, "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
	}
	pools := s.Pools()
	start := 0
	if in.NextToken != "" {
		start = slices.IndexFunc(pools, func(p *Pool) bool { return p.poolID == in.NextToken })
		if start < 0 {
			return nil, apiErr(codeInvalidParameter, "Invalid pagination token.")
		}
	}
	out := &listUserPoolsOutput{UserPools: []map[string]any{}}
	end := min(start+in.MaxResults, len(pools))
	for _, p := range pools[start:end] {
		out.UserPools = append(out.UserPools, p.userPoolDescription())
	}
	if end < len(pools) {
		out.NextToken = pools[end].poolID
	}
	return out, nil
}

type addCustomAttributesInput struct {
	UserPoolID       string            `json:"UserPoolId"`
	CustomAttributes []schemaAttribute `json:"CustomAttributes"`
}

// addCustomAttributes declares custom attributes. Names are given without
// the custom: prefix, as in Cognito; Mutable defaults to true.
func (p *Pool) addCustomAttributes(_ context.Context, in *addCustomAttributesInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) == 0 {
		return nil, apiErr(codeInvalidParameter, "CustomAttributes must not be empty.")
	}
	var attrs []*customAttribute
	for _, s := range in.CustomAttributes {
		a, err := s.custom()
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range attrs {
		if p.schema[a.Name] != nil {
			return nil, apiErr(codeInvalidParameter, "Existing attribute already has name "+a.Name+".")
		}
	}
	for _, a := range attrs {
		p.schema[a.Name] = a
	}
	return &empty{}, nil
}

// poolNamePattern is PoolName's pattern in botocore's model.
var poolNamePattern = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)

func checkPoolName(name string) error {
	if !poolNamePattern.MatchString(name) || strings.TrimSpace(name) == "" {
		return apiErr(codeInvalidParameter, "PoolName must be 1 to 128 letters, digits, spaces or +=,.@_-.")
	}
	return nil
}
