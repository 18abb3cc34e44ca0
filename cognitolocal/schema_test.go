package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestImmutableCustomAttributeSetOnlyAtCreation(t *testing.T) {
	p := newPool(t, Config{})
	f := false
	status, _ := call(t, p, "AddCustomAttributes", map[string]any{"UserPoolId": "local_Dev",
		"CustomAttributes": []map[string]any{{"Name": "plan", "AttributeDataType": "String", "Mutable": f}}})
	require.Equal(t, http.StatusOK, status)
	status, out := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": "local_Dev", "Username": "carol",
		"UserAttributes": []map[string]string{{"Name": "custom:plan", "Value": "basic"}}})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "carol",
		"UserAttributes": []map[string]string{{"Name": "custom:plan", "Value": "premium"}}}, codeInvalidParameter, errImmutableAttr.Message)
}

func TestCustomAttributeMustBeDeclared(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "custom:undeclared", "Value": "x"}}}, codeInvalidParameter, errUnknownAttr.Message)
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "tenant", "Value": "x"}}}, codeInvalidParameter, errUnknownAttr.Message)
}
