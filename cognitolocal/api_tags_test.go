package cognitolocal

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TagResource.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UntagResource.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListTagsForResource.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html (UserPoolTags)
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPool.html (UserPoolTags)

const defaultPoolARN = "arn:aws:cognito-idp:local:000000000000:userpool/" + DefaultPoolID

func listTags(t *testing.T, p http.Handler, arn string) map[string]any {
	t.Helper()
	status, out := call(t, p, "ListTagsForResource", map[string]any{"ResourceArn": arn})
	require.Equal(t, http.StatusOK, status, out)
	return out["Tags"].(map[string]any)
}

func TestTagResourceAddsAndReplacesTags(t *testing.T) {
	p := newPool(t, Config{})
	// ListTagsForResource: Tags, a string-to-string map; a pool without
	// tags answers an empty one (the docs are silent on absent vs empty;
	// the SDKs read both as no tags).
	require.Empty(t, listTags(t, p, defaultPoolARN))
	status, out := call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"env": "test", "team": "auth"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, out, "TagResource: HTTP 200 with an empty body")
	status, _ = call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"env": "prod", "empty": ""}})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, map[string]any{"env": "prod", "team": "auth", "empty": ""}, listTags(t, p, defaultPoolARN))
	// DescribeUserPool answers them as UserPoolTags.
	_, described := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, map[string]any{"env": "prod", "team": "auth", "empty": ""}, described["UserPool"].(map[string]any)["UserPoolTags"])
	require.Equal(t, defaultPoolARN, described["UserPool"].(map[string]any)["Arn"])
}

func TestUntagResourceRemovesKeys(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"a": "1", "b": "2"}})
	// UntagResource: "Removes the specified tags"; a key the pool has no
	// tag for is not refused (the docs are silent).
	status, out := call(t, p, "UntagResource", map[string]any{"ResourceArn": defaultPoolARN, "TagKeys": []string{"a", "missing"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, map[string]any{"b": "2"}, listTags(t, p, defaultPoolARN))
	call(t, p, "UntagResource", map[string]any{"ResourceArn": defaultPoolARN, "TagKeys": []string{"b"}})
	require.Empty(t, listTags(t, p, defaultPoolARN))
	_, described := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": DefaultPoolID})
	require.NotContains(t, described["UserPool"], "UserPoolTags")
}

func TestTagOperationsFindThePoolByARN(t *testing.T) {
	p := newPool(t, Config{})
	other := createPool(t, p, map[string]any{"PoolName": "other", "UserPoolTags": map[string]string{"owner": "ops"}})
	arn := other["Arn"].(string)
	require.Equal(t, map[string]any{"owner": "ops"}, other["UserPoolTags"], "CreateUserPool answers the UserPoolTags it was given")
	call(t, p, "TagResource", map[string]any{"ResourceArn": arn, "Tags": map[string]string{"env": "x"}})
	require.Equal(t, map[string]any{"owner": "ops", "env": "x"}, listTags(t, p, arn))
	require.Empty(t, listTags(t, p, defaultPoolARN), "the tags went to the pool the ARN names")
}

func TestTagOperationsRefuseBadARNs(t *testing.T) {
	p := newPool(t, Config{})
	// ResourceArn: length 20 to 2048, the ARN pattern; required.
	requireAPIError(t, p, "ListTagsForResource", map[string]any{"ResourceArn": "arn:too:short"}, codeInvalidParameter,
		"1 validation error detected: Value at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
	requireAPIError(t, p, "ListTagsForResource", map[string]any{"ResourceArn": "not an arn of any kind at all"}, codeInvalidParameter, "")
	requireAPIError(t, p, "TagResource", map[string]any{"Tags": map[string]string{"a": "b"}}, codeInvalidParameter,
		"1 validation error detected: Value at 'resourceArn' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN}, codeInvalidParameter,
		"1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "UntagResource", map[string]any{"ResourceArn": defaultPoolARN}, codeInvalidParameter,
		"1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must not be null")
	// A well-formed ARN of no pool (another pool ID, another service):
	// ResourceNotFoundException, one of each operation's Errors.
	for _, arn := range []string{
		"arn:aws:cognito-idp:local:000000000000:userpool/local_Nobody",
		"arn:aws:sns:us-east-1:123456789012:a-topic",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + DefaultPoolID,
	} {
		for _, op := range []string{"TagResource", "UntagResource", "ListTagsForResource"} {
			requireAPIError(t, p, op, map[string]any{"ResourceArn": arn, "Tags": map[string]string{"a": "b"}, "TagKeys": []string{"a"}},
				codeResourceNotFound, "")
		}
	}
}

func TestTagLimits(t *testing.T) {
	p := newPool(t, Config{})
	// TagResource: "A user pool can have as many as 50 tags."
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	status, out := call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": many})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"one-more": "v"}},
		codeInvalidParameter, "A user pool can have at most 50 tags.")
	require.Len(t, listTags(t, p, defaultPoolARN), 50, "a refused TagResource changes nothing")
	// Replacing a value of a pool at 50 tags is no 51st tag.
	status, _ = call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"k00": "w"}})
	require.Equal(t, http.StatusOK, status)
	// Tags: keys of 1 to 128 characters, values of 0 to 256.
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"": "v"}}, codeInvalidParameter, "")
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{strings.Repeat("k", 129): "v"}}, codeInvalidParameter, "")
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"k": strings.Repeat("v", 257)}}, codeInvalidParameter, "")
	requireAPIError(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]int{"k": 1}}, "SerializationException", "")
	// UntagResource's TagKeys: each of 1 to 128 characters.
	requireAPIError(t, p, "UntagResource", map[string]any{"ResourceArn": defaultPoolARN, "TagKeys": []string{""}}, codeInvalidParameter, "")
	// CreateUserPool's UserPoolTags are bounded alike.
	over := map[string]string{"extra": "v"}
	for k, v := range many {
		over[k] = v
	}
	status, _ = callSigned(t, p, "CreateUserPool", "", map[string]any{"PoolName": "x", "UserPoolTags": over})
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = callSigned(t, p, "CreateUserPool", "", map[string]any{"PoolName": "x", "UserPoolTags": "not a map"})
	require.Equal(t, http.StatusBadRequest, status)
}

func TestUpdateUserPoolTags(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"a": "1"}})
	// UpdateUserPool returns omitted settings to their defaults, but the
	// docs do not count tags among them, which TagResource and
	// UntagResource manage: omitted, they stay.
	status, out := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, map[string]any{"a": "1"}, listTags(t, p, defaultPoolARN))
	// Given, they are the pool's tags.
	call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": DefaultPoolID, "UserPoolTags": map[string]string{"b": "2"}})
	require.Equal(t, map[string]any{"b": "2"}, listTags(t, p, defaultPoolARN))
}

func TestTagsSurviveRestart(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "TagResource", map[string]any{"ResourceArn": defaultPoolARN, "Tags": map[string]string{"env": "test"}})
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	require.Equal(t, map[string]any{"env": "test"}, listTags(t, q, defaultPoolARN))
}
