package cognitolocal

import (
	"cmp"
	"context"
	"time"
)

// The JSON API operations on app clients.

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
	EnableTokenRevocation           *bool               `json:"EnableTokenRevocation,omitempty"`
	PreventUserExistenceErrors      string              `json:"PreventUserExistenceErrors,omitempty"`
}

// userPoolClient is UserPoolClientType, the members this pool models.
type userPoolClient struct {
	UserPoolID       string `json:"UserPoolId"`
	ClientID         string `json:"ClientId"`
	ClientSecret     string `json:"ClientSecret,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
	clientSettings
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
	unit = cmp.Or(unit, def)
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
	c, err := in.appClient()
	if err != nil {
		return nil, err
	}
	c.GenerateSecret = in.GenerateSecret
	created, err := p.CreateAppClient(c)
	if err != nil {
		return nil, err
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(created)}, nil
}

// appClient converts the settings of CreateUserPoolClient or
// UpdateUserPoolClient; the model fills in the defaults of what is left
// out.
func (in *clientSettings) appClient() (AppClient, error) {
	if in.ClientName == "" {
		return AppClient{}, apiErr(codeInvalidParameter, "ClientName must not be empty.")
	}
	if len(in.AllowedOAuthFlows) > 0 && !in.AllowedOAuthFlowsUserPoolClient {
		return AppClient{}, apiErr(codeInvalidParameter, "AllowedOAuthFlowsUserPoolClient must be true to use OAuth flows.")
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &tokenValidityUnits{}
	}
	c := AppClient{
		ClientName:        in.ClientName,
		ExplicitAuthFlows: in.ExplicitAuthFlows, AllowedOAuthFlows: in.AllowedOAuthFlows,
		AllowedOAuthScopes: in.AllowedOAuthScopes, CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs,
		ReadAttributes:             in.ReadAttributes,
		PreventUserExistenceErrors: in.PreventUserExistenceErrors,
		TokenRevocationDisabled:    in.EnableTokenRevocation != nil && !*in.EnableTokenRevocation,
	}
	var err error
	if c.AccessTokenValidity, err = validityUnit(in.AccessTokenValidity, units.AccessToken, "hours"); err != nil {
		return AppClient{}, err
	}
	if c.IDTokenValidity, err = validityUnit(in.IDTokenValidity, units.IDToken, "hours"); err != nil {
		return AppClient{}, err
	}
	if c.RefreshTokenValidity, err = validityUnit(in.RefreshTokenValidity, units.RefreshToken, "days"); err != nil {
		return AppClient{}, err
	}
	return c, nil
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
			EnableTokenRevocation:           boolPtr(!c.TokenRevocationDisabled),
			PreventUserExistenceErrors:      c.PreventUserExistenceErrors,
		},
	}
}

func boolPtr(b bool) *bool { return &b }

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

type updateUserPoolClientInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
	clientSettings
}

// updateUserPoolClient replaces a client's settings: what the request
// leaves out returns to its default, as the API reference of
// UpdateUserPoolClient warns
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html).
// The ID, the secret and the creation date stay.
func (p *Pool) updateUserPoolClient(_ context.Context, in *updateUserPoolClientInput) (*userPoolClientOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if _, ok := p.AppClient(in.ClientID); !ok {
		return nil, errClientNotFound
	}
	c, err := in.appClient()
	if err != nil {
		return nil, err
	}
	c.ClientID = in.ClientID
	updated, err := p.UpdateAppClient(c)
	if err != nil {
		return nil, err
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(updated)}, nil
}

func (p *Pool) deleteUserPoolClient(_ context.Context, in *describeUserPoolClientInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &empty{}, p.DeleteAppClient(in.ClientID)
}

type listUserPoolClientsInput struct {
	UserPoolID string `json:"UserPoolId"`
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// userPoolClientDescription is UserPoolClientDescription.
type userPoolClientDescription struct {
	ClientID   string `json:"ClientId"`
	UserPoolID string `json:"UserPoolId"`
	ClientName string `json:"ClientName"`
}

type listUserPoolClientsOutput struct {
	UserPoolClients []userPoolClientDescription `json:"UserPoolClients"`
	NextToken       string                      `json:"NextToken,omitempty"`
}

// listUserPoolClients pages by client ID, 1 to 60 a page (API reference,
// ListUserPoolClients).
func (p *Pool) listUserPoolClients(_ context.Context, in *listUserPoolClientsInput) (*listUserPoolClientsOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.MaxResults, 1, 60, "maxResults")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	all := make([]userPoolClientDescription, 0, len(p.clients))
	for _, c := range p.clients {
		all = append(all, userPoolClientDescription{ClientID: c.ClientID, UserPoolID: p.poolID, ClientName: c.ClientName})
	}
	p.mu.Unlock()
	page, next, err := pageOf(all, func(d userPoolClientDescription) string { return d.ClientID }, limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listUserPoolClientsOutput{UserPoolClients: page, NextToken: next}, nil
}
