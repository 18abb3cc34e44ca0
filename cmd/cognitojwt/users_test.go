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
