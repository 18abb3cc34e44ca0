package online

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitojwt/cognitojwt"
)

// The sign-out helpers act on both sides at once: Cognito ends the refresh
// tokens, so no new token is issued, and the revocation list refuses the
// tokens already issued, which Cognito cannot take back. They record first
// and call Cognito second, so that a failed call still leaves the tokens
// refused wherever the list reaches; the error reports the call.

// RevokeToken signs one device out: Cognito's RevokeToken ends
// refreshToken and every access and ID token issued from it, and the
// family (claims.OriginJTI, the same in every token of that refresh token)
// is recorded. claims are those of a token of that refresh token; nil
// records nothing. clientSecret is "" for public app clients.
func (c *Checker) RevokeToken(ctx context.Context, refreshToken, clientID, clientSecret string, claims *cognitojwt.Claims) error {
	c.recordFamily(ctx, claims)
	in := &cip.RevokeTokenInput{Token: aws.String(refreshToken), ClientId: aws.String(clientID)}
	if clientSecret != "" {
		in.ClientSecret = aws.String(clientSecret)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := c.api.RevokeToken(ctx, in); err != nil {
		return c.classify(ctx, err, nil)
	}
	return nil
}

// GlobalSignOut signs the token's user out of every device with Cognito's
// GlobalSignOut (authorised by the access token itself, which needs the
// aws.cognito.signin.user.admin scope) and records the user's subject with
// a cut-off of now: every token issued so far is refused.
func (c *Checker) GlobalSignOut(ctx context.Context, accessToken string, claims *cognitojwt.Claims) error {
	if claims != nil && !claims.HasScope(AdminScope) {
		return errMissingAdminScope
	}
	c.recordSubject(ctx, claims)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := c.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(accessToken)}); err != nil {
		return c.classify(ctx, err, nil)
	}
	return nil
}

// AdminSignOut signs a user out of every device as an administrator, with
// Cognito's AdminUserGlobalSignOut (IAM credentials: Config.Client must
// carry them, and Config.UserPoolID be set), and records sub, the user's
// subject, with a cut-off of now. Use it when support disables an account
// or an application changes a user's groups or attributes.
func (c *Checker) AdminSignOut(ctx context.Context, username, sub string) error {
	if c.poolID == "" {
		return fmt.Errorf("%w: AdminSignOut needs Config.UserPoolID", cognitojwt.ErrInvalidConfig)
	}
	c.recordSubject(ctx, &cognitojwt.Claims{Subject: sub})
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	in := &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(c.poolID), Username: aws.String(username)}
	if _, err := c.api.AdminUserGlobalSignOut(ctx, in); err != nil {
		return c.classify(ctx, err, nil)
	}
	return nil
}
