package apigateway_test

import (
	"fmt"

	"github.com/cognitojwt/cognitojwt/apigateway"
	"github.com/cognitojwt/cognitojwt/authz"
)

// Claims an HTTP API JWT authorizer passed to a Lambda integration.
func ExampleClaims() {
	c, err := apigateway.Claims(map[string]string{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
		"client_id":      "1example23456789",
		"token_use":      "access",
		"scope":          "orders/read orders/write",
		"exp":            "1750003600",
		"username":       "alice",
		"cognito:groups": "[admin users]",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Username, c.Groups, c.Scopes, c.ExpiresAt.Unix())
	fmt.Println(c.InGroup("admin"), authz.HasAllScopes("orders/write")(c))
	// Output:
	// alice [admin users] [orders/read orders/write] 1750003600
	// true true
}
