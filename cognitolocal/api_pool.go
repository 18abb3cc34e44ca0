package cognitolocal

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The operations on the pool's configuration: custom attributes and app
// clients.

type schemaAttribute struct {
	Name                       string `json:"Name"`
	AttributeDataType          string `json:"AttributeDataType"`
	Mutable                    *bool  `json:"Mutable"`
	StringAttributeConstraints *struct {
		MinLength string `json:"MinLength"`
		MaxLength string `json:"MaxLength"`
	} `json:"StringAttributeConstraints"`
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
		name := strings.TrimPrefix(s.Name, "custom:")
		if name == "" || len(name) > 20 {
			return nil, apiErr(codeInvalidParameter, "Custom attribute names must be 1 to 20 characters.")
		}
		a := &customAttribute{Name: "custom:" + name, DataType: s.AttributeDataType, Mutable: s.Mutable == nil || *s.Mutable}
		if a.DataType == "" {
			a.DataType = "String"
		}
		if !slices.Contains([]string{"String", "Number", "DateTime", "Boolean"}, a.DataType) {
			return nil, apiErr(codeInvalidParameter, "Invalid AttributeDataType.")
		}
		if c := s.StringAttributeConstraints; c != nil {
			a.MinLen, _ = strconv.Atoi(c.MinLength)
			a.MaxLen, _ = strconv.Atoi(c.MaxLength)
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

// AddCustomAttribute declares custom attribute name (with or without the
// custom: prefix) as a String; an immutable one can be set only when a
// user is created.
func (p *Pool) AddCustomAttribute(name string, mutable bool) error {
	_, err := p.addCustomAttributes(context.Background(), &addCustomAttributesInput{
		UserPoolID:       p.poolID,
		CustomAttributes: []schemaAttribute{{Name: name, AttributeDataType: "String", Mutable: &mutable}},
	})
	return err
}

// tokenValidityUnits is TokenValidityUnitsType.
type tokenValidityUnits struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IDToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// clientSettings are the members UserPoolClientType shares with
// CreateUserPoolClient's input.
type clientSettings struct {
	ClientName                      string              `json:"ClientName"`
	RefreshTokenValidity            int64               `json:"RefreshTokenValidity"`
	AccessTokenValidity             int64               `json:"AccessTokenValidity"`
	IDTokenValidity                 int64               `json:"IdTokenValidity"`
	TokenValidityUnits              *tokenValidityUnits `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                  []string            `json:"ReadAttributes,omitempty"`
	ExplicitAuthFlows               []string            `json:"ExplicitAuthFlows,omitempty"`
	CallbackURLs                    []string            `json:"CallbackURLs,omitempty"`
	LogoutURLs                      []string            `json:"LogoutURLs,omitempty"`
	AllowedOAuthFlows               []string            `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes              []string            `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool                `json:"AllowedOAuthFlowsUserPoolClient"`
}

// userPoolClient is UserPoolClientType, the members this pool models.
type userPoolClient struct {
	UserPoolID       string `json:"UserPoolId"`
	ClientID         string `json:"ClientId"`
	ClientSecret     string `json:"ClientSecret,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
	clientSettings
	EnableTokenRevocation      bool   `json:"EnableTokenRevocation"`
	PreventUserExistenceErrors string `json:"PreventUserExistenceErrors"`
}

type createUserPoolClientInput struct {
	UserPoolID     string `json:"UserPoolId"`
	GenerateSecret bool   `json:"GenerateSecret"`
	clientSettings
}

type userPoolClientOutput struct {
	UserPoolClient userPoolClient `json:"UserPoolClient"`
}

// validityUnit converts a validity in the given unit (default: days for
// refresh tokens, hours for the others, as Cognito defaults them).
func validityUnit(n int64, unit, def string) (time.Duration, error) {
	if unit == "" {
		unit = def
	}
	per := map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}[unit]
	if per == 0 {
		return 0, apiErr(codeInvalidParameter, "Invalid TokenValidityUnits.")
	}
	if n < 0 {
		return 0, apiErr(codeInvalidParameter, "Token validity must be positive.")
	}
	return time.Duration(n) * per, nil
}

func (p *Pool) createUserPoolClient(_ context.Context, in *createUserPoolClientInput) (*userPoolClientOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if in.ClientName == "" {
		return nil, apiErr(codeInvalidParameter, "ClientName must not be empty.")
	}
	if len(in.AllowedOAuthFlows) > 0 && !in.AllowedOAuthFlowsUserPoolClient {
		return nil, apiErr(codeInvalidParameter, "AllowedOAuthFlowsUserPoolClient must be true to use OAuth flows.")
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &tokenValidityUnits{}
	}
	c := AppClient{
		ClientName: in.ClientName, GenerateSecret: in.GenerateSecret,
		ExplicitAuthFlows: in.ExplicitAuthFlows, AllowedOAuthFlows: in.AllowedOAuthFlows,
		AllowedOAuthScopes: in.AllowedOAuthScopes, CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs,
		ReadAttributes: in.ReadAttributes,
	}
	var err error
	if c.AccessTokenValidity, err = validityUnit(in.AccessTokenValidity, units.AccessToken, "hours"); err != nil {
		return nil, err
	}
	if c.IDTokenValidity, err = validityUnit(in.IDTokenValidity, units.IDToken, "hours"); err != nil {
		return nil, err
	}
	if c.RefreshTokenValidity, err = validityUnit(in.RefreshTokenValidity, units.RefreshToken, "days"); err != nil {
		return nil, err
	}
	created, err := p.CreateAppClient(c)
	if err != nil {
		return nil, err
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(created)}, nil
}

// clientType describes c in the units Cognito reports by default.
func (p *Pool) clientType(c AppClient) userPoolClient {
	return userPoolClient{
		UserPoolID: p.poolID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		LastModifiedDate: epochOf(c.modified), CreationDate: epochOf(c.created),
		clientSettings: clientSettings{
			ClientName:                      c.ClientName,
			AccessTokenValidity:             int64(c.AccessTokenValidity / time.Minute),
			IDTokenValidity:                 int64(c.IDTokenValidity / time.Minute),
			RefreshTokenValidity:            int64(c.RefreshTokenValidity / time.Minute),
			TokenValidityUnits:              &tokenValidityUnits{AccessToken: "minutes", IDToken: "minutes", RefreshToken: "minutes"},
			ReadAttributes:                  c.ReadAttributes,
			ExplicitAuthFlows:               c.ExplicitAuthFlows,
			CallbackURLs:                    c.CallbackURLs,
			LogoutURLs:                      c.LogoutURLs,
			AllowedOAuthFlows:               c.AllowedOAuthFlows,
			AllowedOAuthScopes:              c.AllowedOAuthScopes,
			AllowedOAuthFlowsUserPoolClient: len(c.AllowedOAuthFlows) > 0,
		},
		EnableTokenRevocation:      true,
		PreventUserExistenceErrors: "ENABLED",
	}
}

type describeUserPoolClientInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
}

func (p *Pool) describeUserPoolClient(_ context.Context, in *describeUserPoolClientInput) (*userPoolClientOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(c)}, nil
}
