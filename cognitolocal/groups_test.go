package cognitolocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdateGroupChangesOnlyWhatIsGiven(t *testing.T) {
	p := newPool(t, Config{})
	role := "arn:aws:iam::123456789012:role/admin"
	require.NoError(t, p.UpdateGroup("admin", GroupUpdate{RoleArn: &role, Precedence: prec(3)}))
	desc := "Administrators"
	require.NoError(t, p.UpdateGroup("admin", GroupUpdate{Description: &desc}))
	p.mu.Lock()
	g, err := p.groupLocked("admin")
	p.mu.Unlock()
	require.NoError(t, err)
	assert.Equal(t, role, g.RoleArn)
	assert.Equal(t, int64(3), *g.Precedence)
	assert.Equal(t, desc, g.Description)

	empty := ""
	require.NoError(t, p.UpdateGroup("admin", GroupUpdate{RoleArn: &empty}), "an empty role removes it")
	assert.NotContains(t, payload(t, signIn(t, p).IDToken), "cognito:roles")
	assert.Equal(t, errGroupNotFound, p.UpdateGroup("nope", GroupUpdate{Description: &desc}))
}

// API reference, CreateGroup: GroupName's pattern and length, RoleArn's
// pattern, Precedence from 0 to 2^31-1, Description up to 2048.
func TestGroupFieldChecks(t *testing.T) {
	long := make([]byte, 2049)
	for i := range long {
		long[i] = 'x'
	}
	for name, g := range map[string]group{
		"empty name":       {},
		"space in name":    {Name: "a b"},
		"long name":        {Name: string(long[:129])},
		"role not an ARN":  {Name: "g", RoleArn: "admin-role-please-ok"},
		"negative":         {Name: "g", Precedence: prec(-1)},
		"above 2^31-1":     {Name: "g", Precedence: prec(maxPrecedence + 1)},
		"long description": {Name: "g", Description: string(long)},
	} {
		var e *Error
		require.ErrorAs(t, checkGroupFields(g), &e, name)
		assert.Equal(t, codeInvalidParameter, e.Code, name)
	}
	require.NoError(t, checkGroupFields(group{Name: "Ünïcode-group_1.", Precedence: prec(maxPrecedence),
		RoleArn: "arn:aws-cn:iam::123456789012:role/path/name"}))
}

func TestDeleteGroupEndsMemberships(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.DeleteGroup("admin"))
	assert.NotContains(t, payload(t, signIn(t, p).AccessToken), "cognito:groups")
	assert.Equal(t, errGroupNotFound, p.DeleteGroup("admin"))
	require.NoError(t, p.CreateGroup("admin"))
	assert.NotContains(t, payload(t, signIn(t, p).AccessToken), "cognito:groups", "a new group of the same name starts empty")
}
