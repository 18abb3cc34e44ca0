package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddCustomAttributesRules(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "dept", "AttributeDataType": "String"}}}))
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "dept"}}}), codeInvalidParameter, "")
	requireAPIError(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "x", "AttributeDataType": "Blob"}}}), codeInvalidParameter, "")
	status, _ = call(t, p, "AdminUpdateUserAttributes", pool(map[string]any{"Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "custom:dept", "Value": "ops"}}}))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "ops", payload(t, signIn(t, p).IDToken)["custom:dept"])
	require.NoError(t, p.AddCustomAttribute("frozen", false))
	require.Equal(t, errImmutableAttr, p.SetUserAttributes("alice", map[string]string{"custom:frozen": "x"}))
}
