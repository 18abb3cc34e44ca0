package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"context"

	"github.com/cognitojwt/cognitojwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// usernames lists the users of the running pool.
func usernames(t *testing.T, d *devIssuer) []string {
	t.Helper()
	r := cli(t, "", nil, "users", "list", "--json", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	var out []struct{ Username string }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	var names []string
	for _, u := range out {
		names = append(names, u.Username)
	}
	return names
}

// users add creates the user completely or leaves nothing behind: a weak
// password, an undeclared attribute or a bad group name is refused before
// anything is created.
func TestUsersAddAllOrNothing(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	add := func(args ...string) result {
		return cli(t, "", nil, append(append([]string{"users", "add"}, args...), "--server", d.base)...)
	}
	r := add("bob", "--password", "weak", "--groups", "editors")
	assert.Equal(t, 1, r.code, r)
	assert.Contains(t, r.stderr, "InvalidPasswordException")
	r = add("bob", "--password", "Passw0rd!", "--attr", "undeclared=x", "--groups", "editors")
	assert.Equal(t, 1, r.code, r)
	r = add("bob", "--password", "Passw0rd!", "--groups", "editors,"+strings.Repeat("g", 129))
	assert.Equal(t, 2, r.code, r)
	assert.Empty(t, usernames(t, d), "no user left behind")
	status, out := api(t, http.DefaultClient, d.base, "", "CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "editors"})
	assert.Equal(t, http.StatusOK, status, "no group left behind: %v", out)

	r = add("bob", "--password", "Passw0rd!", "--groups", "editors,admins")
	require.Equal(t, 0, r.code, r)
	_, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "bob", "PASSWORD": "Passw0rd!"})
	assert.Empty(t, refusal, "a complete user signs in")
	// A second add of the same name changes nothing that existed.
	r = add("bob", "--password", "Other-passw0rd", "--groups", "others")
	assert.Equal(t, 1, r.code, r)
	assert.Contains(t, r.stderr, "UsernameExistsException")
	assert.Equal(t, []string{"bob"}, usernames(t, d))
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "bob", "PASSWORD": "Passw0rd!"})
	assert.Empty(t, refusal, "the existing user keeps its password")
}

// A refusal after the user exists undoes the command's work: the user and
// the groups it created are deleted. A fake pool refuses the second new
// group, which no real pool refuses once the name passed the checks.
func TestUsersAddUndoesAfterALateRefusal(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		if g, ok := in["GroupName"].(string); ok {
			op += " " + g
		}
		mu.Lock()
		calls = append(calls, op)
		firstMade := slices.Contains(calls, "CreateGroup first")
		mu.Unlock()
		refuse := func(code, msg string) {
			w.Header().Set("x-amzn-ErrorType", code)
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
		}
		switch op {
		case "AdminAddUserToGroup first", "AdminAddUserToGroup second":
			if !firstMade || strings.HasSuffix(op, "second") {
				refuse("ResourceNotFoundException", "Group not found.")
				return
			}
		case "CreateGroup second":
			refuse("InternalErrorException", "Internal error.")
			return
		}
		_, _ = w.Write([]byte(`{"User":{"Attributes":[{"Name":"sub","Value":"s"}]}}`))
	}))
	defer fake.Close()
	r := cli(t, "", nil, "users", "add", "dave", "--password", "Passw0rd!", "--groups", "first,second", "--server", fake.URL)
	assert.Equal(t, 1, r.code, r)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{
		"AdminCreateUser", "AdminSetUserPassword",
		"AdminAddUserToGroup first", "CreateGroup first", "AdminAddUserToGroup first",
		"AdminAddUserToGroup second", "CreateGroup second",
		"AdminDeleteUser", "DeleteGroup first",
	}, calls)
}

func TestUsersDelete(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	require.Equal(t, 0, cli(t, "", nil, "users", "add", "carol", "--password", "Passw0rd!", "--server", d.base).code)
	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "carol", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	r := cli(t, "", nil, "users", "delete", "carol", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	assert.Equal(t, "deleted carol\n", r.stdout)
	_, refusal = initiateAuth(t, d.base, map[string]string{"REFRESH_TOKEN": tokens["RefreshToken"].(string)})
	assert.NotEmpty(t, refusal, "a deleted user's refresh token stops working")
	r = cli(t, "", nil, "users", "delete", "carol", "--server", d.base)
	assert.Equal(t, 1, r.code, r)
	assert.Contains(t, r.stderr, "UserNotFoundException")
	r = cli(t, "", nil, "users", "delete", "--server", d.base)
	assert.Equal(t, 2, r.code, r)
}

func TestUsersManageARunningPool(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"),
		"--custom-attribute", "tenant_id")
	users := func(args ...string) result {
		return cli(t, "", nil, append(append([]string{"users"}, args...), "--server", d.base)...)
	}
	r := users("add", "alice", "--password", "Passw0rd!", "--groups", "admin", "--attr", "tenant_id=acme", "--attr", "email=alice@example.com")
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "added alice (sub ")
	assert.Contains(t, r.stdout, "to admin")

	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	ctx := context.Background()
	access, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, tokens["AccessToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, []string{"admin"}, access.Groups.Slice())
	_, ok := access.Attribute("tenant_id")
	assert.False(t, ok, "attributes stay out of access tokens")
	id, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, tokens["IdToken"].(string))
	require.NoError(t, err)
	tenant, _ := id.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, "alice@example.com", id.Email)

	r = users("add", "bob", "--password", "Passw0rd!")
	require.Equal(t, 0, r.code, r)
	r = users("list")
	require.Equal(t, 0, r.code, r)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Equal(t, []string{"USERNAME", "STATUS", "ENABLED", "EMAIL", "GROUPS", "SUB"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"alice", "CONFIRMED", "true", "alice@example.com", "admin"}, strings.Fields(lines[1])[:5])
	assert.Equal(t, []string{"bob", "CONFIRMED", "true", "-", "-"}, strings.Fields(lines[2])[:5])
	assert.Equal(t, access.Subject, strings.Fields(lines[1])[5])

	r = users("list", "--json", "--filter", `username ^= "al"`)
	require.Equal(t, 0, r.code, r)
	var listed []struct {
		Username   string
		Sub        string
		Enabled    bool
		Attributes map[string]string
		Groups     []string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed), r)
	require.Len(t, listed, 1)
	assert.Equal(t, "alice", listed[0].Username)
	assert.Equal(t, "acme", listed[0].Attributes["custom:tenant_id"])
	assert.Equal(t, []string{"admin"}, listed[0].Groups)

	r = users("groups", "alice", "--add", "editors,PremiumUsers", "--remove", "admin")
	require.Equal(t, 0, r.code, r)
	assert.ElementsMatch(t, []string{"editors", "PremiumUsers"}, strings.Fields(r.stdout))

	r = users("set", "alice", "--attr", "tenant_id=globex", "--attr", "given_name=Alice", "--delete-attr", "email", "--password", "N3w-password")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	assert.Equal(t, "NotAuthorizedException", refusal, "the old password is gone")
	fresh, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	require.Empty(t, refusal)
	id, err = verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, fresh["IdToken"].(string))
	require.NoError(t, err)
	tenant, _ = id.Attribute("tenant_id")
	assert.Equal(t, "globex", tenant)
	given, _ := id.Get("given_name")
	assert.Equal(t, "Alice", given)
	assert.Empty(t, id.Email)
	assert.ElementsMatch(t, []string{"editors", "PremiumUsers"}, id.Groups.Slice())

	r = users("set", "alice", "--sign-out")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"REFRESH_TOKEN": fresh["RefreshToken"].(string)})
	assert.Equal(t, "NotAuthorizedException", refusal, "signed out everywhere")

	r = users("set", "alice", "--disable")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	assert.Equal(t, "NotAuthorizedException", refusal, "a disabled user cannot sign in")
	r = users("list", "--json", "--filter", `username = "alice"`)
	require.Equal(t, 0, r.code, r)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed), r)
	assert.False(t, listed[0].Enabled)
	r = users("set", "alice", "--enable")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	assert.Empty(t, refusal)
}

func TestUsersRefusalsAndUsageErrors(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	r := cli(t, "", nil, "users", "add", "carol", "--password", "Passw0rd!", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "missing subcommand"},
		{"unknown subcommand", []string{"remove", "carol"}, 2, `unknown subcommand "remove"`},
		{"no username", []string{"add", "--password", "x"}, 2, "missing USERNAME"},
		{"two usernames", []string{"groups", "a", "b"}, 2, "expected one USERNAME argument, got 2"},
		{"no password", []string{"add", "dave"}, 2, "--password is required"},
		{"nothing to set", []string{"set", "carol"}, 2, "nothing to change"},
		{"enable and disable", []string{"set", "carol", "--enable", "--disable"}, 2, "exclude"},
		{"existing user", []string{"add", "carol", "--password", "Passw0rd!"}, 1, "UsernameExistsException"},
		{"unknown user", []string{"set", "nobody", "--disable"}, 1, "UserNotFoundException"},
		{"undeclared custom attribute", []string{"add", "erin", "--password", "Passw0rd!", "--attr", "tenant_id=acme"}, 1, "--custom-attribute tenant_id"},
		{"other pool", []string{"list", "--pool", "local_Other"}, 1, "--pool"},
		{"list with an argument", []string{"list", "alice"}, 2, `unexpected argument "alice"`},
		{"bad server", []string{"list", "--server", "ftp://x"}, 2, "--server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"users"}, tc.args...)
			if len(tc.args) > 0 && !strings.Contains(strings.Join(tc.args, " "), "--server") {
				args = append(args, "--server", d.base)
			}
			r := cli(t, "", nil, args...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.NotContains(t, r.stderr, "Passw0rd!", "passwords are never echoed")
		})
	}
	r = cli(t, "", nil, "users", "list", "--server", closedURL(t))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "cannot reach the dev-issuer")
}
