package cognitolocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func prec(n int64) *int64 { return &n }

// API reference, CreateGroup, Precedence: lower values take precedence
// over higher or null ones; equal precedence with different role ARNs
// leaves cognito:preferred_role unset, with the same ARN sets it.
func TestRolesFollowPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name      string
		groups    []group
		roles     []string
		preferred string
	}{
		{"no roles", []group{{Name: "a"}}, nil, ""},
		{"one role", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a"}, {Name: "b"}}, []string{"arn:aws:iam::123456789012:role/a"}, "arn:aws:iam::123456789012:role/a"},
		{"lower wins", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a", Precedence: prec(5)}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/b", Precedence: prec(1)}},
			[]string{"arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/a"}, "arn:aws:iam::123456789012:role/b"},
		{"zero is highest", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a", Precedence: prec(0)}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/b", Precedence: prec(3)}},
			[]string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}, "arn:aws:iam::123456789012:role/a"},
		{"a value beats null", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a"}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/b", Precedence: prec(9)}},
			[]string{"arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/a"}, "arn:aws:iam::123456789012:role/b"},
		{"tie, different roles", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a", Precedence: prec(2)}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/b", Precedence: prec(2)}},
			[]string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}, ""},
		{"tie, same role", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/x", Precedence: prec(2)}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/x", Precedence: prec(2)}},
			[]string{"arn:aws:iam::123456789012:role/x"}, "arn:aws:iam::123456789012:role/x"},
		{"both null, different", []group{{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/a"}, {Name: "b", RoleArn: "arn:aws:iam::123456789012:role/b"}}, []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Config{})
			var names []string
			for _, g := range tc.groups {
				_, err := p.createGroup(g)
				require.NoError(t, err)
				require.NoError(t, p.AddUserToGroup("alice", g.Name))
				names = append(names, g.Name)
			}
			p.mu.Lock()
			roles, preferred := p.rolesLocked(names)
			p.mu.Unlock()
			assert.Equal(t, tc.roles, roles)
			assert.Equal(t, tc.preferred, preferred)

			id := payload(t, signIn(t, p).IDToken)
			access := payload(t, signIn(t, p).AccessToken)
			if tc.roles == nil {
				assert.NotContains(t, id, "cognito:roles")
			} else {
				assert.Equal(t, toAny(tc.roles), id["cognito:roles"])
			}
			if tc.preferred == "" {
				assert.NotContains(t, id, "cognito:preferred_role")
			} else {
				assert.Equal(t, tc.preferred, id["cognito:preferred_role"])
			}
			assert.NotContains(t, access, "cognito:roles", "roles are ID-token claims")
			assert.NotContains(t, access, "cognito:preferred_role")
		})
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
