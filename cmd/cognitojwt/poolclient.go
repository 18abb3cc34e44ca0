package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// poolClient speaks the few administration operations of the user-pool
// JSON API that the users command needs, to the dev-issuer on loopback.
// It signs nothing: the local pool checks no SigV4 signatures, and a real
// pool is managed with the AWS CLI or SDK instead.
type poolClient struct {
	endpoint string
	poolID   string
	// custom names the custom attributes a request sets, for the hint
	// when the pool has not declared them.
	custom []string
}

// apiRefusal is an error the pool answered, as Cognito's __type and
// message.
type apiRefusal struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (e *apiRefusal) Error() string { return e.Type + ": " + e.Message }

// maxAPIAnswer bounds an answer of the pool; a page of 60 users fits.
const maxAPIAnswer = 4 << 20

// apiTimeout bounds one call to the local pool.
const apiTimeout = 10 * time.Second

func (c *poolClient) call(op string, in, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return usageErrorf("--server: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return envErrorf("cannot reach the dev-issuer at %s: %v\n  start it with \"cognitojwt dev-issuer\"", strings.TrimSuffix(c.endpoint, "/"), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIAnswer))
	if err != nil {
		return envErrorf("reading the dev-issuer's answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		var refusal apiRefusal
		if json.Unmarshal(raw, &refusal) != nil || refusal.Type == "" {
			return envErrorf("%s answered HTTP %d to %s; is it a cognitojwt dev-issuer?", strings.TrimSuffix(c.endpoint, "/"), resp.StatusCode, op)
		}
		return rejectedErrorf("%s: %w%s", op, &refusal, c.hint(&refusal))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return envErrorf("the dev-issuer's answer to %s is not JSON: %v", op, err)
	}
	return nil
}

// hint says how to fix the refusals a newcomer meets first.
func (c *poolClient) hint(r *apiRefusal) string {
	switch {
	case r.Type == "ResourceNotFoundException" && strings.Contains(r.Message, "pool"):
		return fmt.Sprintf("\n  the dev-issuer serves another pool than %q: give its ID with --pool", c.poolID)
	case r.Type == "InvalidParameterException" && strings.Contains(r.Message, "schema"):
		names := "NAME"
		if len(c.custom) > 0 {
			names = strings.Join(c.custom, ",")
		}
		return "\n  declare custom attributes when starting the pool: cognitojwt dev-issuer --custom-attribute " + names
	}
	return ""
}

// addToGroup adds username to group, creating the group first when it
// does not exist: a local pool's groups are made as they are needed.
func (c *poolClient) addToGroup(username, group string) error {
	_, err := c.addToGroupCreating(username, group)
	return err
}

// addToGroupCreating is addToGroup, reporting whether it created the
// group.
func (c *poolClient) addToGroupCreating(username, group string) (created bool, err error) {
	in := map[string]any{"UserPoolId": c.poolID, "Username": username, "GroupName": group}
	err = c.call("AdminAddUserToGroup", in, nil)
	var refusal *apiRefusal
	if !errors.As(err, &refusal) || refusal.Type != "ResourceNotFoundException" || !strings.Contains(refusal.Message, "Group") {
		return false, err
	}
	if err := c.call("CreateGroup", map[string]any{"UserPoolId": c.poolID, "GroupName": group}, nil); err != nil {
		return false, err
	}
	return true, c.call("AdminAddUserToGroup", in, nil)
}

// groupsOf lists the groups of username.
func (c *poolClient) groupsOf(username string) ([]string, error) {
	var out struct {
		Groups []struct{ GroupName string }
	}
	if err := c.call("AdminListGroupsForUser", map[string]any{"UserPoolId": c.poolID, "Username": username}, &out); err != nil {
		return nil, err
	}
	groups := make([]string, len(out.Groups))
	for i, g := range out.Groups {
		groups[i] = g.GroupName
	}
	return groups, nil
}
