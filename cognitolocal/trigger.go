package cognitolocal

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Trigger versions.
const (
	triggerV1 = "V1_0"
	triggerV2 = "V2_0"
	triggerV3 = "V3_0"
)

// triggerTimeout is Cognito's fixed limit on a Lambda trigger.
const triggerTimeout = 5 * time.Second

// triggerLimit is the limit callLambda and NewHTTPFunction hold a trigger
// to: triggerTimeout, or none when zero. The package's tests lift it
// (TestMain) before any test runs: the limit counts wall time, so a test
// process the machine starves for five seconds would fail the sign-in of
// a trigger that answers at once. Tests of the limit give the call a
// context whose deadline has passed instead.
var triggerLimit = triggerTimeout

// maxClaimChanges is Cognito's limit on claims and scopes one response
// may add, override or suppress.
const maxClaimChanges = 5000

// unmodifiableClaims are the claims a pre-token-generation response may
// not add, override or suppress.
var unmodifiableClaims = []string{
	"acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat",
	"identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
}

// errUnmodifiableClaim refuses a response that touches a claim no
// trigger may change.
var errUnmodifiableClaim = apiErr(codeInvalidLambdaResp, "Invalid lambda response: a claim that cannot be modified was changed.")

// isUnmodifiable reports whether a response may not add, override or
// suppress the claim name: one of unmodifiableClaims, or scope, which
// changes through scopesToAdd and scopesToSuppress only.
func isUnmodifiable(name string) bool {
	return slices.Contains(unmodifiableClaims, name) || name == "scope"
}

// runTrigger builds the event of req as Cognito builds it, calls the
// trigger and applies its response to the claim sets (id is nil when no
// ID token is issued): to the ID token only for V1_0 (triggerv1.go), to
// both for V2_0 and V3_0. V1_0 and V2_0 do not run for client
// credentials.
func (p *Pool) runTrigger(ctx context.Context, req issueRequest, access, id map[string]any) error {
	t, version, err := p.preTokenTrigger()
	if err != nil {
		return err
	}
	if t == nil || (req.user == nil && version != triggerV3) {
		return nil
	}
	ev := p.triggerEvent(req, access, version)
	if err := callLambda(ctx, lambdaPreToken, t, &ev); err != nil {
		return err
	}
	if version == triggerV1 {
		return applyV1Response(ev.Response.ClaimsAndScopeOverrideDetails, id)
	}
	return applyTriggerResponse(ev.Response.ClaimsAndScopeOverrideDetails, access, id)
}

// preTokenTrigger returns the pool's pre-token-generation trigger and its
// version: Config.PreTokenGeneration with Config.TriggerVersion, else the
// local trigger the Service maps the ARN of the pool's LambdaConfig to,
// with the LambdaVersion the pool names (V2_0 when it names none).
func (p *Pool) preTokenTrigger() (Lambda, string, error) {
	t, err := p.lambda(lambdaPreToken)
	if err != nil || t == nil {
		return nil, "", err
	}
	if p.triggers[lambdaPreToken] != nil {
		return t, p.triggerV, nil
	}
	switch v := p.conf().PreTokenLambdaVersion; v {
	case triggerV1, triggerV3:
		return t, v, nil
	}
	return t, triggerV2, nil
}

func (p *Pool) triggerEvent(req issueRequest, access map[string]any, version string) events.CognitoEventUserPoolsPreTokenGenV2_0 {
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	ev.CognitoEventUserPoolsHeader = p.eventHeader(req.source, req.client.ClientID, "")
	ev.Version = map[string]string{triggerV1: "1", triggerV3: "3"}[version]
	if ev.Version == "" {
		ev.Version = "2"
	}
	ev.Request.ClientMetadata = maps.Clone(req.metadata)
	// The V1_0 event carries what goes into the ID token: no scopes.
	if version != triggerV1 {
		ev.Request.Scopes = splitScope(access["scope"])
	}
	ev.Request.UserAttributes = map[string]string{}
	ev.Request.GroupConfiguration.GroupsToOverride = []string{}
	ev.Request.GroupConfiguration.IAMRolesToOverride = []string{}
	if req.user != nil {
		ev.UserName = req.user.username
		maps.Copy(ev.Request.UserAttributes, req.user.attrs)
		ev.Request.UserAttributes["cognito:user_status"] = statusConfirmed
		ev.Request.GroupConfiguration.GroupsToOverride = slices.Clone(req.user.groups)
		if len(req.user.roles) > 0 {
			ev.Request.GroupConfiguration.IAMRolesToOverride = slices.Clone(req.user.roles)
		}
		if req.user.preferredRole != "" {
			pr := req.user.preferredRole
			ev.Request.GroupConfiguration.PreferredRole = &pr
		}
	}
	return ev
}

func splitScope(v any) []string {
	s, _ := v.(string)
	return append([]string{}, strings.Fields(s)...)
}

// applyTriggerResponse applies a response with Cognito's rules: claims
// are added or overridden, then suppressed (suppression wins); scopes
// likewise; groupsToOverride replaces cognito:groups in both tokens. A
// response touching an unmodifiable claim, or the scope claim (scopes
// change through scopesToAdd and scopesToSuppress only), fails the issue.
func applyTriggerResponse(d events.ClaimsAndScopeOverrideDetailsV2_0, access, id map[string]any) error {
	at, it := d.AccessTokenGeneration, d.IDTokenGeneration
	changes := len(at.ClaimsToAddOrOverride) + len(at.ClaimsToSuppress) + len(at.ScopesToAdd) +
		len(at.ScopesToSuppress) + len(it.ClaimsToAddOrOverride) + len(it.ClaimsToSuppress)
	if changes > maxClaimChanges {
		return apiErr(codeInvalidLambdaResp, "Invalid lambda response: too many claims and scopes changed.")
	}
	for _, names := range [][]string{slices.Collect(maps.Keys(at.ClaimsToAddOrOverride)), at.ClaimsToSuppress,
		slices.Collect(maps.Keys(it.ClaimsToAddOrOverride)), it.ClaimsToSuppress} {
		for _, n := range names {
			if isUnmodifiable(n) {
				return errUnmodifiableClaim
			}
		}
	}
	if err := applyClaims(access, at.ClaimsToAddOrOverride, at.ClaimsToSuppress); err != nil {
		return err
	}
	if id != nil {
		if err := applyClaims(id, it.ClaimsToAddOrOverride, it.ClaimsToSuppress); err != nil {
			return err
		}
	}
	scopes := splitScope(access["scope"])
	for _, s := range at.ScopesToAdd {
		if s != "" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	scopes = slices.DeleteFunc(scopes, func(s string) bool { return slices.Contains(at.ScopesToSuppress, s) })
	access["scope"] = strings.Join(scopes, " ")
	applyGroupOverride(d.GroupOverrideDetails, access, id)
	return nil
}

// applyGroupOverride applies groupOverrideDetails: groupsToOverride
// replaces cognito:groups in access (nil for a V1_0 trigger, which
// changes the ID token only) and id; roles change the ID token only.
func applyGroupOverride(o events.GroupConfigurationV2_0, access, id map[string]any) {
	if g := o.GroupsToOverride; g != nil {
		for _, claims := range []map[string]any{access, id} {
			if claims == nil {
				continue
			}
			if len(g) == 0 {
				delete(claims, "cognito:groups")
			} else {
				claims["cognito:groups"] = slices.Clone(g)
			}
		}
	}
	// Roles are ID-token claims only, as Cognito issues them.
	if r := o.IAMRolesToOverride; r != nil && id != nil {
		if len(r) == 0 {
			delete(id, "cognito:roles")
		} else {
			id["cognito:roles"] = slices.Clone(r)
		}
	}
	if pr := o.PreferredRole; pr != nil && id != nil {
		if *pr == "" {
			delete(id, "cognito:preferred_role")
		} else {
			id["cognito:preferred_role"] = *pr
		}
	}
}

// applyClaims adds and then suppresses claims. Values must be JSON
// (strings, numbers, booleans, arrays, objects), as a Lambda's response
// is.
func applyClaims(claims map[string]any, add map[string]any, suppress []string) error {
	for name, v := range add {
		if _, err := json.Marshal(v); err != nil {
			return apiErr(codeInvalidLambdaResp, "Invalid lambda response: a claim value is not JSON.")
		}
		claims[name] = v
	}
	for _, name := range suppress {
		delete(claims, name)
	}
	return nil
}

// region is the AWS region a pool ID of the form region_suffix names, as
// triggers see it in the event; "local" for other IDs.
func (p *Pool) region() string {
	if r, _, ok := strings.Cut(p.poolID, "_"); ok && strings.Count(r, "-") >= 2 {
		return r
	}
	return "local"
}
